"""The queue, my drafts, the review page, the editor's review panel and field comments, the timeline."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from inmail_studio.accounts.models import User
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import Ad, State
from inmail_studio.review import services
from tests.conftest import client_for


def _hash(ad: Ad) -> str:
    ad.refresh_from_db()
    return ad.current_revision.content_hash  # type: ignore[union-attr]


def test_the_queue_lists_what_waits_for_the_approver_oldest_first(
    make_ad: Callable[..., Ad], author: User, approver: User
) -> None:
    first, second = make_ad(name="Older ad"), make_ad(name="Newer ad")
    services.submit(ad_id=first.pk, actor=author)
    services.submit(ad_id=second.pk, actor=author)
    html = client_for(approver).get("/review/").content.decode()
    assert html.index("Older ad") < html.index("Newer ad")
    assert "Alice Author" in html and "Dana Whitfield" in html
    assert 'aria-label="2 waiting"' in html  # the count in the navigation


def test_the_queue_leaves_out_the_approvers_own_revisions(ad: Ad, admin_user: User, approver: User) -> None:
    ad_services.ad_update(ad_id=ad.pk, editor=admin_user, fields={"subject": "Ada's version"})
    services.submit(ad_id=ad.pk, actor=admin_user)
    assert ad.name not in client_for(admin_user).get("/review/").content.decode()
    assert ad.name in client_for(approver).get("/review/").content.decode()


def test_my_drafts_shows_each_draft_with_its_state_and_counts_those_needing_me(
    make_ad: Callable[..., Ad], author: User, approver: User
) -> None:
    waiting, sent_back = make_ad(name="Waiting one"), make_ad(name="Sent back")
    services.submit(ad_id=waiting.pk, actor=author)
    services.submit(ad_id=sent_back.pk, actor=author)
    services.request_changes(
        ad_id=sent_back.pk, approver=approver, revision_hash=_hash(sent_back), comment="No."
    )
    html = client_for(author).get("/review/mine/").content.decode()
    assert html.index("Sent back") < html.index("Waiting one")
    assert "Changes requested" in html and "In review" in html
    assert 'aria-label="1 need you"' in html


def test_the_review_page_says_first_submission_when_nothing_was_approved_before(
    ad: Ad, author: User, approver: User
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    response = client_for(approver).get(f"/review/ads/{ad.pk}/")
    html = response.content.decode()
    assert "First submission" in html
    assert "Approve r1" in html
    assert 'srcdoc="' in html  # the preview, from the one renderer


def test_the_review_page_diffs_against_the_last_approved_revision(
    ad: Ad, author: User, approver: User
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    services.approve(ad_id=ad.pk, approver=approver, revision_hash=_hash(ad))
    ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Brand new subject line"})
    ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"cta_text": "Join now"})
    services.submit(ad_id=ad.pk, actor=author)
    response = client_for(approver).get(f"/review/ads/{ad.pk}/")
    html = response.content.decode()
    assert "Changes since r1, the last approved revision" in html
    assert "2 fields changed" in html
    assert "<ins>Brand new subject line</ins>" in html or "<ins>Brand" in html


def test_the_author_sees_no_decision_buttons_on_their_own_revision(ad: Ad, author: User) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    html = client_for(author).get(f"/review/ads/{ad.pk}/").content.decode()
    assert "Approve r1" not in html
    assert "another approver decides" in html


def test_approving_through_the_page_records_it_and_returns_to_the_queue(
    ad: Ad, author: User, approver: User
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    response = client_for(approver).post(
        f"/review/ads/{ad.pk}/decide/", {"decision": "approve", "revision": _hash(ad), "comment": ""}
    )
    assert response.status_code == 302 and response["Location"] == "/review/"
    ad.refresh_from_db()
    assert ad.state == State.APPROVED


def test_a_stale_approval_through_the_page_says_what_happened(ad: Ad, author: User, approver: User) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    seen = _hash(ad)
    services.withdraw(ad_id=ad.pk, actor=author)
    client = client_for(approver)
    response = client.post(
        f"/review/ads/{ad.pk}/decide/", {"decision": "approve", "revision": seen}, follow=True
    )
    assert "no longer in review" in response.content.decode()
    assert "withdrew" in response.content.decode()


def test_requesting_changes_without_a_comment_keeps_what_was_typed_and_says_why(
    ad: Ad, author: User, approver: User
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    response = client_for(approver).post(
        f"/review/ads/{ad.pk}/decide/",
        {"decision": "request_changes", "revision": _hash(ad), "comment": "  "},
    )
    assert response.status_code == 422
    assert "comment is required" in response.content.decode()


def test_a_field_comment_is_shown_next_to_that_field_in_the_editor(
    ad: Ad, author: User, approver: User
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    client_for(approver).post(
        f"/review/ads/{ad.pk}/decide/",
        {"decision": "request_changes", "revision": _hash(ad), "field_subject": "Drop the question mark."},
    )
    html = client_for(author).get(f"/ads/{ad.pk}/").content.decode()
    assert 'data-field-comments="subject"' in html
    field_start = html.index('id="field-subject"')
    assert field_start < html.index("Drop the question mark.") < html.index('id="field-body"')


def test_the_editor_offers_submit_for_a_draft_and_withdraw_while_in_review(ad: Ad, author: User) -> None:
    client = client_for(author)
    assert "Submit for review" in client.get(f"/ads/{ad.pk}/").content.decode()
    client.post(f"/review/ads/{ad.pk}/submit/")
    html = client.get(f"/ads/{ad.pk}/").content.decode()
    assert "Withdraw" in html and "Submit for review" not in html


def test_submitting_an_unready_draft_says_what_to_fix(make_ad: Callable[..., Ad], author: User) -> None:
    ad = make_ad(landing_page_url="")
    response = client_for(author).post(f"/review/ads/{ad.pk}/submit/", follow=True)
    assert "Not submitted yet" in response.content.decode()
    assert "landing page URL" in response.content.decode()


def test_a_live_ad_offers_duplicate_as_new_draft(in_state: Callable[[State], Ad], author: User) -> None:
    ad = in_state(State.LIVE)
    client = client_for(author)
    assert "Duplicate as new draft" in client.get(f"/ads/{ad.pk}/").content.decode()
    response = client.post(f"/review/ads/{ad.pk}/duplicate/")
    assert response.status_code == 302
    assert response["Location"] != f"/ads/{ad.pk}/"


def test_the_timeline_shows_who_did_what_on_which_revision(ad: Ad, author: User, approver: User) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    services.approve(ad_id=ad.pk, approver=approver, revision_hash=_hash(ad), comment="Ship it")
    html = client_for(author).get(f"/review/ads/{ad.pk}/timeline/").content.decode()
    assert "Alice Author</strong> saved revision 1" in html
    assert "Alice Author</strong> submitted for review" in html
    assert "Bob Approver</strong> approved with a comment" in html
    assert "Ship it" in html
    assert _hash(ad)[:10] in html


def test_comments_can_be_added_to_the_thread_about_a_field(ad: Ad, author: User, approver: User) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    client = client_for(approver)
    client.post(f"/review/ads/{ad.pk}/comments/", {"body": "Check the date.", "field": "body"})
    html = client.get(f"/review/ads/{ad.pk}/").content.decode()
    assert "Check the date." in html
    empty = client.post(f"/review/ads/{ad.pk}/comments/", {"body": " "})
    assert empty.status_code == 422 and "Write a comment first" in empty.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/review/ads/{pk}/", "/review/ads/{pk}/timeline/", "/review/ads/{pk}/share/"],
)
def test_another_workspaces_ad_is_a_404(ad: Ad, outsider: User, url: str) -> None:
    assert client_for(outsider).get(url.format(pk=ad.pk)).status_code == 404


@pytest.mark.parametrize("action", ["submit", "withdraw", "decide", "comments", "duplicate"])
def test_another_workspaces_ad_cannot_be_acted_on(ad: Ad, outsider: User, action: str) -> None:
    assert client_for(outsider).post(f"/review/ads/{ad.pk}/{action}/").status_code == 404


def test_a_viewer_cannot_submit(ad: Ad, viewer: User) -> None:
    assert client_for(viewer).post(f"/review/ads/{ad.pk}/submit/").status_code == 403


def test_the_queue_is_empty_for_someone_without_the_approver_role(ad: Ad, author: User) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    html = client_for(author).get("/review/").content.decode()
    assert "Nothing waits for you" in html


def test_a_resubmission_never_approved_is_compared_with_the_revision_sent_back(
    ad: Ad, author: User, approver: User
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    services.request_changes(ad_id=ad.pk, approver=approver, revision_hash=_hash(ad), comment="Shorter.")
    ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Short subject"})
    services.submit(ad_id=ad.pk, actor=author)
    html = client_for(approver).get(f"/review/ads/{ad.pk}/").content.decode()
    assert "First submission" not in html and "Resubmission: changes since r1" in html
    assert "Changes since r1, where changes were requested: 1 field." in html
    assert "<ins>" in html
