"""The smaller journey fixes of issue 13, each as the person meets it: where signing in lands, what the
drafts list says, how a resubmission is headed, the forecast's Calculate, and `make run`'s 404 page."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import clear_url_caches

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.conversation import services as conversation_services
from inmail_studio.ads.models import Ad
from inmail_studio.guidance.models import AdPlan
from inmail_studio.review import services as review_services
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def _sign_in(user: User) -> str:
    response = Client().post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}, follow=True
    )
    return str(response.redirect_chain[-1][0])


def test_approvers_land_on_their_review_queue_and_authors_on_drafts(
    author: User, approver: User, admin_user: User
) -> None:
    assert _sign_in(approver) == "/review/"
    assert _sign_in(author) == "/ads/"
    assert _sign_in(admin_user) == "/ads/"


def test_the_drafts_list_says_which_ads_are_message_ads_and_which_conversation_ads(
    author: User, workspace: Workspace, make_ad: Callable[..., Ad]
) -> None:
    make_ad(name="Plain message")
    conversation_services.conversation_create(
        workspace=workspace, author=author, name="Chatty", template_key="event-invitation"
    )
    page = client_for(author).get("/ads/").content.decode()
    assert page.count('class="kind-tag kind-message">Message ad<') == 1
    assert page.count('class="kind-tag kind-conversation">Conversation ad<') == 1


def test_a_resubmission_is_not_headed_first_submission(
    author: User, approver: User, make_ad: Callable[..., Ad]
) -> None:
    ad = make_ad()
    review_services.submit(ad_id=ad.pk, actor=author)
    client = client_for(approver)
    assert "First submission" in client.get(f"/review/ads/{ad.pk}/").content.decode()
    ad.refresh_from_db()
    review_services.request_changes(
        ad_id=ad.pk,
        approver=approver,
        revision_hash=ad.current_revision.content_hash,  # type: ignore[union-attr]
        comment="Shorter, please.",
    )
    ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Short subject"})
    review_services.submit(ad_id=ad.pk, actor=author)
    page = client.get(f"/review/ads/{ad.pk}/").content.decode()
    assert "First submission" not in page and "Resubmission: changes since r2" not in page
    assert "Resubmission: changes since r1" in page
    # Sent back again as it is (answered in the thread, not edited): still not a first submission.
    ad.refresh_from_db()
    review_services.request_changes(
        ad_id=ad.pk,
        approver=approver,
        revision_hash=ad.current_revision.content_hash,  # type: ignore[union-attr]
        comment="And the body?",
    )
    review_services.submit(ad_id=ad.pk, actor=author)
    page = client.get(f"/review/ads/{ad.pk}/").content.decode()
    assert "First submission" not in page and "Resubmission" in page


def test_calculating_a_forecast_keeps_the_csrf_token_out_of_the_address_and_saves_nothing(
    viewer: User, make_ad: Callable[..., Ad]
) -> None:
    ad = make_ad()
    client = client_for(viewer)
    page = client.get(f"/guidance/ads/{ad.pk}/forecast/").content.decode()
    assert 'formmethod="get"' not in page and 'name="calculate"' in page
    response = client.post(
        f"/guidance/ads/{ad.pk}/forecast/",
        {"calculate": "1", "audience_size": "50000", "conversion_rate": "3"},
    )
    assert response.status_code == 200
    assert "Forecast inputs saved" not in response.content.decode()
    assert "forecast-result" in response.content.decode()
    assert not AdPlan.objects.filter(ad=ad, audience_size=50000).exists()
    # Saving stays for those who may edit.
    assert client.post(f"/guidance/ads/{ad.pk}/forecast/", {"audience_size": "50000"}).status_code == 403


@pytest.fixture
def make_run_settings(settings: Any) -> Iterator[None]:
    import inmail_studio.urls

    settings.DEBUG = True
    settings.ERROR_PAGES_IN_DEBUG = True
    importlib.reload(inmail_studio.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    settings.ERROR_PAGES_IN_DEBUG = False
    importlib.reload(inmail_studio.urls)
    clear_url_caches()


def test_make_run_shows_the_products_404_page_not_djangos_technical_one(
    make_run_settings: None, author: User
) -> None:
    client = client_for(author)
    for path in ("/ads/999999/", "/no/such/page/"):
        response = client.get(path)
        body = response.content.decode()
        assert response.status_code == 404, path
        assert "This page doesn&#x27;t exist" in body and "Back to your drafts" in body, path
        assert "URLconf" not in body and "Using the URLconf" not in body, path


def test_the_variant_page_lists_only_campaigns_of_the_ads_kind(
    author: User, workspace: Workspace, make_ad: Callable[..., Ad]
) -> None:
    from inmail_studio.guidance import services as guidance_services
    from inmail_studio.guidance.models import Variant
    from inmail_studio.linkedin.models import Campaign

    Campaign.objects.create(
        workspace=workspace, urn="urn:li:sponsoredCampaign:1", name="Inbox push", format="SPONSORED_INMAIL"
    )
    Campaign.objects.create(
        workspace=workspace, urn="urn:li:sponsoredCampaign:2", name="Chat pilot", format="SPONSORED_MESSAGE"
    )
    ad = make_ad()
    variant = guidance_services.variant_create(ad_id=ad.pk, author=author, subject="Another subject")
    set_id = Variant.objects.get(ad=variant).variant_set_id
    page = client_for(author).get(f"/guidance/variants/{set_id}/").content.decode()
    assert "Inbox push" in page and "Chat pilot" not in page


def test_a_revision_sent_back_unchanged_is_headed_as_a_resubmission(
    author: User, approver: User, make_ad: Callable[..., Ad]
) -> None:
    ad = make_ad()
    review_services.submit(ad_id=ad.pk, actor=author)
    ad.refresh_from_db()
    review_services.request_changes(
        ad_id=ad.pk,
        approver=approver,
        revision_hash=ad.current_revision.content_hash,  # type: ignore[union-attr]
        comment="Are the dates right?",
    )
    review_services.submit(ad_id=ad.pk, actor=author)
    page = client_for(approver).get(f"/review/ads/{ad.pk}/").content.decode()
    assert "First submission" not in page and "Resubmission, unchanged" in page


def test_submitting_from_the_editor_saves_what_is_on_screen_then_submits_it(
    author: User, make_ad: Callable[..., Ad]
) -> None:
    from tests.conftest import GOOD_AD

    ad = make_ad()
    client = client_for(author)
    editor = client.get(f"/ads/{ad.pk}/").content.decode()
    assert 'form="ad-form" name="then_submit"' in editor
    fields = {
        **GOOD_AD,
        "sender": ad.sender_id,
        "cta_kind": "landing_page",
        "subject": "Edited, not yet saved",
    }
    response = client.post(f"/ads/{ad.pk}/", {**fields, "then_submit": "1"}, follow=True)
    ad.refresh_from_db()
    assert ad.state == "in_review"
    assert ad.current_revision.snapshot["subject"] == "Edited, not yet saved"  # type: ignore[union-attr]
    assert ad.reviews.get().revision_id == ad.current_revision_id
    assert "Saved as revision 2. “Q4 webinar invite” is in review." in response.content.decode()


def test_an_invalid_edit_is_neither_saved_nor_submitted_and_stays_on_screen(
    author: User, make_ad: Callable[..., Ad]
) -> None:
    from tests.conftest import GOOD_AD

    ad = make_ad()
    fields = {**GOOD_AD, "sender": ad.sender_id, "cta_kind": "landing_page", "subject": "x" * 300}
    response = client_for(author).post(f"/ads/{ad.pk}/", {**fields, "then_submit": "1"})
    assert response.status_code == 422
    assert "not saved and nothing was submitted" in response.content.decode()
    ad.refresh_from_db()
    assert ad.state == "draft" and ad.current_revision.number == 1  # type: ignore[union-attr]


def test_the_preview_shows_the_senders_photo_and_dimmed_plausible_neighbours(
    make_ad: Callable[..., Ad], sender: Any
) -> None:
    from django.core.files.base import ContentFile

    from inmail_studio.ads import demo, preview, snapshots

    ad = make_ad()
    without = preview.render_document(snapshots.of_ad(ad), preview.FALLBACK_MEMBER, "desktop")
    assert "li-avatar-initials" in without
    sender.photo.save("dana.png", ContentFile(demo.portrait_png("DW", (59, 70, 196))))
    ad.refresh_from_db()
    document = preview.render_document(snapshots.of_ad(ad), preview.FALLBACK_MEMBER, "desktop")
    assert '<img class="li-avatar li-avatar-lg" src="' in document
    # Other conversations are people with names and lines, dimmed, not grey loading bars.
    assert document.count("li-row-neighbour") >= 3 and "skeleton" not in document
