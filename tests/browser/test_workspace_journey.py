"""A workspace admin runs the workspace from its product pages, on a desktop and on a phone: invites
someone by email with a role, the invitee joins through the emailed link, the admin changes a role,
adds a sender, and reads the audit trail filtered by person. Every page fits the window and axe
finds nothing on it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from inmail_studio.accounts.models import Membership, Role, User, Workspace
from inmail_studio.ads.models import Ad
from inmail_studio.review import services as review_services
from tests.conftest import PASSWORD

from .a11y import add_axe, overflow, run_axe, widest
from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"desktop": (1440, 960), "phone": (390, 844)}


def _check(page: Page, name: str) -> None:
    page.wait_for_load_state("load")
    assert overflow(page) <= 0, (name, widest(page))
    assert run_axe(page) == [], name
    screenshot(page, name)


def _sign_in(page: Page, user: User) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    # Authors and admins land on Drafts, approvers on their review queue.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _nav(page: Page, width: str, name: str) -> None:
    if width == "phone":
        page.get_by_text("Menu", exact=True).click()
        page.locator(".navmenu-links").get_by_role("link", name=name).click()
    else:
        page.locator(".mainnav").get_by_role("link", name=name).click()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_admin_invites_a_member_changes_a_role_adds_a_sender_and_reads_the_audit_trail(
    width: str,
    browser: Browser,
    live_server: Any,
    workspace: Workspace,
    admin_user: User,
    author: User,
    ad: Ad,
) -> None:
    review_services.submit(ad_id=ad.pk, actor=author)
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    add_axe(context)
    page = context.new_page()
    _sign_in(page, admin_user)

    _nav(page, width, "Workspace")
    expect(page.get_by_role("heading", name="Members", level=1)).to_be_visible()
    page.get_by_label("Email address").fill("nia@example.org")
    page.get_by_label("Role", exact=True).select_option(Role.APPROVER)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation emailed to nia@example.org as approver")).to_be_visible()
    expect(page.get_by_role("cell", name="nia@example.org", exact=True)).to_be_visible()
    _check(page, f"workspace-members-{width}")

    # A mistake is said next to the field, what was typed kept.
    page.get_by_label("Email address").fill(author.email)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text(f"{author.email} is already a member")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value(author.email)
    _check(page, f"workspace-invite-refused-{width}")

    # Alice becomes an approver.
    page.get_by_label("Role of Alice Author").select_option(Role.APPROVER)
    page.get_by_role("button", name="Change role of Alice Author").click()
    expect(page.get_by_text("Alice Author is now approver.")).to_be_visible()
    assert Membership.objects.get(user=author, workspace=workspace).role == Role.APPROVER

    # A sender, with everything LinkedIn shows.
    page.locator(".subnav").get_by_role("link", name="Senders").click()
    page.get_by_label("Name").fill("Priya Patel")
    page.get_by_label("Headline").fill("CMO at Acme Cloud")
    page.get_by_label("LinkedIn URN").fill("urn:li:person:priya")
    page.get_by_role("button", name="Add sender").click()
    expect(page.get_by_text("Priya Patel added.")).to_be_visible()
    _check(page, f"workspace-senders-{width}")

    page.locator(".subnav").get_by_role("link", name="Audit trail").click()
    page.get_by_label("Person").select_option(label="Alice Author")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("cell", name="Submitted for review").first).to_be_visible()
    expect(page.get_by_role("link", name="Export CSV (filtered)")).to_be_visible()
    _check(page, f"workspace-audit-{width}")

    page.locator(".subnav").get_by_role("link", name="Settings").click()
    _check(page, f"workspace-settings-{width}")
    context.close()

    # The invitee opens the emailed link in a browser of their own and makes their account.
    found = re.search(r"https?://[^/\s]+(/workspace/join/[^/\s]+/)", mail.outbox[-1].body)
    assert found
    guest = browser.new_context(viewport={"width": w, "height": h}, base_url=live_server.url)
    guest.set_default_timeout(10_000)
    add_axe(guest)
    invitee = guest.new_page()
    invitee.goto(found.group(1))
    expect(invitee.get_by_role("heading", name="Join Acme Cloud")).to_be_visible()
    _check(invitee, f"workspace-join-{width}")
    invitee.get_by_label("First name").fill("Nia")
    invitee.get_by_label("Last name").fill("New")
    invitee.get_by_label("Username").fill("nia")
    invitee.get_by_label("Password", exact=True).fill(PASSWORD)
    invitee.get_by_label("Password confirmation").fill(PASSWORD)
    invitee.get_by_role("button", name="Make my account and join").click()
    expect(invitee.get_by_text("Welcome to Acme Cloud. You are approver here.")).to_be_visible()
    nia = User.objects.get(username="nia")
    assert Membership.objects.get(user=nia, workspace=workspace).role == Role.APPROVER
    guest.close()
