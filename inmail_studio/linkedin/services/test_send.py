"""Test sends: a `sendTestInMail` of the synced revision, within the daily limit per ad."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from inmail_studio.accounts.models import APPROVE_ROLES, EDIT_ROLES, User
from inmail_studio.ads.models import Ad, Revision, State
from inmail_studio.dispatch import queued_deadline
from inmail_studio.linkedin import payloads
from inmail_studio.linkedin.client import (
    Call,
    Rejected,
    Transient,
)
from inmail_studio.linkedin.models import (
    TEST_SEND_OPEN,
    AdLinkedIn,
    LinkedInConnection,
    TestSend,
    TestSendStatus,
)
from inmail_studio.linkedin.services import outbox  # the dispatch seam: tests and bench patch it there
from inmail_studio.linkedin.services.common import NotConnected, SyncRefused, _require_role
from inmail_studio.linkedin.services.connection import client_for
from inmail_studio.linkedin.services.outbox import (
    RetryLater,
    _Heartbeat,
    _refusal,
    retry_countdown,
)
from inmail_studio.review import workflow
from inmail_studio.review.selectors import approved_revision_for

log = logging.getLogger(__name__)


def test_sends_today(ad: Ad) -> int:
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return TestSend.objects.filter(ad=ad, created_at__gte=start).count()


def why_no_test_send(
    ad: Ad,
    *,
    revision: Revision | None,
    link: AdLinkedIn | None,
    open_send: TestSend | None,
    sends_today: int,
) -> str:
    """Why a test send of `ad` can't be asked for now, or "" if it can: the one statement of the rule.

    `test_send_request` raises this message; the LinkedIn panel disables its button with it. A test
    still queued (`open_send`) is no refusal: asking again sends it now instead of adding another.
    """
    if ad.state not in workflow.TEST_SENDABLE:
        return "Only a synced ad can be sent as a test."
    if revision is None or link is None or link.synced_hash != revision.content_hash or not link.creative_urn:
        return "The approved revision isn't on LinkedIn yet; sync it first."
    if open_send is not None:
        return "A test message is already on its way." if open_send.status == TestSendStatus.SENDING else ""
    limit = settings.LINKEDIN_TEST_SENDS_PER_DAY
    if sends_today >= limit:
        return f"This ad has had its {limit} test messages for today; try again tomorrow."
    return ""


def test_send_request(*, ad_id: int, user: User) -> TestSend:
    """Queue a `sendTestInMail` of the synced revision, within the daily limit per ad.

    A test still queued (waiting for its retry, or for a broker that was down) is sent now
    instead of a second one being added.
    """

    now = timezone.now()
    with transaction.atomic():
        ad = Ad.objects.select_for_update().get(pk=ad_id)
        _require_role(user, ad.workspace_id, EDIT_ROLES | APPROVE_ROLES, "send test messages")
        revision = approved_revision_for(ad)
        link = AdLinkedIn.objects.filter(ad=ad).first()
        waiting = TestSend.objects.filter(ad=ad, status__in=TEST_SEND_OPEN).first()
        refusal = why_no_test_send(
            ad, revision=revision, link=link, open_send=waiting, sends_today=test_sends_today(ad)
        )
        if refusal:
            raise SyncRefused(refusal)
        assert revision is not None  # the refusal said so
        if waiting is not None:
            TestSend.objects.filter(pk=waiting.pk).update(retry_at=None, lease_until=queued_deadline(now))
            transaction.on_commit(partial(outbox._dispatch_test_send, waiting.pk))
            return waiting
        connection = LinkedInConnection.objects.filter(workspace_id=ad.workspace_id).first()
        send = TestSend.objects.create(
            ad=ad,
            revision=revision,
            revision_hash=revision.content_hash,
            requested_by=user,
            recipient_urn=connection.member_urn if connection else "",
            created_at=now,
            lease_until=queued_deadline(now),
        )
        transaction.on_commit(partial(outbox._dispatch_test_send, send.pk))
    return send


POSSIBLY_SENT = (
    "LinkedIn may have delivered this test ({why}), and LinkedIn offers no way to ask whether it "
    "arrived, so it is not sent again by itself. Look in the inbox of the connected member: if it "
    "is there, say so; if not, send it again."
)


def _settle_uncertain(send_id: int, *, why: str) -> None:
    TestSend.objects.filter(pk=send_id).update(
        status=TestSendStatus.UNCERTAIN,
        error=POSSIBLY_SENT.format(why=why),
        finished_at=timezone.now(),
        lease_until=None,
        retry_at=None,
    )


def _test_sends_settle_dead(now: datetime) -> None:
    """Test sends whose worker vanished: one that never reached its call is queued again, one that
    may have reached LinkedIn becomes "possibly sent" (never sent a second time by itself)."""
    dead = TestSend.objects.filter(status=TestSendStatus.SENDING, lease_until__lt=now)
    for send_id in dead.filter(call_started_at__isnull=False).values_list("pk", flat=True):
        _settle_uncertain(send_id, why="the worker sending it stopped while LinkedIn was answering")
    dead.filter(call_started_at__isnull=True).update(status=TestSendStatus.QUEUED, holder="", lease_until=now)


def test_send_run(*, test_send_id: int, holder: str = "in-process") -> None:
    """Call sendTestInMail once for a queued test send. Raises RetryLater when LinkedIn answered with a
    transient error (so nothing was sent); a call whose answer never came is never repeated."""

    now = timezone.now()
    lease = timedelta(seconds=settings.LINKEDIN_SYNC_LEASE_SECONDS)
    with transaction.atomic():
        send = (
            TestSend.objects.select_for_update(of=("self",))
            .select_related("ad", "revision")
            .get(pk=test_send_id)
        )
        if send.status not in TEST_SEND_OPEN:
            return
        if send.status == TestSendStatus.SENDING:
            if send.lease_until and send.lease_until > now:
                return  # a duplicate delivery while another worker holds it
            if send.call_started_at is not None:
                _settle_uncertain(send.pk, why="the worker sending it stopped while LinkedIn was answering")
                return
        elif send.retry_at and send.retry_at > now + timedelta(seconds=1):
            return  # early (a duplicate): the retry's own message, or beat, runs it when it is due
        send.tries += 1
        TestSend.objects.filter(pk=send.pk).update(
            status=TestSendStatus.SENDING,
            tries=send.tries,
            holder=holder[:200],
            lease_until=now + lease,
            retry_at=None,
            call_started_at=None,
        )
    ad = Ad.objects.select_related("workspace").get(pk=send.ad_id)
    link = AdLinkedIn.objects.get(ad=ad)
    heartbeat = _Heartbeat(TestSend, send.pk, holder, TestSendStatus.SENDING)
    seen: list[str] = []

    def remember(call: Call) -> None:
        heartbeat()
        # The request id of the last answer, for the ledger's test-send rows (support can trace it).
        if call.request_id:
            seen.append(call.request_id)

    try:
        api = client_for(ad.workspace, observer=remember)
        # From here the message may reach the member: a crash before the outcome is written leaves
        # this mark, and the test becomes "possibly sent" instead of being sent again.
        TestSend.objects.filter(pk=send.pk).update(call_started_at=timezone.now())
        api.action(
            "inMailContents",
            "sendTestInMail",
            payloads.test_send(
                content_urn=link.content_urn,
                campaign_urn=link.creative_campaign_urn,
                creative_urn=link.creative_urn,
                account_urn=ad.workspace.ad_account_urn,
            ),
        )
    except Transient as error:
        request_id = seen[-1] if seen else ""
        if error.answer_lost:
            TestSend.objects.filter(pk=send.pk).update(request_id=request_id)
            _settle_uncertain(send.pk, why="its answer was lost on the way back")
            return
        if send.tries > settings.LINKEDIN_SYNC_MAX_RETRIES:
            TestSend.objects.filter(pk=send.pk).update(
                status=TestSendStatus.FAILED,
                error=f"LinkedIn kept failing after {send.tries} tries: {error.explain()}",
                finished_at=timezone.now(),
                request_id=request_id,
                call_started_at=None,
                lease_until=None,
            )
            return
        countdown = retry_countdown(send.tries)
        retry_at = timezone.now() + timedelta(seconds=countdown)
        TestSend.objects.filter(pk=send.pk).update(
            status=TestSendStatus.QUEUED,
            error=error.explain(),
            request_id=request_id,
            call_started_at=None,
            holder="",
            retry_at=retry_at,
            lease_until=queued_deadline(retry_at),
        )
        raise RetryLater(error, countdown) from error
    except (Rejected, NotConnected) as error:
        message, _ = _refusal(ad, error)
        TestSend.objects.filter(pk=send.pk).update(
            status=TestSendStatus.FAILED,
            error=message,
            finished_at=timezone.now(),
            request_id=seen[-1] if seen else "",
            call_started_at=None,
            lease_until=None,
        )
        return
    with transaction.atomic():
        TestSend.objects.filter(pk=send.pk).update(
            status=TestSendStatus.SENT,
            error="",
            finished_at=timezone.now(),
            request_id=seen[-1] if seen else "",
            lease_until=None,
        )
        current = Ad.objects.select_for_update().get(pk=ad.pk)
        if current.state in (State.SYNCED, State.TESTED):
            workflow.move(
                current,
                State.TESTED,
                actor=None,
                revision=send.revision,
                note="Test message sent.",
                on_behalf_of=send.requested_by,
            )


def test_send_give_up(*, test_send_id: int, error: str) -> None:
    """The task died on something unexpected: the send ends, as "possibly sent" if its call had left."""
    send = TestSend.objects.filter(pk=test_send_id, status__in=TEST_SEND_OPEN).first()
    if send is None:
        return
    log.error("Test send %s stopped on an unexpected error: %s", test_send_id, error)
    if send.call_started_at is not None:
        _settle_uncertain(send.pk, why="it stopped on an unexpected error while LinkedIn was answering")
        return
    TestSend.objects.filter(pk=send.pk).update(
        status=TestSendStatus.FAILED,
        error="The test send stopped on an unexpected error; send it again.",
        finished_at=timezone.now(),
        lease_until=None,
    )


def test_send_confirm(*, ad_id: int, user: User) -> TestSend:
    """ "It arrived": the person saw a "possibly sent" test in the member's inbox; it counts as sent."""

    with transaction.atomic():
        ad = Ad.objects.select_for_update().get(pk=ad_id)
        _require_role(user, ad.workspace_id, EDIT_ROLES | APPROVE_ROLES, "send test messages")
        send = (
            TestSend.objects.select_related("revision")
            .filter(ad=ad, status=TestSendStatus.UNCERTAIN)
            .order_by("-created_at", "-pk")
            .first()
        )
        if send is None:
            raise SyncRefused("No test message of this ad is waiting for your confirmation.")
        TestSend.objects.filter(pk=send.pk).update(
            status=TestSendStatus.SENT, error="", confirmed_by=user, finished_at=timezone.now()
        )
        if ad.state in (State.SYNCED, State.TESTED):
            workflow.move(
                ad,
                State.TESTED,
                actor=user,
                revision=send.revision,
                note=f"Test message confirmed as received by {user.display_name}.",
            )
    return send
