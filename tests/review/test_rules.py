"""The workflow's rules: what is pinned, who may decide, what an edit voids, what a live ad allows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from inmail_studio.accounts.models import Role, User
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import Ad, Revision, Sender, SenderPermission, State
from inmail_studio.review import services, workflow
from inmail_studio.review.models import Comment, Decision, Review, ReviewStatus
from inmail_studio.review.selectors import approved_revision_for
from tests.conftest import join, make_user


def _hash(ad: Ad) -> str:
    ad.refresh_from_db()
    return ad.current_revision.content_hash  # type: ignore[union-attr]


def test_submission_pins_the_current_revision(ad: Ad, author: User) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    review = Review.objects.get(ad=ad)
    assert review.status == ReviewStatus.OPEN
    assert review.revision_id == ad.current_revision_id


def test_a_draft_without_an_approved_sender_or_landing_page_cannot_be_submitted(
    make_ad: Callable[..., Ad], author: User, sender: Sender
) -> None:
    sender.permission = SenderPermission.PENDING
    sender.save()
    ad = make_ad(landing_page_url="", sender=sender)
    with pytest.raises(services.NotReady) as refused:
        services.submit(ad_id=ad.pk, actor=author)
    text = " ".join(refused.value.messages)
    assert "hasn't approved sending" in text
    assert "landing page" in text
    ad.refresh_from_db()
    assert ad.state == State.DRAFT


def test_a_draft_without_a_sender_cannot_be_submitted(make_ad: Callable[..., Ad], author: User) -> None:
    ad = make_ad(sender=None)
    with pytest.raises(services.NotReady, match="Choose a sender"):
        services.submit(ad_id=ad.pk, actor=author)


def test_author_cannot_approve_own_revision_even_as_admin(ad: Ad, workspace: object) -> None:
    boss = join(make_user("boss"), ad.workspace, Role.ADMIN)
    ad_services.ad_update(ad_id=ad.pk, editor=boss, fields={"subject": "Boss wrote this"})
    services.submit(ad_id=ad.pk, actor=boss)
    with pytest.raises(PermissionDenied, match="someone else"):
        services.approve(ad_id=ad.pk, approver=boss, revision_hash=_hash(ad))
    ad.refresh_from_db()
    assert ad.state == State.IN_REVIEW


def test_the_database_refuses_a_decision_by_the_revisions_author(ad: Ad, author: User) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    review = Review.objects.get(ad=ad)
    with pytest.raises(IntegrityError, match="approver_is_not_revision_author"), transaction.atomic():
        Decision.objects.create(
            review=review,
            ad=ad,
            revision=review.revision,
            revision_author=author,
            approver=author,
            verdict="approved",
        )


def test_the_database_refuses_it_even_when_the_code_names_someone_else_as_the_author(
    ad: Ad, author: User, approver: User
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    review = Review.objects.get(ad=ad)
    # The revision author column is filled from the revision by a trigger: a lie can't pass the check.
    with pytest.raises(IntegrityError, match="approver_is_not_revision_author"), transaction.atomic():
        Decision.objects.create(
            review=review,
            ad=ad,
            revision=review.revision,
            revision_author=approver,
            approver=author,
            verdict="approved",
        )


def test_the_database_refuses_a_decision_on_a_revision_the_review_did_not_pin(
    ad: Ad, author: User, approver: User
) -> None:
    first = ad.current_revision
    services.submit(ad_id=ad.pk, actor=author)
    review = Review.objects.get(ad=ad)
    other = Revision.objects.create(ad=ad, number=99, snapshot={"other": True}, author=author)
    assert first is not None and other.pk != review.revision_id
    with pytest.raises(IntegrityError, match="pinned"), transaction.atomic():
        Decision.objects.create(
            review=review,
            ad=ad,
            revision=other,
            revision_author=author,
            approver=approver,
            verdict="approved",
        )


def test_the_database_allows_one_decision_per_review(
    ad: Ad, author: User, approver: User, admin_user: User
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    services.approve(ad_id=ad.pk, approver=approver, revision_hash=_hash(ad))
    review = Review.objects.get(ad=ad)
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            review=review,
            ad=ad,
            revision=review.revision,
            revision_author=author,
            approver=admin_user,
            verdict="approved",
        )


def test_an_approval_naming_another_revision_is_refused(ad: Ad, author: User, approver: User) -> None:
    old_hash = _hash(ad)
    ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Changed before submitting"})
    services.submit(ad_id=ad.pk, actor=author)
    with pytest.raises(workflow.StaleState, match="changed after you opened it"):
        services.approve(ad_id=ad.pk, approver=approver, revision_hash=old_hash)
    ad.refresh_from_db()
    assert ad.state == State.IN_REVIEW
    assert not Decision.objects.exists()


def test_requesting_changes_needs_a_comment(ad: Ad, author: User, approver: User) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    with pytest.raises(ValidationError, match="comment is required"):
        services.request_changes(ad_id=ad.pk, approver=approver, revision_hash=_hash(ad), comment="  ")
    services.request_changes(
        ad_id=ad.pk, approver=approver, revision_hash=_hash(ad), field_comments={"subject": "Too long."}
    )
    comment = Comment.objects.get(ad=ad)
    assert (comment.field, comment.body) == ("subject", "Too long.")


def test_an_edit_after_approval_voids_it_and_returns_the_ad_to_draft(
    ad: Ad, author: User, approver: User
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    services.approve(ad_id=ad.pk, approver=approver, revision_hash=_hash(ad))
    ad.refresh_from_db()
    approved = ad.current_revision
    assert approved_revision_for(ad) == approved
    ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "A late change"})
    ad.refresh_from_db()
    assert ad.state == State.DRAFT
    assert approved_revision_for(ad) is None
    assert Decision.objects.filter(revision=approved, verdict="approved").exists()  # still in the history


def test_an_edit_after_sync_also_voids_the_approval(in_state: Callable[[State], Ad], author: User) -> None:
    ad = in_state(State.TESTED)
    assert approved_revision_for(ad) is not None
    ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Changed after the test send"})
    ad.refresh_from_db()
    assert ad.state == State.DRAFT
    assert approved_revision_for(ad) is None


def test_the_approved_revision_is_the_one_that_applies_while_syncing(in_state: Callable[[State], Ad]) -> None:
    ad = in_state(State.SYNCING)
    assert approved_revision_for(ad) == ad.current_revision


def test_a_live_ad_cannot_be_edited_but_can_be_duplicated_as_a_new_draft(
    in_state: Callable[[State], Ad], author: User
) -> None:
    ad = in_state(State.LIVE)
    with pytest.raises(ad_services.AdLocked, match="duplicate"):
        ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Nope"})
    copy = services.duplicate(ad_id=ad.pk, actor=author)
    assert copy.pk != ad.pk
    assert copy.state == State.DRAFT
    assert copy.subject == ad.subject and copy.body == ad.body and copy.sender_id == ad.sender_id
    assert copy.current_revision is not None and copy.current_revision.number == 1
    ad.refresh_from_db()
    assert ad.state == State.LIVE


def test_resubmitting_after_changes_opens_a_new_review_on_the_new_revision(
    ad: Ad, author: User, approver: User
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    services.request_changes(ad_id=ad.pk, approver=approver, revision_hash=_hash(ad), comment="Fix it.")
    ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Fixed"})
    services.submit(ad_id=ad.pk, actor=author)
    reviews = list(Review.objects.filter(ad=ad).order_by("pk"))
    assert [r.status for r in reviews] == [ReviewStatus.CHANGES_REQUESTED, ReviewStatus.OPEN]
    assert reviews[1].revision.number == 2
