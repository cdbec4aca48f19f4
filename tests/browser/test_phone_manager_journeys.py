"""What a manager does from their phone (390 px), in Chromium against the LinkedIn sandbox:

- launching asks first, naming the campaign it will spend in, then launches;
- choosing a campaign says plainly that the ad syncs to it on LinkedIn;
- the review page warns of placeholder links (example.com) before approving.

Each page fits the window (nothing wider than 390 px) and axe finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.linkedin import services as linkedin_services
from inmail_studio.linkedin.models import AdLinkedIn
from inmail_studio.review import services as review_services
from inmail_studio.sandbox import models as sandbox
from tests.linkedin.conftest import (  # noqa: F401 - fixtures: the live sandbox, a connected workspace
    WEBINAR,
    connected,
    make_synced_ready_ad,
    sandbox_url,
    webinar,
)

from .a11y import add_axe, overflow, run_axe, widest
from .conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    add_axe(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], errors


def _fits_and_axe_is_quiet(page: Page, name: str) -> None:
    assert overflow(page) <= 0, (name, widest(page))
    assert run_axe(page) == [], name
    screenshot(page, name)


def test_launch_from_a_phone_asks_first_naming_the_campaign(
    phone: Page,
    make_synced_ready_ad: Callable[..., Ad],  # noqa: F811
    author: User,
    approver: User,
) -> None:
    ad = make_synced_ready_ad()
    linkedin_services.test_send_request(ad_id=ad.pk, user=author)
    ad.refresh_from_db()
    assert ad.state == State.TESTED

    login(phone, approver)
    phone.goto(f"/ads/{ad.pk}/")
    panel = phone.locator("#linkedin-panel")
    panel.get_by_text("Launch…").click()
    box = phone.locator(".li-launch-box")
    expect(box).to_contain_text(f"in the campaign {WEBINAR}?")
    expect(box).to_contain_text("spending that campaign's budget")
    launch = panel.get_by_role("button", name=f"Launch in {WEBINAR}")
    expect(launch).to_be_in_viewport()
    _fits_and_axe_is_quiet(phone, "phone-launch-confirm")
    ad.refresh_from_db()
    assert ad.state == State.TESTED  # opening the confirmation launched nothing

    launch.click()
    expect(phone.locator(".notice-locked")).to_contain_text("This ad is live and can no longer be edited.")
    ad.refresh_from_db()
    assert ad.state == State.LIVE
    assert sandbox.Creative.objects.get().intended_status == "ACTIVE"
    _fits_and_axe_is_quiet(phone, "phone-launched")


def test_choosing_a_campaign_from_a_phone_says_it_syncs(
    phone: Page,
    make_synced_ready_ad: Callable[..., Ad],  # noqa: F811
    author: User,
    webinar: str,  # noqa: F811
) -> None:
    ad = make_synced_ready_ad(approve=False, campaign="")
    login(phone, author)
    phone.goto(f"/ads/{ad.pk}/")
    panel = phone.locator("#linkedin-panel")
    expect(panel).to_contain_text("Syncs to LinkedIn once a manager approves it.")
    panel.get_by_label("Campaign").select_option(label=f"{WEBINAR} (active)")
    expect(
        panel.get_by_text(f"Campaign saved: {WEBINAR}. The ad syncs to it on LinkedIn once it is approved.")
    ).to_be_visible()
    expect(panel.locator("[data-campaign-sync]")).to_contain_text(
        "Choosing a campaign syncs the approved revision"
    )
    _fits_and_axe_is_quiet(phone, "phone-campaign-syncs")
    assert AdLinkedIn.objects.get(ad=ad).campaign_urn == webinar


def test_the_review_page_on_a_phone_warns_of_placeholder_links(
    phone: Page,
    make_synced_ready_ad: Callable[..., Ad],  # noqa: F811
    author: User,
    approver: User,
) -> None:
    ad = make_synced_ready_ad(approve=False, landing_page_url="https://example.com/webinar")
    review_services.submit(ad_id=ad.pk, actor=author)

    login(phone, approver)
    phone.goto(f"/review/ads/{ad.pk}/")
    warning = phone.locator("[data-placeholder-links]")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Placeholder links.")
    expect(warning.locator("code")).to_have_text("https://example.com/webinar")
    expect(warning).to_contain_text("Approving syncs them to LinkedIn as they are")
    _fits_and_axe_is_quiet(phone, "phone-review-placeholder-links")
