"""An author submits with unsaved edits and the edits are what goes to review (saved, then submitted,
in one step, with no browser dialog); the approver signs in and lands on the review queue, where it
waits. At desktop and phone width, each page fitting the window with axe finding nothing."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from tests.conftest import PASSWORD

from .a11y import add_axe, overflow, run_axe, widest
from .conftest import WIDTHS, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page: Page, user: User) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _fits_and_axe_is_quiet(page: Page, name: str) -> None:
    assert overflow(page) <= 0, (name, widest(page))
    assert run_axe(page) == [], name
    screenshot(page, name)


@pytest.mark.parametrize("width", WIDTHS)
def test_unsaved_edits_are_saved_then_submitted_and_the_approver_lands_on_the_queue(
    width: str, browser: Browser, live_server: Any, ad: Ad, author: User, approver: User
) -> None:
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    add_axe(context)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    _sign_in(page, author)
    page.goto(f"/ads/{ad.pk}/")
    page.fill("#id_subject", "%FIRSTNAME%, your seat for 12 December")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message").filter(has_text="Saved as revision 2")).to_contain_text("is in review")
    _fits_and_axe_is_quiet(page, f"submit-unsaved-{width}")
    assert dialogs == []
    ad.refresh_from_db()
    assert ad.state == State.IN_REVIEW
    assert ad.reviews.get().revision.snapshot["subject"] == "%FIRSTNAME%, your seat for 12 December"

    _sign_in(page, approver)
    assert page.url.endswith("/review/")
    expect(page.get_by_role("row").filter(has_text=ad.name)).to_be_visible()
    _fits_and_axe_is_quiet(page, f"approver-lands-on-queue-{width}")
    context.close()
