"""Races with real threads against PostgreSQL: exactly one outcome, one consistent history."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from inmail_studio.accounts.models import Role, User
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import Ad, State
from inmail_studio.review import services, workflow
from inmail_studio.review.models import AuditEvent, Decision, Review, ReviewStatus
from inmail_studio.review.selectors import approved_revision_for
from tests.conftest import join, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]
ROUNDS = 4


def race(*jobs: Callable[[], Any]) -> list[Any]:
    """Run the jobs at the same instant in their own threads (own connections); return result or exception."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[i] = job()
        except Exception as error:  # the loser's refusal is part of the outcome
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def assert_one_consistent_history(ad: Ad) -> None:
    ad.refresh_from_db()
    moves = [e for e in AuditEvent.objects.filter(ad=ad).order_by("created_at", "pk") if e.is_move]
    for before, after in itertools.pairwise(moves):
        assert after.from_state == before.to_state, (before, after)
    assert moves[-1].to_state == ad.state
    for review in Review.objects.filter(ad=ad):
        assert Decision.objects.filter(review=review).count() <= 1
    assert Review.objects.filter(ad=ad, status=ReviewStatus.OPEN).count() <= 1


@pytest.fixture
def second_approver(workspace: Any) -> User:
    return join(make_user("carol", first_name="Carol", last_name="Approver"), workspace, Role.APPROVER)


def _submitted(make_ad: Callable[..., Ad], author: User) -> tuple[Ad, str]:
    ad = make_ad()
    services.submit(ad_id=ad.pk, actor=author)
    ad.refresh_from_db()
    return ad, ad.current_revision.content_hash  # type: ignore[union-attr]


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_approvals_at_once_record_exactly_one_decision(
    round_: int, make_ad: Callable[..., Ad], author: User, approver: User, second_approver: User
) -> None:
    ad, seen = _submitted(make_ad, author)
    results = race(
        lambda: services.approve(ad_id=ad.pk, approver=approver, revision_hash=seen),
        lambda: services.request_changes(
            ad_id=ad.pk, approver=second_approver, revision_hash=seen, comment="Wait!"
        ),
    )
    winners = [r for r in results if isinstance(r, Ad)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert isinstance(losers[0], workflow.StaleState)
    assert "no longer in review" in str(losers[0])  # the other sees what happened
    assert Decision.objects.filter(ad=ad).count() == 1
    assert_one_consistent_history(ad)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_identical_approvals_at_once_approve_once(
    round_: int, make_ad: Callable[..., Ad], author: User, approver: User, second_approver: User
) -> None:
    ad, seen = _submitted(make_ad, author)
    results = race(
        lambda: services.approve(ad_id=ad.pk, approver=approver, revision_hash=seen),
        lambda: services.approve(ad_id=ad.pk, approver=second_approver, revision_hash=seen),
    )
    assert sum(isinstance(r, Ad) for r in results) == 1, results
    loser = next(r for r in results if isinstance(r, Exception))
    assert "approved" in str(loser)
    assert AuditEvent.objects.filter(ad=ad, to_state=State.APPROVED).count() == 1
    assert_one_consistent_history(ad)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_an_edit_racing_an_approval_never_gets_the_approval_applied_to_unseen_content(
    round_: int, make_ad: Callable[..., Ad], author: User, approver: User
) -> None:
    ad, seen = _submitted(make_ad, author)

    def withdraw_and_edit() -> Any:
        services.withdraw(ad_id=ad.pk, actor=author)
        return ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Edited meanwhile"})

    results = race(
        withdraw_and_edit,
        lambda: services.approve(ad_id=ad.pk, approver=approver, revision_hash=seen),
    )
    ad.refresh_from_db()
    if isinstance(results[1], Ad):  # the approval came first: the author could no longer withdraw
        assert isinstance(results[0], workflow.IllegalMove)
        assert ad.state == State.APPROVED and ad.subject != "Edited meanwhile"
        assert approved_revision_for(ad).content_hash == seen  # type: ignore[union-attr]
    else:  # the edit came first: the approval named content that no longer is in review
        assert isinstance(results[1], workflow.StaleState), results
        assert ad.state == State.DRAFT and ad.subject == "Edited meanwhile"
        assert approved_revision_for(ad) is None
        assert not Decision.objects.filter(ad=ad).exists()
    assert_one_consistent_history(ad)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_withdraw_racing_an_approval_ends_one_way(
    round_: int, make_ad: Callable[..., Ad], author: User, approver: User
) -> None:
    ad, seen = _submitted(make_ad, author)
    results = race(
        lambda: services.withdraw(ad_id=ad.pk, actor=author),
        lambda: services.approve(ad_id=ad.pk, approver=approver, revision_hash=seen),
    )
    ad.refresh_from_db()
    assert sum(isinstance(r, Ad) for r in results) == 1, results
    if isinstance(results[1], Ad):
        assert ad.state == State.APPROVED
        assert isinstance(results[0], workflow.IllegalMove)
        assert "approved" in str(results[0])
    else:
        assert ad.state == State.DRAFT
        assert isinstance(results[1], workflow.StaleState)
        assert "withdrew" in str(results[1])
        assert not Decision.objects.filter(ad=ad).exists()
    assert_one_consistent_history(ad)
