"""What a page offers is read from the workflow's table, never from state names in a template: for every
state, the editor's review panel offers submit, withdraw and duplicate exactly when the table allows."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from inmail_studio.accounts.models import Membership, User
from inmail_studio.ads.models import Ad, State
from inmail_studio.review import workflow
from inmail_studio.review.selectors import moves_for


def test_the_offers_are_derived_from_the_transition_table() -> None:
    for state in State:
        allowed = workflow.ALLOWED[state]
        assert (state in workflow.SUBMITTABLE) == (State.IN_REVIEW in allowed), state
        assert (state in workflow.AWAITING_DECISION) == (State.APPROVED in allowed), state
        assert (state in workflow.FINAL) == (not allowed), state
    assert {State.DRAFT, State.CHANGES_REQUESTED} == workflow.SUBMITTABLE
    assert {State.IN_REVIEW} == workflow.AWAITING_DECISION
    assert {State.LIVE} == workflow.FINAL
    assert {State.SYNCED, State.TESTED} == workflow.TEST_SENDABLE


@pytest.mark.django_db
@pytest.mark.parametrize("state", list(State))
def test_the_editor_panel_offers_each_move_exactly_when_the_table_allows_it(
    state: State, ad: Ad, author: User
) -> None:
    ad.state = state
    membership = Membership.objects.get(user=author, workspace_id=ad.workspace_id)
    html = render_to_string("review/_editor_panel.html", {"ad": ad, "membership": membership})
    moves = moves_for(ad)
    assert ("Submit for review" in html) == workflow.can_move(state, State.IN_REVIEW) == moves.can_submit
    assert (">Withdraw</button>" in html) == moves.can_withdraw
    assert ("Duplicate as new draft" in html) == (state in workflow.FINAL) == moves.can_duplicate
    assert moves.changes_requested == (state == State.CHANGES_REQUESTED)
