"""Sync, test send and launch against the sandbox over HTTP, with tasks run in-process (eager Celery).

The real worker on Redis is exercised in test_worker.py; here the logic: idempotence,
lost answers, refusals in words a marketer understands, the daily test-send limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.ads.services import ad_update
from inmail_studio.linkedin import services
from inmail_studio.linkedin.models import (
    AdLinkedIn,
    AttemptStatus,
    SyncAttempt,
    SyncCall,
    TestSend,
    TestSendStatus,
)
from inmail_studio.sandbox import models as sandbox
from inmail_studio.sandbox.services import faults_configure

from .conftest import creatives_of, run_when_due

MakeAd = Callable[..., Ad]


def test_approving_an_ad_syncs_it_with_one_draft_creative(make_synced_ready_ad: MakeAd) -> None:
    ad = make_synced_ready_ad()
    assert ad.state == State.SYNCED
    link = AdLinkedIn.objects.get(ad=ad)
    content = sandbox.InMailContent.objects.get(pk=link.content_urn.rsplit(":", 1)[-1])
    assert content.data["subject"] == ad.current_revision.snapshot["subject"]  # type: ignore[union-attr]
    (creative,) = creatives_of(link.content_urn)
    assert creative.urn == link.creative_urn and creative.intended_status == "DRAFT"
    attempt = SyncAttempt.objects.get(ad=ad)
    assert attempt.status == AttemptStatus.DONE
    # Two creates: a content this run created can't be in a creative yet, so the finder isn't asked.
    assert [(c.step, c.method) for c in attempt.calls.all()] == [("content", "POST"), ("creative", "POST")]


def test_an_approval_without_a_campaign_waits_and_choosing_one_syncs(
    make_synced_ready_ad: MakeAd, author: User, webinar: str
) -> None:
    ad = make_synced_ready_ad(campaign="")
    assert ad.state == State.APPROVED
    assert not SyncAttempt.objects.filter(ad=ad).exists()
    services.campaign_choose(ad_id=ad.pk, user=author, campaign_urn=webinar)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED


def test_running_a_finished_attempt_again_changes_nothing(make_synced_ready_ad: MakeAd) -> None:
    ad = make_synced_ready_ad()
    attempt = SyncAttempt.objects.get(ad=ad)
    calls = SyncCall.objects.count()
    services.sync_run(attempt_id=attempt.pk)
    assert SyncCall.objects.count() == calls
    assert len(creatives_of(AdLinkedIn.objects.get(ad=ad).content_urn)) == 1


def test_a_lost_creative_answer_is_resolved_by_the_finder_not_a_second_creative(
    make_synced_ready_ad: MakeAd, settings: Any
) -> None:
    # content create ok, creative create committed but the answer dropped
    faults_configure(queue="ok,drop")
    make_synced_ready_ad()  # the task's retry waits (in-process Celery doesn't wait out countdowns)
    ad = Ad.objects.get()
    attempt = SyncAttempt.objects.get(ad=ad)
    assert attempt.status == AttemptStatus.AWAITING_RETRY
    run_when_due(attempt.pk)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    link = AdLinkedIn.objects.get(ad=ad)
    assert len(creatives_of(link.content_urn)) == 1
    assert attempt.calls.filter(note__contains="not creating another").exists()


def test_a_retry_asks_the_finder_before_creating_the_creative_of_a_content_made_by_an_earlier_try(
    make_synced_ready_ad: MakeAd,
) -> None:
    faults_configure(queue="ok,503")  # the content is created, the creative create is refused for now
    make_synced_ready_ad()
    ad = Ad.objects.get()
    attempt = SyncAttempt.objects.get(ad=ad)
    assert attempt.status == AttemptStatus.AWAITING_RETRY
    first_try = attempt.calls.count()
    run_when_due(attempt.pk)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    # The retry brings the content up to date (PARTIAL_UPDATE), then asks the finder before creating.
    retried = attempt.calls.order_by("pk")[first_try:]
    assert [(c.step, c.method, c.resource.rsplit("/", 1)[-1]) for c in retried] == [
        ("content", "POST", AdLinkedIn.objects.get(ad=ad).content_urn.replace(":", "%3A")),
        ("creative", "GET", "creatives"),
        ("creative", "POST", "creatives"),
    ]
    assert len(creatives_of(AdLinkedIn.objects.get(ad=ad).content_urn)) == 1


def test_a_lost_content_answer_is_recorded_as_an_orphan_and_created_again(
    make_synced_ready_ad: MakeAd,
) -> None:
    faults_configure(queue="drop")
    make_synced_ready_ad()  # the task's retry waits (in-process Celery doesn't wait out countdowns)
    ad = Ad.objects.get()
    attempt = SyncAttempt.objects.get(ad=ad)
    run_when_due(attempt.pk)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    assert sandbox.InMailContent.objects.count() == 2  # the orphan and the one in use
    assert attempt.calls.filter(note__contains="orphaned").count() == 1
    assert len(creatives_of(AdLinkedIn.objects.get(ad=ad).content_urn)) == 1


def test_a_sender_whose_permission_lapsed_fails_fast_with_linkedins_words_and_can_be_retried(
    make_synced_ready_ad: MakeAd, author: User, approver: User
) -> None:
    from .conftest import approve_ad

    ad = make_synced_ready_ad(approve=False)
    # Dana withdraws on LinkedIn before the next import tells the studio.
    sandbox.SenderPermission.objects.filter(member__slug="dana-whitfield").update(state="REVOKED")
    approve_ad(ad, author=author, approver=approver)
    ad.refresh_from_db()
    assert ad.state == State.SYNC_FAILED
    attempt = SyncAttempt.objects.get(ad=ad)
    assert attempt.status == AttemptStatus.FAILED and attempt.tries == 1
    assert attempt.error_code == "SINMAIL_SENDER_NOT_APPROVED"
    assert "hasn't approved sending ads" in attempt.error
    sandbox.SenderPermission.objects.filter(member__slug="dana-whitfield").update(state="APPROVED")
    services.sync_request(ad_id=ad.pk, user=author)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED


def test_an_attempt_for_a_revision_no_longer_approved_does_nothing(
    make_synced_ready_ad: MakeAd, author: User, settings: Any
) -> None:
    ad = make_synced_ready_ad()
    attempt = SyncAttempt.objects.get(ad=ad)
    ad_update(ad_id=ad.pk, editor=author, fields={"subject": "A new subject"})  # voids the approval
    SyncAttempt.objects.filter(pk=attempt.pk).update(status=AttemptStatus.QUEUED)
    services.sync_run(attempt_id=attempt.pk)
    assert SyncAttempt.objects.get(pk=attempt.pk).status == AttemptStatus.SKIPPED
    assert sandbox.InMailContent.objects.get().data["subject"] != "A new subject"


def test_resyncing_a_new_approved_revision_updates_the_same_content_and_creative(
    make_synced_ready_ad: MakeAd, author: User, approver: User
) -> None:
    from .conftest import approve_ad

    ad = make_synced_ready_ad()
    link = AdLinkedIn.objects.get(ad=ad)
    ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Second thoughts"})
    approve_ad(ad, author=author, approver=approver)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    assert AdLinkedIn.objects.get(ad=ad).content_urn == link.content_urn
    assert sandbox.InMailContent.objects.get().data["subject"] == "Second thoughts"
    assert len(creatives_of(link.content_urn)) == 1


def test_send_test_reaches_the_connected_members_inbox_and_launch_goes_live(
    make_synced_ready_ad: MakeAd, author: User, approver: User
) -> None:
    ad = make_synced_ready_ad()
    with pytest.raises(services.SyncRefused):
        services.launch(ad_id=ad.pk, approver=approver)
    send = services.test_send_request(ad_id=ad.pk, user=author)
    send.refresh_from_db()
    assert send.status == TestSendStatus.SENT
    message = sandbox.InboxMessage.objects.get()
    assert message.recipient.slug == "ada-admin"
    ad.refresh_from_db()
    assert ad.state == State.TESTED
    with pytest.raises(Exception, match="launch"):
        services.launch(ad_id=ad.pk, approver=author)  # authors can't launch
    services.launch(ad_id=ad.pk, approver=approver)
    ad.refresh_from_db()
    assert ad.state == State.LIVE and ad.is_locked
    assert creatives_of(AdLinkedIn.objects.get(ad=ad).content_urn)[0].intended_status == "ACTIVE"


def test_test_sends_are_limited_per_ad_per_day(
    make_synced_ready_ad: MakeAd, author: User, settings: Any
) -> None:
    settings.LINKEDIN_TEST_SENDS_PER_DAY = 2
    ad = make_synced_ready_ad()
    services.test_send_request(ad_id=ad.pk, user=author)
    services.test_send_request(ad_id=ad.pk, user=author)
    with pytest.raises(services.SyncRefused, match="2 test messages for today"):
        services.test_send_request(ad_id=ad.pk, user=author)
    assert TestSend.objects.filter(ad=ad).count() == 2
