"""Refusals a person can read where they are looking, in a real browser (issue 11): a banner over
the size limit is refused next to the banner field, a request too large to read is refused in the
page's message area, and a locked-out sign-in says so on the sign-in form. Nothing typed is lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Image, Sender
from tests.conftest import PASSWORD
from tests.test_banner import picture

from .conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _file(tmp_path: Path, size: int) -> Path:
    path = tmp_path / "huge-banner.png"
    path.write_bytes(picture("PNG") + b"\0" * size)
    return path


def test_a_banner_over_two_megabytes_is_refused_next_to_the_field(
    page: Page, author: User, sender: Sender, tmp_path: Path
) -> None:
    login(page, author)
    page.goto("/ads/new/")
    page.fill("#id_name", "Spring webinar")
    page.set_input_files("input[name=banner_file]", str(_file(tmp_path, 3 * 1024 * 1024)))
    refusal = page.locator("#banner .errorlist")
    expect(refusal).to_contain_text("LinkedIn allows 2 MB")
    expect(page.locator("#id_name")).to_have_value("Spring webinar")
    assert not Image.objects.exists()
    screenshot(page, "refusal-1-banner-too-large", full_page=False)


def test_a_request_too_large_to_read_is_refused_in_the_message_area(
    page: Page, author: User, sender: Sender, tmp_path: Path, settings: Any
) -> None:
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    login(page, author)
    page.goto("/ads/new/")
    page.fill("#id_name", "Spring webinar")
    page.set_input_files("input[name=banner_file]", str(_file(tmp_path, 2 * 1024 * 1024)))
    expect(page.locator("#messages [role=alert]")).to_contain_text("InMail Studio takes at most 1.0 MB")
    expect(page.locator("#id_name")).to_have_value("Spring webinar")
    screenshot(page, "refusal-2-request-too-large", full_page=False)


def test_a_locked_out_sign_in_says_why_on_the_form(page: Page, author: User) -> None:
    page.goto("/accounts/login/")
    for _ in range(5):
        page.fill("#id_username", author.username)
        page.fill("#id_password", "wrong")
        page.click("button[type=submit]")
    page.fill("#id_username", author.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".form-error")).to_contain_text("Too many failed sign-ins for this username")
    expect(page.locator("#id_username")).to_have_value(author.username)
    screenshot(page, "refusal-3-sign-in-locked", full_page=False)
