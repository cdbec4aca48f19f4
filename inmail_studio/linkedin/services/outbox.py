"""The job machinery syncs, launches and test sends share: dispatch after commit, the lease claim,
the heartbeat, the call ledger and how a job finishes, fails or waits for its retry.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from inmail_studio.accounts.models import APPROVE_ROLES, EDIT_ROLES, User
from inmail_studio.ads.models import Ad, State
from inmail_studio.dispatch import dispatch
from inmail_studio.linkedin.client import (
    Call,
    Rejected,
    Transient,
    Unauthorized,
)
from inmail_studio.linkedin.models import (
    OPEN_STATUSES,
    AdLinkedIn,
    AttemptKind,
    AttemptStatus,
    SyncAttempt,
    SyncCall,
    TestSend,
)
from inmail_studio.linkedin.services.common import NotConnected, SyncRefused, _require_role
from inmail_studio.linkedin.services.connection import _note_unauthorized
from inmail_studio.review import workflow

log = logging.getLogger(__name__)


def _due_now(model: type[SyncAttempt] | type[TestSend], pk: int) -> Callable[[], None]:
    """After a failed send to the broker: the row is due at once, so beat sends it when the broker is back."""

    def mark() -> None:
        model.objects.filter(pk=pk).update(lease_until=timezone.now())

    return mark


# The task that runs each kind of job. The tasks call these services, so the services don't import
# them: `linkedin.tasks` registers them when it is imported, which `LinkedInConfig.ready()` does.
_TASKS: dict[str, Task] = {}


def tasks_register(*, sync: Task, test_send: Task) -> None:
    _TASKS.update(sync=sync, test_send=test_send)


def _dispatch_sync(attempt_id: int) -> bool:
    """Send the attempt's task (a sync or a launch); never raises for a broker that is down."""
    return dispatch(_TASKS["sync"], attempt_id, on_failure=_due_now(SyncAttempt, attempt_id))


def _dispatch_test_send(test_send_id: int) -> bool:
    return dispatch(_TASKS["test_send"], test_send_id, on_failure=_due_now(TestSend, test_send_id))


def _queued_deadline(now: datetime) -> datetime:
    """When a queued job whose message hasn't been taken counts as lost (its message is sent again)."""
    return now + timedelta(seconds=settings.OUTBOX_QUEUED_GRACE_SECONDS)


def retry_countdown(tries: int) -> float:
    """Seconds before the next try: exponential (2, 4, 8 … s) up to the maximum, with full jitter."""
    ceiling = min(float(settings.LINKEDIN_SYNC_RETRY_BACKOFF_MAX), 2.0**tries)
    return random.uniform(min(1.0, ceiling), ceiling)  # noqa: S311 - jitter, not a secret


class RetryLater(Exception):
    """The job met a transient error and stored when it retries; the task sends itself again then."""

    def __init__(self, error: Transient, countdown: float) -> None:
        super().__init__(str(error))
        self.error, self.countdown = error, countdown


def _claim(attempt_id: int, holder: str) -> SyncAttempt | None:
    """Take the attempt for this worker under a lease, or None if it is done, someone else holds it,
    or it is a duplicate that came before its retry is due.

    One conditional UPDATE is the claim (the row lock it takes is the whole decision), then one read
    brings what the run needs: the ad, its workspace and connection, its AdLinkedIn, the revision,
    who asked, and the revision its latest approval names (`approved_revision_id`).
    """
    from inmail_studio.review.selectors import approved_revision_id_of

    now = timezone.now()
    claimed = (
        SyncAttempt.objects.filter(pk=attempt_id, status__in=OPEN_STATUSES)
        # a duplicate delivery while another worker holds it
        .exclude(status=AttemptStatus.INFLIGHT, lease_until__gt=now)
        # early (a duplicate): the retry's own message, or beat, runs it when it is due
        .exclude(status=AttemptStatus.AWAITING_RETRY, retry_at__gt=now + timedelta(seconds=1))
        .update(
            status=AttemptStatus.INFLIGHT,
            tries=F("tries") + 1,
            holder=holder[:200],
            lease_until=now + timedelta(seconds=settings.LINKEDIN_SYNC_LEASE_SECONDS),
            started_at=Coalesce(F("started_at"), Value(now)),
        )
    )
    if not claimed:
        return None
    return (
        SyncAttempt.objects.select_related(
            "ad__workspace__linkedin_connection", "ad__linkedin", "revision", "requested_by"
        )
        .annotate(approved_revision_id=approved_revision_id_of())
        .get(pk=attempt_id)
    )


