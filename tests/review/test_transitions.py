"""Every (state, action) pair for every persona: allowed moves succeed, the rest are refused with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from inmail_studio.accounts.models import User
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import Ad, State
from inmail_studio.review import services, workflow
from inmail_studio.review.models import AuditEvent

PERSONAS = ["author", "approver", "admin_user", "viewer", "outsider"]
ACTIONS = ["submit", "withdraw", "approve", "approve_with_comment", "request_changes", "edit"]
EDITORS = {"author", "admin_user"}
APPROVERS = {"approver", "admin_user"}
LOCKED = {State.IN_REVIEW, State.LIVE, State.SYNCING, State.LAUNCHING}


def expected(state: State, action: str, persona: str) -> State | None:
    """The state the action leads to, or None when it must be refused."""
    if persona == "outsider":
        return None
    if action == "submit" and persona in EDITORS and state in (State.DRAFT, State.CHANGES_REQUESTED):
        return State.IN_REVIEW
    if action == "withdraw" and persona in EDITORS and state == State.IN_REVIEW:
        return State.DRAFT
    if action in ("approve", "approve_with_comment") and persona in APPROVERS and state == State.IN_REVIEW:
        return State.APPROVED
    if action == "request_changes" and persona in APPROVERS and state == State.IN_REVIEW:
        return State.CHANGES_REQUESTED
    if action == "edit" and persona in EDITORS and state not in LOCKED:
        return State.DRAFT
    return None


def act(action: str, ad: Ad, user: User) -> Any:
    revision_hash = ad.current_revision.content_hash  # type: ignore[union-attr]
    if action == "submit":
        return services.submit(ad_id=ad.pk, actor=user)
    if action == "withdraw":
        return services.withdraw(ad_id=ad.pk, actor=user)
    if action == "approve":
        return services.approve(ad_id=ad.pk, approver=user, revision_hash=revision_hash)
    if action == "approve_with_comment":
        return services.approve(ad_id=ad.pk, approver=user, revision_hash=revision_hash, comment="Nice.")
    if action == "request_changes":
        return services.request_changes(
            ad_id=ad.pk, approver=user, revision_hash=revision_hash, comment="Shorter, please."
        )
    return ad_services.ad_update(
        ad_id=ad.pk, editor=user, fields={"subject": "%FIRSTNAME%, one seat left for you"}
    )


REFUSALS = (
    workflow.IllegalMove,
    workflow.StaleState,
    PermissionDenied,
    Http404,
    ad_services.AdLocked,
)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", list(State))
def test_each_action_from_each_state_is_allowed_or_refused_with_a_reason(
    state: State, action: str, persona: str, in_state: Callable[[State], Ad], request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    ad = in_state(state)
    events_before = AuditEvent.objects.filter(ad=ad).count()
    outcome = expected(state, action, persona)
    if outcome is None:
        with pytest.raises(REFUSALS) as refused:
            act(action, ad, user)
        assert str(refused.value), "a refusal says why"
        ad.refresh_from_db()
        assert ad.state == state
        assert AuditEvent.objects.filter(ad=ad).count() == events_before
    else:
        act(action, ad, user)
        ad.refresh_from_db()
        assert ad.state == outcome
        if outcome != state:  # (an edit of a draft stays a draft: its trail is the new revision)
            last = AuditEvent.objects.filter(ad=ad).first()
            assert last is not None
            assert (last.from_state, last.to_state, last.actor) == (state, outcome, user)


@pytest.mark.parametrize("target", list(State))
@pytest.mark.parametrize("state", list(State))
def test_move_applies_exactly_the_transitions_in_the_table(
    state: State, target: State, in_state: Callable[[State], Ad]
) -> None:
    ad = in_state(state)
    revision = ad.current_revision
    assert revision is not None
    if target in workflow.ALLOWED[state]:
        workflow.move(ad, target, actor=None, revision=revision)
        ad.refresh_from_db()
        assert ad.state == target
        event = AuditEvent.objects.filter(ad=ad).first()
        assert event is not None
        assert (event.from_state, event.to_state, event.revision_hash) == (
            state,
            target,
            revision.content_hash,
        )
        assert event.who == "InMail Studio"
    else:
        with pytest.raises(workflow.IllegalMove, match=r"can't become|live"):
            workflow.move(ad, target, actor=None, revision=revision)
        ad.refresh_from_db()
        assert ad.state == state


def test_the_table_holds_the_linkedin_states_the_sync_needs() -> None:
    allowed = workflow.ALLOWED
    assert State.SYNCING in allowed[State.APPROVED]
    assert allowed[State.SYNCING] == {State.SYNCED, State.SYNC_FAILED}
    assert State.SYNCING in allowed[State.SYNC_FAILED]
    assert State.TESTED in allowed[State.SYNCED]
    assert {State.TESTED, State.LAUNCHING} <= allowed[State.TESTED]
    # Launch is a task: the ad is locked while LinkedIn sets the creative ACTIVE, then live or back to tested.
    assert State.LIVE not in allowed[State.TESTED]
    assert allowed[State.LAUNCHING] == {State.LIVE, State.TESTED}
    assert allowed[State.LIVE] == frozenset()
    for state in (State.APPROVED, State.SYNCED, State.TESTED, State.SYNC_FAILED, State.CHANGES_REQUESTED):
        assert State.DRAFT in allowed[state]
