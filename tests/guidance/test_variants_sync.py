"""Variants sync as separate creatives in the same campaign: against the sandbox over real HTTP
(live_server), approved together with "approve all", tasks in-process (eager Celery)."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.guidance import services
from inmail_studio.linkedin.models import AdLinkedIn, Campaign
from inmail_studio.review import services as review_services
from inmail_studio.sandbox import models as sandbox
from tests.conftest import client_for

MakeAd = Callable[..., Ad]


def _submit_all(ads: list[Ad], author: User) -> dict[int, str]:
    hashes = {}
    for ad in ads:
        review_services.submit(ad_id=ad.pk, actor=author)
        ad.refresh_from_db()
        assert ad.current_revision is not None
        hashes[ad.pk] = ad.current_revision.content_hash
    return hashes


def test_approving_a_set_syncs_each_variant_as_its_own_creative_in_the_same_campaign(
    make_synced_ready_ad: MakeAd, author: User, approver: User, webinar: str
) -> None:
    a = make_synced_ready_ad(approve=False)
    b = services.variant_create(ad_id=a.pk, author=author, subject="%FIRSTNAME%, 30 minutes on Q4?")
    c = services.variant_create(ad_id=a.pk, author=author, subject="Your Q4 numbers, in one webinar")
    variants = [a, b, c]
    hashes = _submit_all(variants, author)

    services.variant_set_approve(set_id=a.variant.variant_set_id, approver=approver, revisions=hashes)

    links = [AdLinkedIn.objects.get(ad=ad) for ad in variants]
    for ad in variants:
        ad.refresh_from_db()
        assert ad.state == State.SYNCED
    creatives = [sandbox.Creative.objects.get(pk=link.creative_urn.rsplit(":", 1)[-1]) for link in links]
    assert len({c.pk for c in creatives}) == 3  # one creative each
    assert {c.campaign.urn for c in creatives} == {webinar}  # all in the set's campaign
    contents = [sandbox.InMailContent.objects.get(pk=link.content_urn.rsplit(":", 1)[-1]) for link in links]
    assert [content.data["subject"] for content in contents] == [
        a.subject,
        "%FIRSTNAME%, 30 minutes on Q4?",
        "Your Q4 numbers, in one webinar",
    ]


def test_choosing_the_sets_campaign_moves_every_variant_that_is_not_live(
    make_synced_ready_ad: MakeAd, author: User, approver: User, webinar: str
) -> None:
    a = make_synced_ready_ad(approve=False, campaign="")
    b = services.variant_create(ad_id=a.pk, author=author, subject="Another subject")
    assert not AdLinkedIn.objects.filter(ad=b).exclude(campaign_urn="").exists()
    other = Campaign.objects.get(workspace=a.workspace, name="IT Directors Demo")
    response = client_for(author).post(
        reverse("guidance:variant_set", args=[a.variant.variant_set_id]),
        {"action": "campaign", "campaign": other.urn},
    )
    assert response.status_code == 302
    assert set(AdLinkedIn.objects.filter(ad__in=[a, b]).values_list("campaign_urn", flat=True)) == {other.urn}
    # The approvals that waited for a campaign now sync into it.
    hashes = _submit_all([a, b], author)
    services.variant_set_approve(set_id=a.variant.variant_set_id, approver=approver, revisions=hashes)
    creatives = sandbox.Creative.objects.filter(
        pk__in=[link.creative_urn.rsplit(":", 1)[-1] for link in AdLinkedIn.objects.filter(ad__in=[a, b])]
    )
    assert creatives.count() == 2 and {c.campaign.urn for c in creatives} == {other.urn}
