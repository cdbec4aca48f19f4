"""A conversation ad from template to the member's inbox in a real browser: built from a template,
a live problem come and gone, two paths walked, a conversation campaign chosen, submitted,
approved by the manager (which syncs it to the sandbox over HTTP), a test sent, and the
member clicking through the received conversation in the sandbox inbox.

The workspace is connected as tests/linkedin connects it (the sandbox's own tokens for
Ada, the account's campaigns and senders imported); the OAuth page has its own journey.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.linkedin.models import LinkedInConnection, LinkedInConversation
from inmail_studio.sandbox import models as sandbox
from tests.linkedin.conftest import connected, sandbox_url  # noqa: F401 - fixtures: the live sandbox

from .conftest import fill_rich_html, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in_as(page: Page, user: User) -> None:
    # Leave the page first: a request still in flight from it (the editor loads its paths after
    # the page) could otherwise bring the previous user's session cookie back after the clear.
    page.goto("about:blank")
    page.context.clear_cookies()
    login(page, user)


def test_a_conversation_goes_from_template_to_the_members_inbox_and_is_clicked_through(
    page: Page,
    connected: LinkedInConnection,  # noqa: F811
    author: User,
    approver: User,
) -> None:
    login(page, author)
    page.get_by_role("link", name="New conversation ad").click()
    page.get_by_label("Ad name").fill("Spring event invite")
    page.locator("label.conv-template", has_text="Event invitation").click()
    page.get_by_role("button", name="Create conversation ad").click()
    expect(page.get_by_role("heading", name="Spring event invite")).to_be_visible()
    ad = Ad.objects.get(name="Spring event invite")

    # A live problem: a button over LinkedIn's limit appears while typing and goes when fixed.
    problems = page.locator("#conv-problems")
    expect(problems).to_contain_text("No problems")
    first_text = page.locator(".conv-button input[name$='-text']").first
    first_text.fill("Yes please, save me a seat right now")
    expect(problems).to_contain_text("LinkedIn allows 25")
    screenshot(page, "conversation-sync-01-live-error")
    first_text.fill("Yes, save my seat!")
    expect(problems).to_contain_text("No problems")

    # The edit, saved; then the sender (Dana, approved on LinkedIn) in the ad details.
    fill_rich_html(page, "msg-body", "<p>Hi %FIRSTNAME%,</p><p>Join our live session on <b>12 March</b>?</p>")
    page.get_by_role("button", name="Save message").click()
    expect(page.locator("#messages")).to_contain_text("Saved as revision 2")
    # The details sit at the top of the editor, open.
    page.get_by_label("Sender").select_option(label="Dana Whitfield")
    page.get_by_role("button", name="Save details").click()
    expect(page.locator("#messages")).to_contain_text("Saved as revision 3")

    # Two paths walked in the preview.
    frame = page.frame_locator("iframe[name=conv-preview]")
    expect(frame.locator("[data-testid=bubble]").first).to_contain_text("Join our live session on 12 March?")
    frame.get_by_role("link", name="Tell me more").click()
    expect(frame.locator("[data-testid=bubble]").last).to_contain_text("The agenda:")
    frame.get_by_role("link", name="Save my seat").click()
    expect(frame.locator("[data-testid=bubble]").last).to_contain_text("Registration takes 30 seconds")
    frame.locator("[data-testid=restart]").click()
    frame.get_by_role("link", name="Can't make it").click()
    expect(frame.locator("[data-testid=bubble]").last).to_contain_text("Shall we send you the recording")
    screenshot(page, "conversation-sync-02-walked")

    # The campaign picker lists only the campaigns a conversation ad can run in.
    panel = page.locator("#linkedin-panel")
    options = panel.locator("#li-campaign option")
    expect(options).to_have_text(["Choose a campaign…", "Conversation pilot (draft)"])
    expect(panel.locator("[data-campaign-fit]")).to_contain_text("Only conversation-ad campaigns")
    panel.locator("#li-campaign").select_option(label="Conversation pilot (draft)")
    expect(page.locator("#linkedin-panel")).to_contain_text("Campaign saved: Conversation pilot.")

    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message").filter(has_text="is in review")).to_be_visible()

    # The manager approves; the approval syncs the conversation to LinkedIn (the sandbox).
    sign_in_as(page, approver)
    page.goto(f"/review/ads/{ad.pk}/")
    page.get_by_role("button", name=re.compile(r"^Approve r\d+$")).click()
    expect(page.get_by_text("Approved “Spring event invite”")).to_be_visible()
    page.goto(f"/ads/{ad.pk}/conversation/")
    panel = page.locator("#linkedin-panel")
    expect(panel.locator("[data-li-state]")).to_have_text("Synced")
    expect(panel).to_contain_text("creative urn:li:sponsoredCreative:")
    screenshot(page, "conversation-sync-03-synced")

    # The sync ledger names the conversation and every message created, leaves first.
    page.get_by_role("link", name="Sync ledger").click()
    conversation = LinkedInConversation.objects.get(ad=ad)
    expect(page.locator("main")).to_contain_text(f"Created the conversation {conversation.urn}")
    expect(page.locator(".li-note").filter(has_text="Created “")).to_have_count(len(conversation.messages))
    screenshot(page, "conversation-sync-04-ledger")

    # A test message, live in the panel.
    page.goto(f"/ads/{ad.pk}/conversation/")
    page.locator("#linkedin-panel").get_by_role("button", name="Send test").click()
    expect(page.locator("[data-test-send-status=sent]")).to_be_visible()
    expect(page.locator("#linkedin-panel [data-li-state]")).to_have_text("Tested")
    screenshot(page, "conversation-sync-05-test-sent")

    # The member opens the sandbox inbox and clicks through the conversation.
    page.goto("/sandbox/linkedin/inbox/ada-admin/")
    page.locator(".sandbox-inbox-list a").first.click()
    message = page.frame_locator("[data-testid=test-message] iframe.preview-frame")
    expect(message.locator("[data-testid=bubble]").first).to_contain_text(
        "Join our live session on 12 March?"
    )
    message.get_by_role("link", name="Tell me more").click()
    expect(message.locator("[data-testid=bubble]").last).to_contain_text("The agenda:")
    message.get_by_role("link", name="Save my seat").click()
    expect(message.locator("[data-testid=bubble]").last).to_contain_text("Registration takes 30 seconds")
    screenshot(page, "conversation-sync-06-inbox-walked")

    ad.refresh_from_db()
    assert ad.state == State.TESTED
    assert sandbox.InboxMessage.objects.get().recipient.slug == "ada-admin"
