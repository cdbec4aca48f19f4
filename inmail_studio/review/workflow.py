"""The approval workflow's states and transitions: one table, one function that applies them.

Every change of `Ad.state` goes through `move`, which locks the ad's row, checks the
move against `ALLOWED`, writes the audit row and sets the state, all in one transaction.
Who may ask for a move (roles, authorship) is the services' business; `move` only knows
which moves exist.
"""

from __future__ import annotations

from django.db import transaction

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, Revision, State

from .models import Action, AuditEvent, Review, ReviewStatus, ShareLink

ALLOWED: dict[State, frozenset[State]] = {
    State.DRAFT: frozenset({State.IN_REVIEW}),
    # Approve, request changes, or withdraw (the author takes it back).
    State.IN_REVIEW: frozenset({State.APPROVED, State.CHANGES_REQUESTED, State.DRAFT}),
    # Resubmit as it is (after answering in the thread), or edit it (back to draft).
    State.CHANGES_REQUESTED: frozenset({State.IN_REVIEW, State.DRAFT}),
    # Sync the approved revision, or edit it (voids the approval).
    State.APPROVED: frozenset({State.SYNCING, State.DRAFT}),
    State.SYNCING: frozenset({State.SYNCED, State.SYNC_FAILED}),
    State.SYNC_FAILED: frozenset({State.SYNCING, State.DRAFT}),
    State.SYNCED: frozenset({State.TESTED, State.DRAFT}),
    # Launch is a task (the outbox): the ad is locked while the creative is set ACTIVE on LinkedIn.
    State.TESTED: frozenset({State.TESTED, State.LAUNCHING, State.DRAFT}),
    # LinkedIn took it (live), or refused it / kept failing (back to tested, with the reason and a retry).
    State.LAUNCHING: frozenset({State.LIVE, State.TESTED}),
    # Live is final: LinkedIn no longer accepts changes; duplicate it as a new draft instead.
    State.LIVE: frozenset(),
}

# An edit from one of these states voids what the review decided and starts a new draft.
EDIT_RETURNS_TO_DRAFT = frozenset(
    {State.APPROVED, State.SYNCED, State.TESTED, State.SYNC_FAILED, State.CHANGES_REQUESTED}
)
# States in which an approval applies (see selectors.approved_revision_for).
APPROVED_STATES = frozenset(
    {
        State.APPROVED,
        State.SYNCING,
        State.SYNC_FAILED,
        State.SYNCED,
        State.TESTED,
        State.LAUNCHING,
        State.LIVE,
    }
)
# States that claim a LinkedIn job is under way: an open SyncAttempt must be doing it (see
# `linkedin.services.repair_orphaned_states`), and where the ad goes if none is.
WORK_STATES: dict[State, State] = {State.SYNCING: State.SYNC_FAILED, State.LAUNCHING: State.TESTED}

# What a move means when its caller doesn't say: the audit trail reads "synced to LinkedIn", not "moved".
MOVE_ACTIONS: dict[tuple[State, State], str] = {
    (State.APPROVED, State.SYNCING): Action.SYNC_QUEUED,
    (State.SYNC_FAILED, State.SYNCING): Action.SYNC_QUEUED,
    (State.SYNCING, State.SYNCED): Action.SYNCED,
    (State.SYNCING, State.SYNC_FAILED): Action.SYNC_FAILED,
    (State.SYNCED, State.TESTED): Action.TEST_SENT,
    (State.TESTED, State.TESTED): Action.TEST_SENT,
    (State.TESTED, State.LAUNCHING): Action.LAUNCH_QUEUED,
    (State.LAUNCHING, State.LIVE): Action.LAUNCHED,
    (State.LAUNCHING, State.TESTED): Action.LAUNCH_FAILED,
}


def _reachable(start: State, *, short_of: State) -> frozenset[State]:
    """The states the table reaches from `start` without passing through `short_of`."""
    seen, todo = {start}, [start]
    while todo:
        for to in ALLOWED[todo.pop()] - seen - {short_of}:
            seen.add(to)
            todo.append(to)
    return frozenset(seen)


# States in which the approved revision is on LinkedIn: a sync succeeded and no edit has started a
# new draft since (everything the table reaches from SYNCED, short of DRAFT). Pages ask this, never
# a list of state names.
ON_LINKEDIN = _reachable(State.SYNCED, short_of=State.DRAFT)

# What a page may offer, read from the tables above (templates ask these, never a state's name):
# submit for review from any state the table lets become in review (draft, changes requested) ...
SUBMITTABLE = frozenset(s for s, to in ALLOWED.items() if State.IN_REVIEW in to)
# ... withdraw or decide while a decision is awaited (the states that can become approved) ...
AWAITING_DECISION = frozenset(s for s, to in ALLOWED.items() if State.APPROVED in to)
# ... duplicate as a new draft once nothing can change any more (live) ...
FINAL = frozenset(s for s, to in ALLOWED.items() if not to)
# ... and send a test from the states whose move is a test send (synced, tested).
TEST_SENDABLE = frozenset(frm for (frm, _), action in MOVE_ACTIONS.items() if action == Action.TEST_SENT)


