"""The LinkedIn journey in Chromium, against the sandbox served by the same live server.

The admin connects LinkedIn through the sandbox's consent page and picks the ad account; the
author chooses a campaign and submits; the manager approves and the ad syncs; the author sends a
test and watches it go out, then opens the sandbox inbox and finds the message, drawn by the same
renderer as the preview; the manager launches and the ad is locked. Tasks run in-process (no
broker in tests), so each outcome is in the response of the click that caused it.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import Ad, Sender, State
from inmail_studio.linkedin.models import ConnectionStatus, LinkedInConnection, TestSend
from inmail_studio.sandbox import models as sandbox
from inmail_studio.sandbox.seed import seed
from tests.conftest import GOOD_AD

from .conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT = "urn:li:sponsoredAccount:508915158"


@pytest.fixture
def linkedin_sandbox(live_server: Any, settings: Any) -> str:
    """The sandbox, seeded, with the client's base URLs pointed at this live server."""
    seed()
    settings.LINKEDIN_API_BASE_URL = f"{live_server.url}/sandbox/linkedin/rest"
    settings.LINKEDIN_OAUTH_BASE_URL = f"{live_server.url}/sandbox/linkedin/oauth/v2"
    settings.LINKEDIN_SANDBOX_FAULTS = ""
    return str(live_server.url)


def sign_in_as(page: Page, user: User) -> None:
    page.context.clear_cookies()
    login(page, user)


