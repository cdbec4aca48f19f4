"""The job machinery syncs, launches and test sends share: dispatch after commit, the lease claim,
the heartbeat, the call ledger and how a job finishes, fails or waits for its retry.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from celery import Task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Field, Model, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from inmail_studio.accounts.models import APPROVE_ROLES, EDIT_ROLES, User
from inmail_studio.ads.models import Ad, State
from inmail_studio.dispatch import dispatch, queued_deadline
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


def retry_countdown(tries: int) -> float:
    """Seconds before the next try: exponential (2, 4, 8 … s) up to the maximum, with full jitter."""
    ceiling = min(float(settings.LINKEDIN_SYNC_RETRY_BACKOFF_MAX), 2.0**tries)
    return random.uniform(min(1.0, ceiling), ceiling)  # noqa: S311 - jitter, not a secret


class RetryLater(Exception):
    """The job met a transient error and stored when it retries; the task sends itself again then."""

    def __init__(self, error: Transient, countdown: float) -> None:
        super().__init__(str(error))
        self.error, self.countdown = error, countdown


@functools.cache
def _approved_revision_id() -> Subquery:
    """`approved_revision_id_of()`, built once per process: a query copies an expression before it
    resolves it, so one instance serves every claim (building its inner query anew was a tenth of the
    claim's CPU)."""
    from inmail_studio.review.selectors import approved_revision_id_of

    return approved_revision_id_of()


def _claim(attempt_id: int, holder: str) -> SyncAttempt | None:
    """Take the attempt for this worker under a lease, or None if it is done, someone else holds it,
    or it is a duplicate that came before its retry is due.

    One conditional UPDATE is the claim (the row lock it takes is the whole decision), then one read
    brings what the run needs: the ad, its workspace and connection, its AdLinkedIn, the revision,
    who asked, and the revision its latest approval names (`approved_revision_id`).
    """
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
        .annotate(approved_revision_id=_approved_revision_id())
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


def _update_statement(instance: Model, names: Sequence[str]) -> tuple[str, list[Any]]:
    """UPDATE of `names` of `instance`, by primary key (identifiers from the model's metadata, every
    value a parameter, prepared as the field prepares it for a save)."""
    quote = connection.ops.quote_name
    meta = instance._meta
    columns, params = [], []
    for name in names:
        field = meta.get_field(name)
        assert isinstance(field, Field)
        columns.append(f"{quote(str(field.column))} = %s")
        params.append(field.get_db_prep_save(getattr(instance, field.attname), connection))
    table, pk = quote(meta.db_table), quote(str(meta.pk.column))
    return f"UPDATE {table} SET {', '.join(columns)} WHERE {pk} = %s", [*params, instance.pk]  # noqa: S608


def _insert_statement(rows: Sequence[SyncCall]) -> tuple[str, list[Any]]:
    """INSERT of ledger rows, as `bulk_create` would write them (without reading their ids back)."""
    quote = connection.ops.quote_name
    fields = [f for f in SyncCall._meta.concrete_fields if not f.primary_key]
    values, params = [], []
    for row in rows:
        values.append(f"({', '.join(['%s'] * len(fields))})")
        params += [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
    columns = ", ".join(quote(str(f.column)) for f in fields)
    return f"INSERT INTO {quote(SyncCall._meta.db_table)} ({columns}) VALUES {', '.join(values)}", params  # noqa: S608


def _write_together(updates: Sequence[tuple[Model, Sequence[str]]], rows: Sequence[SyncCall] = ()) -> None:
    """Save each `(instance, fields)` of `updates` and insert `rows`, in one statement: on PostgreSQL
    the writes are data-modifying WITH clauses of one statement (all or nothing, one round trip);
    elsewhere one transaction. No two updates may name the same row."""
    statements = [_update_statement(instance, names) for instance, names in updates]
    if rows:
        statements.append(_insert_statement(rows))
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            *first, (last, params) = statements
            clauses = ", ".join(f"w{number} AS ({sql})" for number, (sql, _) in enumerate(first))
            cursor.execute(
                f"WITH {clauses} {last}" if first else last,
                [p for _, each in first for p in each] + params,
            )
        else:
            with transaction.atomic():
                for sql, params in statements:
                    cursor.execute(sql, params)


class _Ledger:
    """Records every HTTP exchange of an attempt as a SyncCall under the current step.

    Every row is written before anything else happens: before the next request leaves (the client's
    `before_send`), with the next write of the run (`save`: the row goes in the same statement as,
    say, the URN LinkedIn answered with), or when the run stops (`flush`). So a worker killed at any
    point leaves every call it made in the ledger (DESIGN.md invariant 6), at no extra round trip
    for the calls whose answer is saved. The attempt's step and last request id ride along.
    """

    def __init__(self, attempt: SyncAttempt) -> None:
        self.attempt = attempt
        self.step = ""
        self.request_id = ""
        self._rows: list[SyncCall] = []
        self.heartbeat = _Heartbeat(SyncAttempt, attempt.pk, attempt.holder, AttemptStatus.INFLIGHT)

    def enter(self, step: str) -> None:
        self.step = step
        self.heartbeat()

    def __call__(self, call: Call) -> None:
        self.heartbeat()
        if call.request_id:
            self.request_id = call.request_id
        self._rows.append(
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
        self._rows.append(SyncCall(attempt=self.attempt, step=self.step, note=text, at=timezone.now()))

    def save(self, instance: Model, fields: Sequence[str]) -> None:
        """Save `fields` of `instance` with the rows not yet written, in one statement."""
        self._write([(instance, fields)])

    def before_send(self) -> None:
        """A request is about to leave: the rows of the earlier ones are written first."""
        if self._rows:
            self._write([])

    def flush(self) -> None:
        self._write([])

    def _write(self, updates: list[tuple[Model, Sequence[str]]]) -> None:
        changed = []
        if self.step and self.step != self.attempt.step:
            self.attempt.step = self.step
            changed.append("step")
        if self.request_id and self.request_id != self.attempt.request_id:
            self.attempt.request_id = self.request_id
            changed.append("request_id")
        if changed:
            updates = [(self.attempt, changed), *updates]
        rows, self._rows = self._rows, []
        _write_together(updates, rows)


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
    """The ad moves on (if it is still in its working state), the attempt is done and the link records
    what LinkedIn now holds, in one transaction: the ad's row is locked first (as `_queue` and `_fail`
    do), then the attempt and the link are written in one statement."""
    working, done, _ = JOB_STATES[attempt.kind]
    now = timezone.now()
    attempt.status, attempt.error, attempt.error_code = AttemptStatus.DONE, "", ""
    attempt.finished_at, attempt.lease_until, attempt.retry_at = now, None, None
    updates: list[tuple[Model, Sequence[str]]] = [
        (attempt, ["status", "error", "error_code", "finished_at", "lease_until", "retry_at"])
    ]
    if link is not None:
        link.synced_hash, link.synced_at = attempt.revision_hash, now
        updates.append((link, ["synced_hash", "synced_at"]))
    with transaction.atomic():
        workflow.move_from(
            attempt.ad,
            working,
            done,
            revision=attempt.revision,
            note=note,
            on_behalf_of=attempt.requested_by,
        )
        _write_together(updates)


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
        lease_until=queued_deadline(retry_at),
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
            lease_until=queued_deadline(now),
        )
        transaction.on_commit(partial(_dispatch_sync, attempt.pk))
    return attempt
