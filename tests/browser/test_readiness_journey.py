"""The admin's day-one journey in Chromium: a connection made before the app asked for reporting shows
the "reconnect to grant" banner; the readiness check says what to fix; reconnecting fixes it; then
disconnecting revokes the tokens at LinkedIn and the page says so."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.linkedin.models import LinkedInConnection
from inmail_studio.sandbox.tokens import token_find, token_status
from tests.linkedin.conftest import connect

from .conftest import login, screenshot
from .test_linkedin_journey import linkedin_sandbox  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("linkedin_sandbox")]


def test_an_admin_checks_readiness_reconnects_to_grant_what_is_missing_and_disconnects(
    page: Page,
    workspace: Workspace,
    admin_user: User,
) -> None:
    connect(workspace, admin_user, scope="r_ads rw_ads")  # connected before the app asked for more
    login(page, admin_user)
    banner = page.locator('[data-notice="scopes"]')
    expect(banner).to_contain_text("Reconnect LinkedIn to grant r_ads_reporting, openid, profile.")
    page.locator(".mainnav").get_by_role("link", name="LinkedIn").click()
    page.get_by_role("link", name="Readiness check").click()
    page.get_by_role("button", name="Run the check").click()
    expect(page.get_by_role("heading", name="1 check to fix")).to_be_visible()
    scopes = page.locator('[data-check="scopes"]')
    expect(scopes).to_have_attribute("data-state", "failed")
    expect(scopes).to_contain_text("What to do: Press “Reconnect LinkedIn”")
    expect(page.locator('[data-check="role"]')).to_have_attribute("data-state", "passed")
    screenshot(page, "readiness-1-missing-scopes")

    # Reconnect through the consent page, allowing everything asked: the check passes.
    page.goto("/linkedin/")
    page.get_by_role("button", name="Reconnect LinkedIn").click()
    page.get_by_label("Ada Admin").check()
    page.get_by_role("button", name="Allow").click()
    page.get_by_label("Acme Cloud — EMEA").check()
    page.get_by_role("button", name="Use this account").click()
    expect(page.locator('[data-notice="scopes"]')).to_have_count(0)
    page.goto("/linkedin/readiness/")
    page.get_by_role("button", name="Run the check").click()
    expect(page.get_by_role("heading", name="Ready for LinkedIn")).to_be_visible()
    screenshot(page, "readiness-2-ready")

    # Disconnect: both tokens revoked at LinkedIn, and the history says who did it.
    connection = LinkedInConnection.objects.get(workspace=workspace)
    access = connection.access_token.reveal()
    page.goto("/linkedin/")
    page.get_by_role("button", name="Disconnect").click()
    expect(
        page.get_by_text("LinkedIn is disconnected: LinkedIn revoked the refresh and access tokens")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Connection history")).to_be_visible()
    expect(page.locator(".li-events")).to_contain_text("disconnected LinkedIn")
    screenshot(page, "readiness-3-disconnected")
    token = token_find(access, "access")
    assert token is not None and token_status(token) == "revoked"
