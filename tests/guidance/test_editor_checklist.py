"""The checklist beside the editor's preview: live with the form, and the offer type saved with the ad."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, Sender, SenderPermission
from inmail_studio.guidance.models import AdPlan
from inmail_studio.guidance.selectors import scores_for
from tests.conftest import GOOD_AD, client_for

pytestmark = pytest.mark.django_db


def _form(sender: Sender | None, **changes: Any) -> dict[str, Any]:
    return {
        **GOOD_AD,
        "sender": sender.pk if sender else "",
        "cta_kind": "landing_page",
        "lead_form_urn": "",
        "banner": "",
        **changes,
    }


def _preview(client: Client, data: dict[str, Any], ad: Ad | None = None) -> str:
    url = reverse("ads:preview", args=[ad.pk]) if ad else reverse("ads:preview_new")
    response = client.post(url, data, headers={"HX-Request": "true", "HX-Target": "preview"})
    assert response.status_code == 200
    return response.content.decode()


def _status(html: str, key: str) -> str:
    match = re.search(rf'data-check="{key}" data-status="(\w+)"', html)
    assert match, f"{key} not in the checklist"
    return match.group(1)


def _score(html: str) -> int:
    match = re.search(r'data-score="(\d+)"', html)
    assert match, "no score"
    return int(match.group(1))


def test_the_preview_response_carries_the_checklist_out_of_band(author: User, sender: Sender) -> None:
    html = _preview(client_for(author), _form(sender))
    assert '<section id="checklist"' in html
    assert 'hx-swap-oob="true"' in html[html.index('id="checklist"') - 60 :]
    assert _status(html, "subject_length") == "pass"


def test_the_checklist_follows_what_is_typed_before_it_is_saved(author: User, sender: Sender) -> None:
    client = client_for(author)
    weak = _preview(client, _form(sender, subject="FREE DEMO!!! ACT NOW", offer_type="generic"))
    assert _status(weak, "subject_direct") == "problem"
    assert _status(weak, "offer_value") == "problem"
    fixed = _preview(
        client, _form(sender, subject="%FIRSTNAME%, a seat at our webinar?", offer_type="webinar")
    )
    assert _status(fixed, "subject_direct") == "pass"
    assert _status(fixed, "offer_value") == "pass"
    assert _score(fixed) > _score(weak)


def test_the_checklist_reads_the_senders_permission_from_the_sender(author: User, sender: Sender) -> None:
    sender.permission = SenderPermission.PENDING
    sender.save()
    html = _preview(client_for(author), _form(sender))
    assert _status(html, "sender_permission") == "problem"
    assert "Pending" in html


def test_the_editor_page_shows_the_checklist_and_the_offer_field(ad: Ad, author: User) -> None:
    AdPlan.objects.create(ad=ad, offer_type="demo", utm_variant="b")
    html = client_for(author).get(reverse("ads:edit", args=[ad.pk])).content.decode()
    assert '<section id="checklist"' in html
    assert (
        "hx-swap-oob"
        not in html[html.index('<section id="checklist"') : html.index('<section id="checklist"') + 200]
    )
    assert '<option value="demo" selected>' in html
    assert 'name="utm_variant" id="id_utm_variant" value="b"' in html
    assert reverse("guidance:forecast", args=[ad.pk]) in html


def test_the_editor_score_and_the_drafts_list_score_agree(ad: Ad, author: User) -> None:
    AdPlan.objects.create(ad=ad, offer_type="research")
    html = client_for(author).get(reverse("ads:edit", args=[ad.pk])).content.decode()
    assert _score(html) == scores_for([ad])[ad.pk]


def test_saving_the_ad_saves_its_offer_type_and_variant(ad: Ad, author: User, sender: Sender) -> None:
    client = client_for(author)
    response = client.post(
        reverse("ads:edit", args=[ad.pk]), _form(sender, offer_type="consultation", utm_variant="Spring B")
    )
    assert response.status_code == 302
    plan = AdPlan.objects.get(ad=ad)
    assert (plan.offer_type, plan.utm_variant) == ("consultation", "spring-b")
    # The plan is not part of the ad: an offer-only change writes no revision.
    assert ad.revisions.count() == 1
    follow = client.get(response["Location"]).content.decode()
    assert "Offer saved." in follow


def test_a_new_ad_is_saved_with_its_offer_type(author: User, sender: Sender) -> None:
    response = client_for(author).post(reverse("ads:new"), _form(sender, offer_type="webinar"))
    assert response.status_code == 302
    ad = Ad.objects.get(name=GOOD_AD["name"])
    assert AdPlan.objects.get(ad=ad).offer_type == "webinar"


def test_a_tampered_offer_type_is_ignored_and_the_ad_still_saves(
    ad: Ad, author: User, sender: Sender
) -> None:
    response = client_for(author).post(
        reverse("ads:edit", args=[ad.pk]), _form(sender, offer_type="<script>")
    )
    assert response.status_code == 302
    assert not AdPlan.objects.filter(ad=ad, offer_type="<script>").exists()


def test_checks_never_block_saving(author: User, sender: Sender) -> None:
    data = _form(
        sender,
        subject="FREE!!!",
        body="<p>Buy now.</p>",
        landing_page_url="http://example.com",
        offer_type="generic",
    )
    assert client_for(author).post(reverse("ads:new"), data).status_code == 302


def test_an_outsider_gets_no_checklist_of_another_workspaces_ad(ad: Ad, outsider: User) -> None:
    response = client_for(outsider).post(reverse("ads:preview", args=[ad.pk]), _form(None))
    assert response.status_code == 404


def test_the_checklist_reads_plan_permission_and_threshold_in_one_query(
    ad: Ad, sender: Sender, django_assert_num_queries: Any
) -> None:
    from inmail_studio.ads import snapshots
    from inmail_studio.guidance.context import checklist_for
    from inmail_studio.guidance.models import ForecastAssumptions

    AdPlan.objects.create(ad=ad, offer_type="generic", audience_size=80_000, utm_variant="c")
    ForecastAssumptions.objects.create(workspace_id=ad.workspace_id, broad_audience=50_000)
    Sender.objects.filter(pk=sender.pk).update(permission=SenderPermission.REVOKED)
    snapshot = snapshots.of_ad(ad)
    with django_assert_num_queries(1):
        checklist = checklist_for(snapshot, ad=ad, workspace_id=ad.workspace_id)
    statuses = {r.key: r.status for r in checklist.results}
    assert (checklist.offer_type, checklist.utm_variant) == ("generic", "c")
    assert statuses["audience_narrow"] == "problem"  # a generic pitch to more than 50,000
    assert statuses["sender_permission"] == "problem"
    with django_assert_num_queries(1):
        fresh = checklist_for(snapshot, ad=None, workspace_id=ad.workspace_id, data={"offer_type": "demo"})
    assert fresh.offer_type == "demo" and fresh.utm_variant == "a"