class _Heartbeat:
    """Extends the lease of a job while its worker is alive, at most every third of the lease.

    Called before each step and after each HTTP exchange, so a live worker's lease never runs
    out (one exchange is at most the connect plus read timeouts, well inside a lease) while a
    dead worker's does within one lease.
    """

    def __init__(self, model: type[SyncAttempt] | type[TestSend], pk: int, holder: str, status: str) -> None:
        self.model, self.pk, self.holder, self.status = model, pk, holder[:200], status
        self.last = time.monotonic()

    def __call__(self) -> None:
        lease = settings.LINKEDIN_SYNC_LEASE_SECONDS
        if time.monotonic() - self.last < lease / 3:
            return
        self.last = time.monotonic()
        self.model.objects.filter(pk=self.pk, holder=self.holder, status=self.status).update(
            lease_until=timezone.now() + timedelta(seconds=lease)
        )


class _Ledger:
    """Records every HTTP exchange of an attempt as a SyncCall under the current step.

    Rows are kept in memory and written together (`flush`, at the end of the run or every
    FLUSH_EVERY rows), with the attempt's step and last request id in one update: a row and
    an update per call were most of a sync's own database work.
    """

    FLUSH_EVERY = 20

    def __init__(self, attempt: SyncAttempt) -> None:
        self.attempt = attempt
        self.step = ""
        self.request_id = ""
        self._rows: list[SyncCall] = []
        self._written_step = attempt.step
        self.heartbeat = _Heartbeat(SyncAttempt, attempt.pk, attempt.holder, AttemptStatus.INFLIGHT)

    def enter(self, step: str) -> None:
        self.step = step
        self.heartbeat()

    def __call__(self, call: Call) -> None:
        self.heartbeat()
        if call.request_id:
            self.request_id = call.request_id
        self._add(
            SyncCall(
                attempt=self.attempt,
                step=self.step,
                method=call.method,
                resource=call.resource[:300],
                http_status=call.status,
                request_id=call.request_id,
                duration_ms=call.duration_ms,
                error=call.error,
                at=timezone.now(),
            )
        )

    def note(self, text: str) -> None:
        self._add(SyncCall(attempt=self.attempt, step=self.step, note=text, at=timezone.now()))

    def _add(self, row: SyncCall) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            SyncCall.objects.bulk_create(self._rows)
            self._rows = []
        changed: dict[str, str] = {}
        if self.step and self.step != self._written_step:
            changed["step"] = self._written_step = self.step
        if self.request_id and self.request_id != self.attempt.request_id:
            changed["request_id"] = self.attempt.request_id = self.request_id
        if changed:
            SyncAttempt.objects.filter(pk=self.attempt.pk).update(**changed)


def _finish(attempt_id: int, *, status: str, error: str = "", code: str = "") -> None:
    SyncAttempt.objects.filter(pk=attempt_id).update(
        status=status,
        error=error,
        error_code=code,
        finished_at=timezone.now(),
        lease_until=None,
        retry_at=None,
    )


# Each kind of job: the state the ad is in while it runs, where it goes on success, and on failure.
JOB_STATES: dict[str, tuple[State, State, State]] = {
    AttemptKind.SYNC: (State.SYNCING, State.SYNCED, State.SYNC_FAILED),
    AttemptKind.LAUNCH: (State.LAUNCHING, State.LIVE, State.TESTED),
}


def _fail(attempt: SyncAttempt, *, message: str, code: str) -> None:
    """The attempt fails and the ad leaves its working state in one transaction, so a crash between
    the two writes can't leave the ad "syncing" (or "launching") with nothing doing it."""

    working, _, failed = JOB_STATES[attempt.kind]
    with transaction.atomic():
        _finish(attempt.pk, status=AttemptStatus.FAILED, error=message, code=code)
        ad = Ad.objects.select_for_update().get(pk=attempt.ad_id)
        if ad.state == working:
            workflow.move(
                ad,
                failed,
                actor=None,
                revision=attempt.revision,
                note=message,
                on_behalf_of=attempt.requested_by,
            )


