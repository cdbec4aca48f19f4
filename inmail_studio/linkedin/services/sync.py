"""Syncing an approved revision to LinkedIn: queueing it, the Sync and Retry buttons, and running it."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils import timezone

from inmail_studio.accounts.models import APPROVE_ROLES, EDIT_ROLES, User
from inmail_studio.ads.models import Ad, Revision, State
from inmail_studio.dispatch import queued_deadline
from inmail_studio.linkedin.client import (
    Rejected,
    Transient,
)
from inmail_studio.linkedin.models import (
    OPEN_STATUSES,
    AdLinkedIn,
    AttemptKind,
    AttemptStatus,
    SyncAttempt,
)
from inmail_studio.linkedin.services import outbox  # the dispatch seam: tests and bench patch it there
from inmail_studio.linkedin.services.common import NotConnected, SyncRefused, _require_role
from inmail_studio.linkedin.services.connection import client_for, sync_blocker
from inmail_studio.linkedin.services.launch import _launch_run
from inmail_studio.linkedin.services.outbox import (
    _claim,
    _fail,
    _finish,
    _Ledger,
    _refusal,
    _retry_or_give_up,
    _succeed,
    job_retry_now,
)
from inmail_studio.linkedin.services.sync_steps import STEPS, SyncContext
from inmail_studio.review import workflow
from inmail_studio.review.selectors import approved_revision_for


def _refusal_reason(ad: Ad, revision: Revision | None, revision_id: int | None) -> str:
    """Why the sync of the approved revision can't be queued now, in the panel's words, or "".

    The one statement of the rule: "Sync to LinkedIn" shows the reason, the approval's own
    queueing (which names the revision it approved) takes no for an answer.
    """
    if ad.state not in (State.APPROVED, State.SYNC_FAILED) or revision is None:
        return "Only an approved ad that isn't on LinkedIn yet can be synced."
    blocker = sync_blocker(ad)
    if blocker:
        return blocker  # stays approved; the panel says what's missing and offers "Sync to LinkedIn"
    if revision_id is not None and revision.pk != revision_id:
        return "The revision is no longer the approved one."
    if SyncAttempt.objects.filter(ad=ad, status__in=OPEN_STATUSES).exists():
        return "A sync of this ad is already under way."
    return ""


def _queue(
    *, ad_id: int, revision_id: int | None, actor: User | None, on_behalf_of: User | None = None
) -> SyncAttempt:
    with transaction.atomic():
        ad = Ad.objects.select_for_update().get(pk=ad_id)
        if actor is not None:
            _require_role(actor, ad.workspace_id, EDIT_ROLES | APPROVE_ROLES, "sync ads")
        revision = approved_revision_for(ad)
        reason = _refusal_reason(ad, revision, revision_id)
        if reason:
            raise SyncRefused(reason)
        assert revision is not None  # no reason means an approved revision
        workflow.move(
            ad,
            State.SYNCING,
            actor=actor,
            revision=revision,
            note="Sync to LinkedIn queued.",
            on_behalf_of=on_behalf_of,
        )
        now = timezone.now()
        attempt = SyncAttempt.objects.create(
            ad=ad,
            revision=revision,
            revision_hash=revision.content_hash,
            requested_by=actor or on_behalf_of,
            queued_at=now,
            lease_until=queued_deadline(now),
        )
        transaction.on_commit(partial(outbox._dispatch_sync, attempt.pk))
    return attempt


def sync_queue(
    *, ad_id: int, revision_id: int, actor: User | None = None, on_behalf_of: User | None = None
) -> SyncAttempt | None:
    """Queue the sync of an approved revision; the task is sent after commit.

    Called when an approval commits (`receivers`, actor None: InMail Studio queues it on behalf of
    the approver) and when a campaign is chosen.
    Returns None when the sync can't be queued now (`_refusal_reason` says why: the revision is
    no longer the approved one, a sync is under way, a connection or campaign is missing).
    """
    try:
        return _queue(ad_id=ad_id, revision_id=revision_id, actor=actor, on_behalf_of=on_behalf_of)
    except SyncRefused:
        return None


def sync_request(*, ad_id: int, user: User) -> SyncAttempt:
    """ "Sync to LinkedIn" on an approved ad that isn't synced yet, or "Retry" after a failed sync;
    SyncRefused says why not."""
    return _queue(ad_id=ad_id, revision_id=None, actor=user)


def sync_run(*, attempt_id: int, holder: str = "in-process") -> None:
    """Do the work of a queued attempt (a sync, or a launch). Raises RetryLater for the task to retry.

    Safe to call twice or after a crash: the claim ignores finished attempts, live leases and
    early duplicates, and each step skips what AdLinkedIn says LinkedIn already holds.
    """

    attempt = _claim(attempt_id, holder)
    if attempt is None:
        return
    if attempt.kind == AttemptKind.LAUNCH:
        _launch_run(attempt)
        return
    ad = attempt.ad  # with its workspace, connection and AdLinkedIn (`_claim` read them)
    # `approved_revision_for`, from what the claim read: the ad's latest approval names the
    # revision it holds now, and that is the revision this attempt syncs.
    if not (
        ad.state == State.SYNCING
        and ad.current_revision_id == attempt.revision_id
        and getattr(attempt, "approved_revision_id", None) == attempt.revision_id
    ):
        _finish(attempt.pk, status=AttemptStatus.SKIPPED, error="The revision is no longer the approved one.")
        return
    ledger = _Ledger(attempt)
    try:
        link = ad.linkedin
    except AdLinkedIn.DoesNotExist:
        link, _ = AdLinkedIn.objects.get_or_create(ad=ad)
    try:
        if not link.campaign_urn:
            raise Rejected(422, "NO_CAMPAIGN", "Choose the LinkedIn campaign for this ad, then retry.")
        ctx = SyncContext(
            attempt=attempt,
            ad=ad,
            link=link,
            snapshot=attempt.revision.snapshot,
            workspace=ad.workspace,
            api=client_for(ad.workspace, observer=ledger, before_send=ledger.before_send),
            ledger=ledger,
        )
        for name, step in STEPS[ad.kind]:
            ledger.enter(name)
            step(ctx)
    except Transient as error:
        ledger.flush()
        _retry_or_give_up(attempt, error)
        return
    except (Rejected, NotConnected) as error:
        ledger.flush()
        message, code = _refusal(ad, error)
        _fail(attempt, message=message, code=code)
        return
    except Exception:
        ledger.flush()  # the calls made so far stay in the ledger; the task fails the attempt
        raise
    ledger.flush()
    _succeed(attempt, note="Synced to LinkedIn.", link=link)


def sync_or_retry(*, ad_id: int, user: User) -> SyncAttempt:
    """The panel's Retry button: a waiting job is retried now, a failed or waiting sync is queued."""
    if SyncAttempt.objects.filter(ad_id=ad_id, status__in=OPEN_STATUSES).exists():
        return job_retry_now(ad_id=ad_id, user=user)
    return sync_request(ad_id=ad_id, user=user)
