"""A working session in the conversation editor is one revision (issue 14), at 1440 px and 390 px.

Adding a message, deleting one and relinking a button write no revision each: the editor says what
is unsaved, in words, and leaving the page asks first (the browser's own beforeunload dialog). One
Save, with the open message's typed relink in it, writes one revision; history lists the changes.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.models import Ad, ConversationButton, ConversationMessage, Sender
from tests.conversation.editing import submittable_conversation

from .a11y import overflow, run_axe, widest
from .conftest import screenshot, wait_for_htmx
from .test_conversation_editor import node, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def event(workspace: Workspace, author: User) -> Ad:
    return cs.conversation_create(
        workspace=workspace, author=author, name="Spring event invite", template_key="event-invitation"
    )


def test_add_delete_and_relink_then_save_is_one_revision_and_leaving_before_is_guarded(
    watched: tuple[Page, list[str]], event: Ad, author: User, width: str
) -> None:
    page, dialogs = watched
    sign_in(page, author)
    page.goto(f"/ads/{event.pk}/conversation/")
    unsaved = page.locator("[data-testid=tree-unsaved]")
    expect(unsaved).to_have_count(0)

    # Add a message: the tree changes at once, no revision; the editor says what is unsaved.
    page.get_by_role("button", name="Add message").click()
    expect(page.locator(".conv-node")).to_have_count(5)
    expect(unsaved).to_contain_text("Added message “Message 5”")
    expect(page.locator("#conv-head")).to_contain_text("Revision 1")

    # Leaving now asks first: the browser's own dialog, dismissed, so the page stays.
    page.get_by_role("link", name="History").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(f"/ads/{event.pk}/conversation/") or "/conversation/?m=" in page.url

    # Delete "Recording offer" (its inbound buttons removed with it).
    node(page, "Recording offer").click()
    expect(page.locator(".conv-node[aria-current=true]")).to_have_attribute("data-label", "Recording offer")
    page.get_by_role("link", name="Delete…").click()
    dialog = page.locator("[data-testid=delete-dialog]")
    expect(dialog).to_be_visible()
    remove = dialog.locator("input[name=inbound][value=remove]")
    if remove.count():
        remove.check()
    dialog.get_by_role("button", name="Delete message").click()
    expect(page.locator(".conv-node")).to_have_count(4)
    expect(unsaved).to_contain_text("removed message “Recording offer”")

    # Relink the opening's first button to the new message, in the open message's form (typed, unsaved).
    node(page, "Invitation").click()
    expect(page.locator(".conv-node[aria-current=true]")).to_have_attribute("data-label", "Invitation")
    first = page.locator(".conv-button").first
    first.locator("select[name$='-target']").select_option(label="Message 5")
    expect(page.locator("form.conv-message-form [data-wc-indicator]")).to_be_visible()
    # Typed once the editor's requests have answered, as a person would (seen once on a loaded machine:
    # the new subject landed in front of the old one, in the same 60-character field).
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    # And a new subject typed into the details: two forms with typed text, still one Save.
    page.locator("#id_subject").fill("%FIRSTNAME%, one save for everything")
    expect(page.locator("#id_subject")).to_have_value("%FIRSTNAME%, one save for everything")
    assert event.revisions.count() == 1
    screenshot(page, f"conversation-unsaved-tree-{width}")
    run = run_axe(page)
    assert run == [], run
    assert overflow(page) <= 0, widest(page)

    # One Save: the open message (with the relink), the details and the tree's changes in one revision.
    wait_for_htmx(page, "#conv-tree-save")
    page.locator("#conv-tree-save").get_by_role("button", name="Save").click()
    expect(page.locator("#messages")).to_contain_text("Saved as revision 2")
    expect(unsaved).to_have_count(0)
    expect(page.locator("#conv-head")).to_contain_text("Revision 2")
    assert event.revisions.count() == 2
    assert event.revisions.get(number=2).snapshot["subject"] == "%FIRSTNAME%, one save for everything"
    added = ConversationMessage.objects.get(conversation__ad=event, name="Message 5")
    button = ConversationButton.objects.filter(message__conversation__ad=event, message__name="Invitation")
    assert button.order_by("position").first().target_id == added.pk  # type: ignore[union-attr]
    # Nothing unsaved: leaving goes without a question, to the history, which says it all in words.
    page.get_by_role("link", name="History").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"], page.evaluate("() => Object.keys(sessionStorage)")
    page.wait_for_url(f"**/ads/{event.pk}/history/")
    history = page.locator("main")
    expect(history).to_contain_text("added message “Message 5”")
    expect(history).to_contain_text("removed message “Recording offer”")
    expect(history).to_contain_text("Relinked")


@pytest.fixture
def submittable(workspace: Workspace, author: User, sender: Sender) -> Ad:
    return submittable_conversation(workspace, author, sender)


def test_submit_for_review_saves_unsaved_tree_changes_first_and_submits_that_revision(
    watched: tuple[Page, list[str]], submittable: Ad, author: User
) -> None:
    page, dialogs = watched
    sign_in(page, author)
    page.goto(f"/ads/{submittable.pk}/conversation/")
    expect(page.locator("#conv-head")).to_contain_text("Revision 2")
    # A structural change (the opening's second button moved up): no revision, said as unsaved.
    second = page.locator(".conv-button").nth(1)
    moved = second.locator("input[name$='-text']").input_value()
    second.get_by_role("button", name=f"Move “{moved}” up").click()
    expect(page.locator("[data-testid=tree-unsaved]")).to_contain_text("Reordered the buttons")
    assert submittable.revisions.count() == 2

    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message").filter(has_text="is in review")).to_be_visible()
    assert dialogs == []  # saved first, so leaving for the review asked nothing
    submittable.refresh_from_db()
    review = submittable.reviews.get()
    assert review.revision.number == 3 and review.revision == submittable.current_revision
    tree = review.revision.snapshot["tree"]
    opening = next(m for m in tree["messages"] if m["id"] == tree["first"])
    assert opening["buttons"][0]["text"] == moved
