"""The pages around the editor look finished: drafts list, history, compare, 404 and 403."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from inmail_studio.accounts.models import User
from inmail_studio.ads import services
from inmail_studio.ads.models import Ad

from .conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_drafts_list_filters_as_you_type(page: Page, make_ad: Callable[..., Ad], author: User) -> None:
    make_ad(name="Webinar invite")
    make_ad(name="Research report", subject="The FP&A survey")
    login(page, author)
    expect(page.locator("#results tbody tr")).to_have_count(2)
    page.fill("#id_q", "report")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Research report")
    page.wait_for_url("**/ads/?q=report*")
    screenshot(page, "drafts-filtered")
    page.fill("#id_q", "nothing like it")
    expect(page.get_by_text("No ads match")).to_be_visible()
    screenshot(page, "drafts-no-match")


def test_history_and_compare_show_what_changed(page: Page, ad: Ad, author: User) -> None:
    services.ad_update(
        ad_id=ad.pk, editor=author, fields={"subject": "A sharper subject", "cta_text": "Register"}
    )
    login(page, author)
    page.goto(f"/ads/{ad.pk}/history/")
    expect(page.locator("tbody tr")).to_have_count(2)
    screenshot(page, "history")
    page.get_by_role("link", name="Changes from r1").click()
    expect(page.get_by_role("heading", name="r1 → r2")).to_be_visible()
    expect(page.locator("tr.changed")).to_have_count(2)
    expect(page.locator("tr[data-field=subject] ins")).to_contain_text("sharper")
    screenshot(page, "compare")


def test_the_404_page_for_another_workspaces_ad(page: Page, ad: Ad, outsider: User) -> None:
    login(page, outsider)
    response = page.goto(f"/ads/{ad.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_role("link", name="Back to your drafts")).to_be_visible()
    expect(page.get_by_text(ad.name)).to_have_count(0)
    screenshot(page, "error-404")


def test_the_403_page_when_a_viewer_starts_an_ad(page: Page, viewer: User) -> None:
    login(page, viewer)
    response = page.goto("/ads/new/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_text("You need the author role")).to_be_visible()
    screenshot(page, "error-403")
