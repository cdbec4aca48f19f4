"""Launching a tested ad: queueing the launch and setting its creative ACTIVE on LinkedIn."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils import timezone

from inmail_studio.accounts.models import APPROVE_ROLES, User
from inmail_studio.ads.models import Ad, State
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
    TestSend,
    TestSendStatus,
)
from inmail_studio.linkedin.services import outbox  # the dispatch seam: tests and bench patch it there
from inmail_studio.linkedin.services.common import NotConnected, SyncRefused, _require_role
from inmail_studio.linkedin.services.connection import _account_path, client_for, sync_blocker
from inmail_studio.linkedin.services.outbox import (
    _fail,
    _finish,
    _Ledger,
    _refusal,
    _retry_or_give_up,
    _succeed,
)
from inmail_studio.review import workflow
from inmail_studio.review.selectors import approved_revision_for


def _launch_run(attempt: SyncAttempt) -> None:
    """Set the synced creative ACTIVE. Idempotent: a creative LinkedIn already shows ACTIVE (an earlier
    try whose answer was lost) is success without a second PATCH."""

    ad = Ad.objects.select_related("workspace").get(pk=attempt.ad_id)
    approved = approved_revision_for(ad)
    if approved is None or approved.pk != attempt.revision_id or ad.state != State.LAUNCHING:
        _finish(attempt.pk, status=AttemptStatus.SKIPPED, error="The ad is no longer waiting to launch.")
        return
    link = AdLinkedIn.objects.filter(ad=ad).first()
    ledger = _Ledger(attempt)
    ledger.enter("launch")
    try:
        if link is None or not link.creative_urn or link.synced_hash != attempt.revision_hash:
            raise Rejected(
                409, "NOT_SYNCED", "The approved revision isn't on LinkedIn; sync it, then launch."
            )
        api = client_for(ad.workspace, observer=ledger, before_send=ledger.before_send)
        creatives = _account_path(ad.workspace, "creatives")
        creative = api.get(creatives, link.creative_urn)
        if isinstance(creative, dict) and creative.get("intendedStatus") == "ACTIVE":
            ledger.note("The creative is already ACTIVE on LinkedIn (an earlier try's answer was lost).")
        else:
            api.partial_update(creatives, link.creative_urn, {"intendedStatus": "ACTIVE"})
    except Transient as error:
        ledger.flush()
        _retry_or_give_up(attempt, error)
        return
    except (Rejected, NotConnected) as error:
        ledger.flush()
        message, code = _refusal(ad, error)
        _fail(attempt, message=f"Not launched: {message}", code=code)
        return
    ledger.flush()
    _succeed(attempt, note="Launched on LinkedIn (creative ACTIVE).")


def launch(*, ad_id: int, approver: User, ip: str | None = None) -> Ad:
    """Queue the launch (approvers only, after a sent test): the ad is "launching", and locked, until
    the task has set the creative ACTIVE on LinkedIn; then it is live.

    Under the ad's row lock, so a double click or a second approver gets a clear refusal and
    LinkedIn one PATCH; an author's save waits for the lock and then finds the ad locked.
    """

    with transaction.atomic():
        ad = Ad.objects.select_for_update().get(pk=ad_id)
        _require_role(approver, ad.workspace_id, APPROVE_ROLES, "launch ads")
        if ad.state == State.LAUNCHING:
            raise SyncRefused("This ad is being launched; it is live as soon as LinkedIn confirms.")
        if ad.state == State.LIVE:
            raise SyncRefused("This ad is live already.")
        revision = approved_revision_for(ad)
        if ad.state != State.TESTED or revision is None:
            raise SyncRefused("Only a synced ad that has had a test message can be launched.")
        if not TestSend.objects.filter(ad=ad, revision=revision, status=TestSendStatus.SENT).exists():
            raise SyncRefused("Send a test message of this revision before launching.")
        link = AdLinkedIn.objects.filter(ad=ad).first()
        if link is None or link.synced_hash != revision.content_hash or not link.creative_urn:
            raise SyncRefused("The approved revision isn't on LinkedIn yet; sync it first.")
        blocker = sync_blocker(ad)
        if blocker:
            raise SyncRefused(blocker)
        if SyncAttempt.objects.filter(ad=ad, status__in=OPEN_STATUSES).exists():
            raise SyncRefused("LinkedIn is still busy with this ad; try again in a moment.")
        workflow.move(
            ad,
            State.LAUNCHING,
            actor=approver,
            revision=revision,
            ip=ip,
            note="Launch queued: setting the creative ACTIVE on LinkedIn.",
        )
        now = timezone.now()
        attempt = SyncAttempt.objects.create(
            ad=ad,
            kind=AttemptKind.LAUNCH,
            revision=revision,
            revision_hash=revision.content_hash,
            requested_by=approver,
            queued_at=now,
            lease_until=queued_deadline(now),
        )
        transaction.on_commit(partial(outbox._dispatch_sync, attempt.pk))
    return ad