class IllegalMove(Exception):
    """The move is not in ALLOWED from the ad's current state."""


class StaleState(Exception):
    """What the caller acted on has changed meanwhile (another decision, a new revision)."""


def can_move(current: str, to: str) -> bool:
    return State(to) in ALLOWED.get(State(current), frozenset())


def _refusal(current: State, to: State) -> str:
    if current == State.LIVE:
        return "This ad is live: LinkedIn accepts no changes to it. Duplicate it as a new draft instead."
    allowed = ", ".join(sorted(s.label.lower() for s in ALLOWED[current])) or "nothing"
    return (
        f"An ad that is {current.label.lower()} can't become {to.label.lower()} (it can become: {allowed})."
    )


def move(
    ad: Ad,
    to: State,
    *,
    actor: User | None,
    revision: Revision,
    note: str = "",
    ip: str | None = None,
    action: str = "",
    stakeholder_name: str = "",
    share_link: ShareLink | None = None,
    on_behalf_of: User | None = None,
) -> Ad:
    """Change the ad's state under a row lock, write the audit row, or raise IllegalMove.

    `actor` None means the system (a Celery task), doing what `on_behalf_of` asked for when
    given. `ad` is updated in place and returned.
    """
    to = State(to)
    with transaction.atomic():
        current = State(Ad.objects.select_for_update().values_list("state", flat=True).get(pk=ad.pk))
        if to not in ALLOWED[current]:
            raise IllegalMove(_refusal(current, to))
        AuditEvent.objects.create(
            workspace_id=ad.workspace_id,
            ad_id=ad.pk,
            actor=actor,
            stakeholder_name=stakeholder_name if actor is None else "",
            on_behalf_of=on_behalf_of if actor is None else None,
            share_link=share_link,
            action=action or MOVE_ACTIONS.get((current, to), Action.MOVED),
            from_state=current,
            to_state=to,
            revision=revision,
            revision_hash=revision.content_hash,
            comment=note,
            ip=ip,
        )
        Ad.objects.filter(pk=ad.pk).update(state=to)
        ad.state = to
    return ad


def move_from(
    ad: Ad,
    current: State,
    to: State,
    *,
    revision: Revision,
    note: str = "",
    on_behalf_of: User | None = None,
) -> bool:
    """`move` for a system job (actor None) that knows the state the ad should be in: one conditional
    UPDATE locks the row, checks the state and moves it, then the audit row; nothing if the ad has
    left `current` meanwhile. Returns whether it moved. No savepoint: inside the caller's transaction
    a failure here rolls the whole of it back, which is what the caller wants."""
    current, to = State(current), State(to)
    if to not in ALLOWED[current]:
        raise IllegalMove(_refusal(current, to))
    with transaction.atomic(savepoint=False):
        if not Ad.objects.filter(pk=ad.pk, state=current).update(state=to):
            return False
        AuditEvent.objects.create(
            workspace_id=ad.workspace_id,
            ad_id=ad.pk,
            actor=None,
            on_behalf_of=on_behalf_of,
            action=MOVE_ACTIONS.get((current, to), Action.MOVED),
            from_state=current,
            to_state=to,
            revision=revision,
            revision_hash=revision.content_hash,
            comment=note,
        )
    ad.state = to
    return True


def content_changed(ad: Ad, *, actor: User, revision: Revision) -> None:
    """Called (through `ads.signals.content_changed`, see `receivers`) after an edit wrote a new revision.

    An edit after approval (or after changes were requested) sends the ad back to draft;
    the old approval stays in the history but no longer applies.
    """
    state = State(ad.state)
    if state not in EDIT_RETURNS_TO_DRAFT:
        return
    action = Action.EDITED if state == State.CHANGES_REQUESTED else Action.APPROVAL_VOIDED
    move(ad, State.DRAFT, actor=actor, revision=revision, action=action)
    # A review left open can't survive an edit (in-review ads are locked; this is belt and braces).
    Review.objects.filter(ad_id=ad.pk, status=ReviewStatus.OPEN).update(status=ReviewStatus.WITHDRAWN)


def record(
    ad: Ad,
    *,
    action: str,
    actor: User | None,
    revision: Revision | None,
    comment: str = "",
    ip: str | None = None,
    stakeholder_name: str = "",
    share_link: ShareLink | None = None,
) -> AuditEvent:
    """An audit row for something that doesn't change the state (a comment, a share link)."""
    return AuditEvent.objects.create(
        workspace_id=ad.workspace_id,
        ad_id=ad.pk,
        actor=actor,
        stakeholder_name=stakeholder_name if actor is None else "",
        share_link=share_link,
        action=action,
        from_state=ad.state,
        to_state=ad.state,
        revision=revision,
        revision_hash=revision.content_hash if revision else "",
        comment=comment,
        ip=ip,
    )
