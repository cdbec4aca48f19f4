"""A marketer starts a conversation ad from a template, edits it, sees a problem come and go, and walks two paths."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, Sender

from .conftest import fill_rich_html, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_marketer_builds_a_conversation_from_a_template_and_walks_two_paths(
    page: Page, author: User, sender: Sender
) -> None:
    login(page, author)
    page.get_by_role("link", name="New conversation ad").click()
    page.get_by_label("Ad name").fill("Spring event invite")
    page.locator("label.conv-template", has_text="Event invitation").click()
    screenshot(page, "conversation-01-templates")
    page.get_by_role("button", name="Create conversation ad").click()

    expect(page.get_by_role("heading", name="Spring event invite")).to_be_visible()
    problems = page.locator("#conv-problems")
    expect(problems).to_contain_text("No problems")
    expect(page.locator(".conv-node")).to_have_count(4)
    expect(page.locator("[data-testid=path]")).to_have_count(9)

    # A button text over LinkedIn's limit: the problem appears while typing, linked to the button.
    first_text = page.locator(".conv-button input[name$='-text']").first
    first_text.fill("Yes please, save me a seat right now")
    expect(problems).to_contain_text("LinkedIn allows 25")
    expect(page.locator("[data-testid=error-count]")).to_have_text("1 error")
    expect(page.locator(".conv-row-error")).to_have_count(1)  # the diagram marks the button too
    screenshot(page, "conversation-02-live-error")
    first_text.fill("Yes, save my seat!")
    expect(problems).to_contain_text("No problems")
    expect(page.locator("[data-testid=error-count]")).to_have_count(0)

    # Save the edit without a page reload: the workspace is swapped, a revision written.
    fill_rich_html(page, "msg-body", "<p>Hi %FIRSTNAME%,</p><p>Join our live session on <b>12 March</b>?</p>")
    page.get_by_role("button", name="Save message").click()
    expect(page.locator("#messages")).to_contain_text("Saved as revision 2")
    ad = Ad.objects.get(name="Spring event invite")
    assert ad.current_revision is not None and ad.current_revision.number == 2

    # Walk the first path in the preview: Tell me more → Save my seat, then back and restart.
    frame = page.frame_locator("iframe[name=conv-preview]")
    expect(frame.locator("[data-testid=bubble]").first).to_contain_text("Join our live session on 12 March?")
    frame.get_by_role("link", name="Tell me more").click()
    expect(frame.locator("[data-testid=reply]")).to_have_text(["Tell me more"])
    expect(frame.locator("[data-testid=bubble]").last).to_contain_text("The agenda:")
    frame.get_by_role("link", name="Save my seat").click()
    expect(frame.locator("[data-testid=bubble]").last).to_contain_text("Registration takes 30 seconds")
    screenshot(page, "conversation-03-walk-path-one")
    frame.locator("[data-testid=back]").click()
    expect(frame.locator("[data-testid=bubble]").last).to_contain_text("The agenda:")
    frame.locator("[data-testid=restart]").click()
    expect(frame.locator("[data-testid=reply]")).to_have_count(0)

    # The second path: Can't make it → Send me the recording, which leaves for the website.
    frame.get_by_role("link", name="Can't make it").click()
    expect(frame.locator("[data-testid=bubble]").last).to_contain_text("Shall we send you the recording")
    frame.get_by_role("link", name="Send me the recording").click()
    expect(frame.locator("[data-testid=ending]")).to_contain_text("https://example.com/event/recording")
    screenshot(page, "conversation-04-walk-path-two")

    # "All paths" can drive the same frame.
    page.locator("[data-testid=walk-path]").nth(1).click()
    expect(frame.locator("[data-testid=reply]")).to_have_text(["Yes, save my seat!", "Not now, thanks"])
    screenshot(page, "conversation-05-all-paths")
