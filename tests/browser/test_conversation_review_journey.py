"""A conversation ad through review in a real browser: the checklist and the head follow the edits,
a tree error refuses submission, the approver reads and walks every path, and a resubmission
shows the tree diff against the approved revision."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.models import Ad, Sender, State

from .conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in_as(page: Page, user: User) -> None:
    # Leave the page first: a request still in flight from it (the editor loads its paths after
    # the page) could otherwise bring the previous user's session cookie back after the clear.
    page.goto("about:blank")
    page.context.clear_cookies()
    login(page, user)


@pytest.fixture
def conversation(workspace: Workspace, author: User, sender: Sender) -> Ad:
    ad = cs.conversation_create(
        workspace=workspace, author=author, name="Spring event", template_key="event-invitation"
    )
    cs.conversation_settings_update(
        ad_id=ad.pk, editor=author, fields={"name": ad.name, "sender": sender, "subject": ad.subject,
                                            "footer": ""}, lead_gen=False,
    )  # fmt: skip
    return ad


def test_a_conversation_is_checked_submitted_walked_approved_and_diffed(
    page: Page, conversation: Ad, author: User, approver: User
) -> None:
    sign_in_as(page, author)
    page.goto(f"/ads/{conversation.pk}/")  # the ad editor's address opens the conversation editor
    expect(page.locator("#conv-head")).to_contain_text("Revision 2")
    checklist = page.locator("#checklist")
    hook = checklist.locator('[data-check="conversation_hook"]')
    expect(hook).to_have_attribute("data-status", "pass")

    # Typing an opening without a question: the checklist's hook check turns to advice, live.
    page.locator("#msg-body").fill("<p>Hi %FIRSTNAME%, we host a live session on 12 March.</p>")
    expect(hook).to_have_attribute("data-status", "advice")
    page.locator("#msg-body").fill("<p>Hi %FIRSTNAME%, join our live session on 12 March?</p>")
    expect(hook).to_have_attribute("data-status", "pass")

    # A tree error: "Tell me more" leads nowhere. Saving swaps the head to the new revision.
    tell_me_more = page.locator(".conv-button").filter(has=page.locator("input[value='Tell me more']"))
    tell_me_more.locator("select[name$='-target']").select_option("")
    page.get_by_role("button", name="Save message").click()
    expect(page.locator("#messages")).to_contain_text("Saved as revision 3")
    expect(page.locator("#conv-head")).to_contain_text("Revision 3")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message").filter(has_text="Not submitted yet")).to_contain_text("Conversation:")
    screenshot(page, "conversation-review-1-refused")

    # Fixed, it goes to review.
    tell_me_more = page.locator(".conv-button").filter(has=page.locator("input[value='Tell me more']"))
    tell_me_more.locator("select[name$='-target']").select_option(label="Agenda")
    page.get_by_role("button", name="Save message").click()
    expect(page.locator("#conv-head")).to_contain_text("Revision 4")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message").filter(has_text="is in review")).to_be_visible()

    # The approver sees its score in the queue, reads every path and walks one in the preview.
    sign_in_as(page, approver)
    page.goto("/review/")
    row = page.get_by_role("row").filter(has_text="Spring event")
    expect(row.locator(".score-pill")).to_be_visible()
    row.get_by_role("link", name="Spring event").click()
    expect(page.locator("[data-testid=path]")).to_have_count(9)
    expect(page.get_by_text("Every message is new")).to_be_visible()
    frame = page.frame_locator("iframe[name=review-preview]")
    expect(frame.locator("[data-testid=bubble]").first).to_contain_text("join our live session")
    page.locator("[data-testid=walk-path]").nth(2).click()
    expect(frame.locator("[data-testid=reply]")).to_have_text(
        ["Tell me more", "Save my seat", "Register now"]
    )
    expect(frame.locator("[data-testid=ending]")).to_contain_text("example.com/event/register")
    page.locator("[data-testid=preview-restart]").click()
    expect(frame.locator("[data-testid=reply]")).to_have_count(0)
    frame.get_by_role("link", name="Can't make it").click()
    expect(frame.locator("[data-testid=bubble]").last).to_contain_text("Shall we send you the recording")
    screenshot(page, "conversation-review-2-walked")
    page.get_by_role("button", name="Approve r4").click()
    expect(page.get_by_text("Approved “Spring event”")).to_be_visible()

    # The author changes the agenda and resubmits; the approver sees what changed in the tree.
    sign_in_as(page, author)
    page.goto(f"/ads/{conversation.pk}/conversation/")
    page.locator('.conv-node[aria-label="Edit Agenda"]').click()
    expect(page.locator("#conv-message-title")).to_contain_text("Agenda")
    page.locator("#msg-body").fill("<p>The agenda, revised: two teardowns and your questions.</p>")
    page.get_by_role("button", name="Save message").click()
    expect(page.locator("#conv-head")).to_contain_text("Revision 5")
    expect(page.locator("#conv-head .state")).to_have_text("Draft")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message").filter(has_text="is in review")).to_be_visible()

    sign_in_as(page, approver)
    page.goto(f"/review/ads/{conversation.pk}/")
    expect(page.get_by_role("heading", name="Changes since r4, the last approved revision")).to_be_visible()
    diff = page.locator("[data-testid=tree-diff]")
    expect(diff).to_contain_text("Agenda")
    expect(diff).to_contain_text("two teardowns and your questions")
    screenshot(page, "conversation-review-3-tree-diff")
    conversation.refresh_from_db()
    assert conversation.state == State.IN_REVIEW
