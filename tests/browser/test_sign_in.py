from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from inmail_studio.accounts.models import User

from .conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_author_signs_in_and_lands_on_their_drafts(page: Page, author: User) -> None:
    login(page, author)
    expect(page.get_by_role("heading", name="Drafts", exact=True)).to_be_visible()
    expect(page.get_by_text("No drafts yet")).to_be_visible()
    screenshot(page, "drafts-empty")


def test_wrong_password_says_so_on_the_sign_in_page(page: Page, author: User) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", author.username)
    page.fill("#id_password", "not the password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.locator("#id_username")).to_have_value(author.username)
