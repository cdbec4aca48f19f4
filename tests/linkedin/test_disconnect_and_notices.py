"""Disconnecting revokes both tokens at LinkedIn and records who did it; admins are told, in a banner,
what only they can fix: permissions the app now needs, and an API version LinkedIn refuses or retires
within 60 days. Features that need a missing permission say why instead of failing."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import pytest
import requests
from django.conf import settings as django_settings

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad
from inmail_studio.guidance import services as guidance
from inmail_studio.guidance.models import ResultsPull
from inmail_studio.linkedin import selectors, versions
from inmail_studio.linkedin.client import Secret
from inmail_studio.linkedin.models import ConnectionAction, ConnectionEvent, LinkedInConnection
from inmail_studio.sandbox import contract
from inmail_studio.sandbox.tokens import token_find, token_status
from tests.conftest import client_for

from .conftest import ACCOUNT, connect

pytestmark = pytest.mark.usefixtures("sandbox_url")


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _works(token: Secret) -> bool:
    answer = requests.get(
        f"{django_settings.LINKEDIN_API_BASE_URL}/adAccounts/{ACCOUNT.rsplit(':', 1)[-1]}",
        headers={
            "Authorization": f"Bearer {token.reveal()}",
            "LinkedIn-Version": django_settings.LINKEDIN_API_VERSION,
            "X-Restli-Protocol-Version": "2.0.0",
        },
        timeout=10,
    )
    return answer.status_code == 200


# --- disconnect -----------------------------------------------------------------------------------


def test_disconnecting_revokes_both_tokens_at_linkedin_records_who_and_says_so(
    workspace: Workspace, admin_user: User
) -> None:
    connection = connect(workspace, admin_user)
    access, refresh = connection.access_token, connection.refresh_token
    assert refresh is not None and _works(access)
    contract.forget()

    page = client_for(admin_user).post("/linkedin/disconnect/", follow=True, REMOTE_ADDR="203.0.113.9")
    text = _text(page)
    assert "LinkedIn is disconnected: LinkedIn revoked the refresh and access tokens" in text
    assert not LinkedInConnection.objects.filter(workspace=workspace).exists()
    assert [s.row for s in contract.seen()] == ["R05", "R05"]  # the documented revoke, once per token
    # At LinkedIn: both revoked, the old token no longer works anywhere.
    for value, kind in ((access, "access"), (refresh, "refresh")):
        row = token_find(value.reveal(), kind)
        assert row is not None and token_status(row) == "revoked"
    assert not _works(access)
    # The audit trail: who, when, from where, what LinkedIn confirmed; shown on the page.
    event = ConnectionEvent.objects.get(workspace=workspace, action=ConnectionAction.DISCONNECTED)
    assert (event.actor, event.member_urn, event.ip) == (admin_user, "urn:li:person:ada-admin", "203.0.113.9")
    assert event.detail == "Revoked at LinkedIn: refresh, access."
    assert (
        "Connection history" in text and "disconnected LinkedIn" in text and admin_user.display_name in text
    )
    with pytest.raises(TypeError):
        event.delete()


def test_when_linkedin_cannot_be_reached_the_tokens_are_still_deleted_and_the_page_says_what_to_do(
    workspace: Workspace, admin_user: User, settings: Any
) -> None:
    connection = connect(workspace, admin_user)
    access = connection.access_token
    settings.LINKEDIN_OAUTH_BASE_URL = "http://127.0.0.1:9/oauth/v2"  # nothing listens there
    text = _text(client_for(admin_user).post("/linkedin/disconnect/", follow=True))
    assert "its tokens are deleted here, but LinkedIn did not confirm revoking them" in text
    assert "Permitted services" in text
    assert not LinkedInConnection.objects.filter(workspace=workspace).exists()
    assert _works(access)  # honest: LinkedIn never heard of it
    event = ConnectionEvent.objects.get(action=ConnectionAction.DISCONNECTED)
    assert event.detail.startswith("Revoked at LinkedIn: none. Not revoked: refresh token:")


@pytest.mark.parametrize("persona", ["author", "approver", "viewer"])
def test_only_an_admin_may_disconnect(
    persona: str, request: pytest.FixtureRequest, workspace: Workspace, admin_user: User
) -> None:
    connection = connect(workspace, admin_user)
    user = request.getfixturevalue(persona)
    assert client_for(user).post("/linkedin/disconnect/").status_code == 403
    assert _works(connection.access_token)
    assert not ConnectionEvent.objects.filter(action=ConnectionAction.DISCONNECTED).exists()


def test_connecting_is_recorded_with_the_permissions_granted(workspace: Workspace, admin_user: User) -> None:
    from .test_views_connection import _consent, _start

    client = client_for(admin_user)
    client.get(_consent(client, _start(client)))
    event = ConnectionEvent.objects.get(workspace=workspace)
    assert event.action == ConnectionAction.CONNECTED and event.actor == admin_user
    assert set(event.detail.removeprefix("Granted: ").split()) == {
        "rw_ads",
        "r_ads",
        "r_ads_reporting",
        "openid",
        "profile",
    }


# --- permissions the app now needs --------------------------------------------------------------


def test_a_connection_without_reporting_shows_admins_a_reconnect_to_grant_banner(
    workspace: Workspace, admin_user: User, author: User
) -> None:
    connect(workspace, admin_user, scope="r_ads rw_ads")
    page = _text(client_for(admin_user).get("/ads/"))
    assert "Reconnect LinkedIn to grant r_ads_reporting, openid, profile." in page
    assert "reading results (ad analytics) needs r_ads_reporting" in page
    assert "Reconnect LinkedIn to grant" not in _text(client_for(author).get("/ads/"))


def test_results_say_why_they_are_unavailable_instead_of_calling_linkedin_for_a_403(
    make_synced_ready_ad: Any, connected: LinkedInConnection, author: User, approver: User
) -> None:
    from tests.guidance.test_results import go_live

    ad: Ad = make_synced_ready_ad()
    go_live(ad, author=author, approver=approver)
    LinkedInConnection.objects.filter(pk=connected.pk).update(scopes="r_ads rw_ads openid profile")
    contract.forget()
    assert guidance.results_pull(ad_id=ad.pk) == 0
    assert contract.seen() == []  # LinkedIn was not asked
    pull = ResultsPull.objects.get(ad=ad)
    assert pull.error == (
        "LinkedIn wasn't asked for r_ads_reporting (reading results (ad analytics)) when this workspace was "
        "connected. A workspace admin must reconnect LinkedIn to grant r_ads_reporting."
    )
    page = _text(client_for(author).get(f"/guidance/ads/{ad.pk}/results/"))
    assert "reconnect LinkedIn to grant r_ads_reporting" in page


def test_a_full_grant_shows_no_banner(workspace: Workspace, admin_user: User) -> None:
    connect(workspace, admin_user)
    assert selectors.admin_notices(admin_user.memberships.get(workspace=workspace)) == []


# --- the API version ------------------------------------------------------------------------------


def test_admins_are_warned_sixty_days_before_the_configured_version_sunsets(
    workspace: Workspace, admin_user: User, settings: Any
) -> None:
    connect(workspace, admin_user)
    membership = admin_user.memberships.get(workspace=workspace)
    settings.LINKEDIN_API_VERSION = "202601"  # sunsets 15 January 2027 (migrations page)
    assert selectors.admin_notices(membership, today=date(2026, 11, 15)) == []  # 61 days before
    (notice,) = selectors.admin_notices(membership, today=date(2026, 11, 16))  # 60 days before
    assert notice.kind == "version" and not notice.urgent
    assert notice.text.startswith("LinkedIn retires API version 202601 on 15 January 2027, in 60 days.")
    newest = versions.newest_active(date(2026, 11, 16))
    assert newest is not None and f"Set LINKEDIN_API_VERSION={newest.name}" in notice.text


def test_a_version_linkedin_refuses_is_an_urgent_banner_naming_the_setting(
    workspace: Workspace, admin_user: User, settings: Any
) -> None:
    connect(workspace, admin_user)
    settings.LINKEDIN_API_VERSION = "202610"  # never in LinkedIn's list
    page = _text(client_for(admin_user).get("/ads/"))
    assert "LinkedIn API version: refused" in page
    assert (
        "LinkedIn never released API version 202610; every call is refused (426). Set LINKEDIN_API_VERSION="
        in page
    )


def test_a_426_during_a_sync_tells_the_admin_which_setting_to_change_and_to_what(
    make_synced_ready_ad: Any, settings: Any
) -> None:
    settings.LINKEDIN_API_VERSION = "202511"
    ad = make_synced_ready_ad()
    attempt = ad.sync_attempts.get()
    assert attempt.error_code == "NONEXISTENT_VERSION"
    assert "LinkedIn no longer accepts API version 202511 (LINKEDIN_API_VERSION)" in attempt.error
    assert "An administrator must set LINKEDIN_API_VERSION=2026" in attempt.error
