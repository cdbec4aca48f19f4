""" "Connect LinkedIn" works at whatever address the site was opened at, and says what to set.

The site is opened as http://localhost:PORT while SITE_URL says http://127.0.0.1:PORT (the two are
different origins to the browser). The sandbox's consent page used to be SITE_URL's, a redirect to
another origin that the CSP's form-action refused with nothing on the page; now the consent page is
the one at the address in use, the connection completes, and the page names SITE_URL's mismatch.
The page fixture fails the test on any CSP violation.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.linkedin.models import ConnectionStatus, LinkedInConnection
from inmail_studio.sandbox.seed import seed

from .a11y import add_axe, overflow, run_axe
from .conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_connect_linkedin_at_an_address_other_than_site_url(
    page: Page, live_server: Any, settings: Any, workspace: Workspace, admin_user: User
) -> None:
    seed()
    assert "localhost" in live_server.url
    site = live_server.url.replace("localhost", "127.0.0.1")
    settings.SITE_URL = site
    settings.LINKEDIN_SANDBOX = True
    # As settings derive them when nothing is set: the sandbox under SITE_URL.
    settings.LINKEDIN_API_BASE_URL = f"{site}/sandbox/linkedin/rest"
    settings.LINKEDIN_OAUTH_BASE_URL = f"{site}/sandbox/linkedin/oauth/v2"
    settings.LINKEDIN_SANDBOX_FAULTS = ""
    add_axe(page.context)

    login(page, admin_user)
    page.goto("/linkedin/")
    notice = page.locator("[data-site-url-notice]")
    expect(notice).to_contain_text(f"SITE_URL={live_server.url}")
    assert overflow(page) <= 0 and run_axe(page) == []
    screenshot(page, "connect-elsewhere-notice")
    page.get_by_role("button", name="Connect LinkedIn").click()
    expect(page.get_by_role("button", name="Allow")).to_be_visible()
    assert page.url.startswith(f"{live_server.url}/sandbox/linkedin/oauth/v2/authorization")
    page.get_by_label("Ada Admin").check()
    page.get_by_role("button", name="Allow").click()
    expect(page.get_by_text("LinkedIn is connected.")).to_be_visible()
    assert LinkedInConnection.objects.get(workspace=workspace).status == ConnectionStatus.ACTIVE
