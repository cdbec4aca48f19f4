"""Submit for review in the conversation editor saves the typed text first, then submits that revision.

The editor keeps unsaved text in the tab's storage; submitting used to send the previous revision
after the browser's generic "leave site?" dialog, leaving the text behind. Now, at 1440 px and
390 px: typed text in the open message (and in the details) is saved, then that revision goes to
review, with no dialog; unsaved text in a message that is not open is named and nothing is
submitted; a refused save submits nothing and keeps the text. Pages fit, axe finds nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad, Sender, State
from inmail_studio.review import services as review_services
from tests.conversation.editing import submittable_conversation

from .a11y import overflow, run_axe, widest
from .conftest import fill_rich_html, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

TYPED = "<p>Hi %FIRSTNAME%, will you join our live session on 12 March?</p>"


@pytest.fixture
def conversation(workspace: Workspace, author: User, sender: Sender) -> Ad:
    return submittable_conversation(workspace, author, sender)


def _clean(page: Page, name: str) -> None:
    assert overflow(page) <= 0, widest(page)
    assert run_axe(page) == [], name
    screenshot(page, name)


def _opening(ad: Ad) -> dict[str, Any]:
    snapshot = ad.reviews.get().revision.snapshot
    tree = snapshot["tree"]
    return next(m for m in tree["messages"] if m["id"] == tree["first"])


def test_typed_text_in_the_open_message_and_details_is_saved_then_submitted(
    watched: tuple[Page, list[str]], conversation: Ad, author: User, width: str
) -> None:
    page, dialogs = watched
    login(page, author)
    page.goto(f"/ads/{conversation.pk}/conversation/")
    expect(page.locator("#conv-head")).to_contain_text("Revision 2")
    fill_rich_html(page, "msg-body", TYPED)
    page.locator("#id_subject").fill("Your seat for 12 March")
    expect(page.locator("form.conv-message-form [data-wc-indicator]")).to_be_visible()

    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message").filter(has_text="is in review")).to_be_visible()
    expect(page.locator("#conv-head .state")).to_have_text("In review")
    _clean(page, f"conversation-submit-unsaved-{width}")
    assert dialogs == []

    conversation.refresh_from_db()
    assert conversation.state == State.IN_REVIEW
    review = conversation.reviews.get()
    # One revision of both (the message kept in the tree, then the details' save): 2 -> 3, not 4.
    assert review.revision == conversation.current_revision and review.revision.number == 3
    assert conversation.revisions.count() == 3
    assert "will you join our live session" in _opening(conversation)["body"]
    assert review.revision.snapshot["subject"] == "Your seat for 12 March"
    # Nothing is left behind as "unsaved" in the tab.
    assert page.evaluate("() => Object.keys(sessionStorage).filter(k => k.startsWith('conv-wc:'))") == []


def test_unsaved_text_in_a_closed_message_is_named_and_nothing_is_submitted(
    watched: tuple[Page, list[str]], conversation: Ad, author: User, width: str
) -> None:
    page, dialogs = watched
    login(page, author)
    page.goto(f"/ads/{conversation.pk}/conversation/")
    page.locator("#msg-name").fill("Opening, rewritten")
    page.locator(".conv-node[data-label='Agenda']").click()
    expect(page.locator(".conv-node[aria-current=true]")).to_have_attribute("data-label", "Agenda")

    page.get_by_role("button", name="Submit for review").click()
    refusal = page.locator(".message-error").filter(has_text="Not submitted")
    expect(refusal).to_contain_text("has unsaved text")
    expect(refusal).to_contain_text("Open it and save or discard it")
    _clean(page, f"conversation-submit-unsaved-elsewhere-{width}")
    assert dialogs == []
    conversation.refresh_from_db()
    assert conversation.state == State.DRAFT and not conversation.reviews.exists()
    # The text is still kept: going back brings it back.
    page.locator(".conv-node.conv-node-unsaved").click()
    expect(page.locator("#msg-name")).to_have_value("Opening, rewritten")


def test_a_refused_save_submits_nothing_and_keeps_the_text(
    watched: tuple[Page, list[str]], conversation: Ad, author: User, width: str
) -> None:
    page, dialogs = watched
    login(page, author)
    page.goto(f"/ads/{conversation.pk}/conversation/")
    fill_rich_html(page, "msg-body", TYPED)
    # Meanwhile the saved revision went to review from another tab: this tab's save is refused (locked).
    review_services.submit(ad_id=conversation.pk, actor=author)

    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message-error").filter(has_text="Not submitted")).to_contain_text(
        "everything you typed is still here"
    )
    expect(page.locator(".message-error").filter(has_text="Nothing was saved")).to_be_visible()
    expect(page.locator("#msg-body")).to_have_value(TYPED)
    _clean(page, f"conversation-submit-refused-{width}")
    assert dialogs == []
    # Only the other tab's submission, of the revision saved before: nothing typed here went anywhere.
    review = conversation.reviews.get()
    assert review.revision.number == 2
    assert "will you join" not in _opening(conversation)["body"]
