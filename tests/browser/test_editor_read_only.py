from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_viewer_reads_the_formatted_body_not_its_html(
    page: Page, make_ad: Callable[..., Ad], viewer: User
) -> None:
    ad = make_ad(body="<p>Hi %FIRSTNAME%,</p><p>Join us on <b>12 December</b>.</p>")
    login(page, viewer)
    page.goto(f"/ads/{ad.pk}/")
    body = page.locator(".rte-editor")
    expect(body).to_be_visible()
    expect(body).to_have_attribute("contenteditable", "false")
    expect(body.locator("b")).to_have_text("12 December")
    expect(page.locator("#id_body")).to_be_hidden()
    expect(page.locator(".preview-caption")).not_to_contain_text("Not saved")