def test_connect_approve_sync_send_test_read_it_in_the_inbox_and_launch(
    page: Page,
    linkedin_sandbox: str,
    settings: Any,
    workspace: Workspace,
    admin_user: User,
    author: User,
    approver: User,
) -> None:
    # The admin connects LinkedIn: the sandbox's consent page, as Ada, then back to pick the account.
    sign_in_as(page, admin_user)
    page.locator(".mainnav").get_by_role("link", name="LinkedIn").click()
    expect(page.get_by_text("Not connected.")).to_be_visible()
    screenshot(page, "linkedin-1-not-connected")
    page.get_by_role("button", name="Connect LinkedIn").click()
    expect(page.get_by_role("button", name="Allow")).to_be_visible()
    assert "/sandbox/linkedin/oauth/v2/authorization" in page.url
    page.get_by_label("Ada Admin").check()
    screenshot(page, "linkedin-2-consent")
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_role("heading", name="Choose the ad account")).to_be_visible()
    expect(page.get_by_text("LinkedIn is connected.")).to_be_visible()
    page.get_by_label("Acme Cloud — EMEA").check()
    screenshot(page, "linkedin-3-account-picker")
    page.get_by_role("button", name="Use this account").click()
    expect(page.get_by_text("Ad account chosen")).to_be_visible()
    expect(page.get_by_role("cell", name="Q4 Finance Webinar")).to_be_visible()
    expect(page.get_by_role("cell", name="Dana Whitfield urn:li:person:dana-whitfield")).to_be_visible()
    screenshot(page, "linkedin-4-connected")
    connection = LinkedInConnection.objects.get(workspace=workspace)
    assert connection.status == ConnectionStatus.ACTIVE and connection.member_urn == "urn:li:person:ada-admin"
    assert connection.access_token.reveal() not in page.content()

    # The author writes an ad as Dana (imported with her approved permission), picks the campaign, submits.
    dana = Sender.objects.get(workspace=workspace, urn="urn:li:person:dana-whitfield")
    ad = ad_services.ad_create(workspace=workspace, author=author, fields={**GOOD_AD, "sender": dana})
    sign_in_as(page, author)
    page.goto(f"/ads/{ad.pk}/")
    panel = page.locator("#linkedin-panel")
    expect(panel).to_contain_text("Syncs to LinkedIn once a manager approves it.")
    panel.get_by_label("Campaign").select_option(label="Q4 Finance Webinar (active)")
    expect(
        panel.get_by_text(
            "Campaign saved: Q4 Finance Webinar. The ad syncs to it on LinkedIn once it is approved."
        )
    ).to_be_visible()
    expect(panel.locator("[data-campaign-sync]")).to_contain_text(
        "Choosing a campaign syncs the approved revision"
    )
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message").filter(has_text="is in review")).to_be_visible()

    # The manager approves; the approved revision is pushed to LinkedIn as the approval commits.
    sign_in_as(page, approver)
    page.goto(f"/review/ads/{ad.pk}/")
    page.get_by_role("button", name="Approve r1").click()
    expect(page.get_by_text("Approved “")).to_be_visible()
    page.goto(f"/ads/{ad.pk}/")
    panel = page.locator("#linkedin-panel")
    expect(panel.locator("[data-li-state]")).to_have_text("Synced")
    expect(panel).to_contain_text("creative urn:li:sponsoredCreative:")
    screenshot(page, "linkedin-5-synced")

    # The author presses Send test, sees it sending (LinkedIn is slow today), then sent.
    sign_in_as(page, author)
    page.goto(f"/ads/{ad.pk}/")
    panel = page.locator("#linkedin-panel")
    settings.LINKEDIN_SANDBOX_FAULTS = "latency_ms=1500"
    panel.get_by_role("button", name="Send test").click()
    expect(panel.locator("[data-li-sending]")).to_be_visible()
    expect(panel.get_by_role("button", name="Send test")).to_be_disabled()
    screenshot(page, "linkedin-6-sending")
    expect(panel.locator('[data-test-send-status="sent"]')).to_be_visible(timeout=15_000)
    settings.LINKEDIN_SANDBOX_FAULTS = ""
    # Named, with where it arrives, a link to it in the sandbox, and no stale "Sending…" beside it.
    expect(panel).to_contain_text("Test message sent to Ada Admin's LinkedIn inbox")
    expect(panel).not_to_contain_text("urn:li:person:")
    expect(panel.get_by_text("Sending a test message")).to_have_count(0)
    expect(panel.get_by_role("link", name="Open it in the sandbox inbox")).to_be_visible()
    expect(panel).to_contain_text("1 of 5 today")
    expect(panel.locator("[data-li-state]")).to_have_text("Tested")
    screenshot(page, "linkedin-7-sent")
    assert TestSend.objects.get(ad=ad).request_id

    # ... and opens Ada's test inbox in the sandbox: the message, with Ada's name filled in.
    page.goto("/sandbox/linkedin/inbox/ada-admin/")
    expect(page.locator(".sandbox-inbox-list")).to_contain_text("Dana Whitfield")
    expect(page.locator(".sandbox-inbox-list")).to_contain_text("Ada, a seat for our Q4 webinar?")
    frame = page.frame_locator("iframe.preview-frame")
    expect(frame.get_by_text("Hi Ada,", exact=True)).to_be_visible()
    expect(frame.get_by_text("Save my seat")).to_be_visible()
    screenshot(page, "linkedin-8-sandbox-inbox")
    assert sandbox.InboxMessage.objects.get().recipient.slug == "ada-admin"

    # The manager launches; the page reloads with the ad live and locked.
    sign_in_as(page, approver)
    page.goto(f"/ads/{ad.pk}/")
    # Launch asks first, naming the campaign it will spend in.
    page.locator("#linkedin-panel").get_by_text("Launch…").click()
    expect(page.locator(".li-launch-box")).to_contain_text("in the campaign Q4 Finance Webinar?")
    screenshot(page, "linkedin-9-launch-confirm")
    page.locator("#linkedin-panel").get_by_role("button", name="Launch in Q4 Finance Webinar").click()
    expect(page.locator(".notice-locked")).to_contain_text("This ad is live and can no longer be edited.")
    expect(page.locator("#linkedin-panel")).to_contain_text("ACTIVE")
    ad.refresh_from_db()
    assert ad.state == State.LIVE
    assert sandbox.Creative.objects.get().intended_status == "ACTIVE"

    # The author finds it locked: nothing to edit, and "duplicate as new draft" offered instead.
    sign_in_as(page, author)
    page.goto(f"/ads/{ad.pk}/")
    expect(page.locator(".notice-locked")).to_be_visible()
    expect(page.locator("#ad-form fieldset").first).to_have_attribute("disabled", "")
    expect(page.locator("#id_subject")).to_be_disabled()
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
    expect(page.get_by_role("button", name="Duplicate as new draft")).to_be_visible()
    expect(page.locator("#linkedin-panel").get_by_role("button", name="Send test")).to_have_count(0)
    screenshot(page, "linkedin-9-live-locked")
    page.get_by_role("button", name="Duplicate as new draft").click()
    expect(page.locator("#id_name")).to_have_value(f"{ad.name} (copy)")
    assert Ad.objects.filter(workspace=workspace).count() == 2
