"""A marketer writes a new message ad and watches the inbox preview follow every keystroke."""

from __future__ import annotations

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, Sender

from .conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _frame(page: Page) -> FrameLocator:
    return page.frame_locator("iframe.preview-frame")


def test_author_writes_a_draft_with_the_preview_following_and_saves_it(
    page: Page, author: User, sender: Sender
) -> None:
    login(page, author)
    page.get_by_role("link", name="New message ad").first.click()
    expect(page.get_by_role("heading", name="New message ad")).to_be_visible()
    frame = _frame(page)
    expect(frame.locator("[data-testid=subject]")).to_have_text("Your subject appears here")

    page.fill("#id_name", "Spring webinar")
    page.select_option("#id_sender", label="Dana Whitfield")
    expect(frame.locator(".li-sender-name")).to_have_text("Dana Whitfield")

    # The subject, typed key by key: the preview fills the macro for the first sample member.
    page.locator("#id_subject").press_sequentially("%FIRSTNAME%, join us?", delay=15)
    expect(frame.locator("[data-testid=subject]")).to_have_text("Priya, join us?")
    expect(page.locator("#meta-subject .counter")).to_contain_text("21/60")

    # The body is a rich editor mirrored into the form's textarea.
    editor = page.locator(".rte-editor")
    expect(editor).to_be_visible()
    expect(page.locator("#id_body")).to_be_hidden()
    editor.click()
    editor.press_sequentially("Hi %FIRSTNAME%, ", delay=10)
    page.keyboard.press("Control+B")
    page.keyboard.type("seats are limited", delay=10)
    page.keyboard.press("Control+B")
    page.keyboard.type(".", delay=10)
    expect(frame.locator("[data-testid=body]")).to_contain_text("Hi Priya, seats are limited.")
    expect(frame.locator("[data-testid=body] b, [data-testid=body] strong")).to_have_text("seats are limited")
    body_html = page.locator("#id_body").input_value()
    assert "<b>seats are limited</b>" in body_html or "<strong>seats are limited</strong>" in body_html

    # The toolbar's bold button works on a selection too.
    editor.press("Enter")
    editor.press_sequentially("Bring a colleague", delay=10)
    page.keyboard.press("Shift+Home")
    page.get_by_role("button", name="Bold").click()
    expect(frame.locator("[data-testid=body]")).to_contain_text("Bring a colleague")
    expect(frame.locator("[data-testid=body] b, [data-testid=body] strong").last).to_have_text(
        "Bring a colleague"
    )

    page.fill("#id_landing_page_url", "https://example.com/spring")
    expect(frame.locator("[data-testid=cta]")).to_have_attribute("href", "https://example.com/spring")
    expect(page.locator("[data-unsaved-indicator]")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "editor-typing")

    # Another sample member, then LinkedIn's fallbacks.
    page.select_option("#preview-persona", label="IT Director, Manufacturing")
    expect(frame.locator("[data-testid=subject]")).to_have_text("Tomasz, join us?")
    page.select_option("#preview-persona", value="fallbacks")
    expect(frame.locator("[data-testid=subject]")).to_have_text("LinkedIn Member, join us?")

    # Mobile: the phone layout, no banner rail.
    page.get_by_text("Mobile", exact=True).click()
    expect(page.locator("#preview")).to_have_attribute("data-device", "mobile")
    expect(frame.locator(".li-phone")).to_be_visible()
    expect(frame.locator(".li-rail")).to_have_count(0)
    screenshot(page, "editor-mobile-fallbacks")
    page.get_by_text("Desktop", exact=True).click()
    expect(page.locator("#preview")).to_have_attribute("data-device", "desktop")
    expect(frame.locator(".li-rail")).to_be_visible()

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text="saved as revision 1")).to_be_visible()
    ad = Ad.objects.get(name="Spring webinar")
    assert ad.subject == "%FIRSTNAME%, join us?"
    assert "seats are limited" in ad.body
    assert ad.sender == sender
    expect(page.locator("[data-unsaved-indicator]")).to_be_hidden()
    expect(page.locator(".rte-editor")).to_contain_text("Hi %FIRSTNAME%, seats are limited.")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "editor-saved")


def test_a_macro_in_the_wrong_case_is_flagged_while_typing(page: Page, author: User, sender: Sender) -> None:
    login(page, author)
    page.goto("/ads/new/")
    page.locator("#id_subject").press_sequentially("Hi %firstname%", delay=10)
    expect(page.locator(".macro-warnings")).to_contain_text("use %FIRSTNAME%")
    expect(_frame(page).locator("[data-testid=subject]")).to_have_text("Hi %firstname%")
    page.locator("#id_subject").fill("Hi %FIRSTNAME%")
    expect(page.locator(".macro-warnings")).to_have_count(0)


def test_a_reader_sees_the_ad_and_its_preview_but_no_save_button(page: Page, ad: Ad, viewer: User) -> None:
    login(page, viewer)
    page.goto(f"/ads/{ad.pk}/")
    expect(page.get_by_text("can't edit it")).to_be_visible()
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
    expect(page.locator("#id_subject")).to_be_disabled()
    expect(_frame(page).locator("[data-testid=subject]")).to_have_text("Priya, a seat for our Q4 webinar?")
    screenshot(page, "editor-read-only")