def _succeed(attempt: SyncAttempt, *, note: str, link: AdLinkedIn | None = None) -> None:

    working, done, _ = JOB_STATES[attempt.kind]
    with transaction.atomic():
        ad = Ad.objects.select_for_update().get(pk=attempt.ad_id)
        if link is not None:
            AdLinkedIn.objects.filter(pk=link.pk).update(
                synced_hash=attempt.revision_hash, synced_at=timezone.now()
            )
        _finish(attempt.pk, status=AttemptStatus.DONE)
        if ad.state == working:
            workflow.move(
                ad, done, actor=None, revision=attempt.revision, note=note, on_behalf_of=attempt.requested_by
            )


def _retry_or_give_up(attempt: SyncAttempt, error: Transient) -> None:
    """Store when the attempt tries again (its own deadline) and raise RetryLater for the task, or,
    after the last try, fail it so the panel shows why and a Retry button."""
    if attempt.tries > settings.LINKEDIN_SYNC_MAX_RETRIES:
        _fail(
            attempt,
            message=f"LinkedIn kept failing after {attempt.tries} tries: {error.explain()}",
            code="GAVE_UP",
        )
        return
    countdown = retry_countdown(attempt.tries)
    retry_at = timezone.now() + timedelta(seconds=countdown)
    SyncAttempt.objects.filter(pk=attempt.pk, status=AttemptStatus.INFLIGHT).update(
        status=AttemptStatus.AWAITING_RETRY,
        error=error.explain(),
        retry_at=retry_at,
        # Should the retry's message be lost (its worker killed), beat sends it again after this.
        lease_until=retry_at + timedelta(seconds=settings.OUTBOX_QUEUED_GRACE_SECONDS),
        holder="",
    )
    raise RetryLater(error, countdown)


def _refusal(ad: Ad, error: Rejected | NotConnected) -> tuple[str, str]:
    if isinstance(error, Unauthorized):
        _note_unauthorized(ad.workspace_id, error)
    if isinstance(error, Rejected):
        return error.explain(), error.code
    return str(error), "NOT_CONNECTED"


def sync_give_up(*, attempt_id: int, error: str) -> None:
    """The task died on something unexpected: the attempt fails with a Retry button, never stays open."""
    attempt = SyncAttempt.objects.select_related("revision").filter(pk=attempt_id).first()
    if attempt is None or attempt.status not in OPEN_STATUSES:
        return
    log.error("%s of ad %s stopped on an unexpected error: %s", attempt.kind, attempt.ad_id, error)
    _fail(
        attempt,
        message=f"The {attempt.get_kind_display().lower()} stopped on an unexpected error; retry it.",
        code="UNEXPECTED",
    )


def job_retry_now(*, ad_id: int, user: User) -> SyncAttempt:
    """ "Retry now" on a sync or launch that waits (for its retry, or for a broker that was down)."""
    ad = Ad.objects.get(pk=ad_id)
    _require_role(user, ad.workspace_id, EDIT_ROLES | APPROVE_ROLES, "sync ads")
    now = timezone.now()
    with transaction.atomic():
        attempt = SyncAttempt.objects.select_for_update().filter(ad=ad, status__in=OPEN_STATUSES).first()
        if attempt is None:
            raise SyncRefused("Nothing is waiting for LinkedIn on this ad.")
        if attempt.kind == AttemptKind.LAUNCH:
            _require_role(user, ad.workspace_id, APPROVE_ROLES, "launch ads")
        if attempt.status == AttemptStatus.INFLIGHT and attempt.lease_until and attempt.lease_until > now:
            raise SyncRefused("LinkedIn is being called for this ad right now.")
        SyncAttempt.objects.filter(pk=attempt.pk).update(
            status=AttemptStatus.QUEUED if attempt.status == AttemptStatus.INFLIGHT else attempt.status,
            retry_at=now if attempt.retry_at else None,
            lease_until=_queued_deadline(now),
        )
        transaction.on_commit(partial(_dispatch_sync, attempt.pk))
    return attempt
