"""Connecting a workspace through the pages: OAuth with the sandbox's consent page, the account picker,
the reconnect banner, and who may do what. The sandbox answers over real HTTP (a live server)."""

from __future__ import annotations

import html
import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Sender, SenderPermission
from inmail_studio.linkedin.models import Campaign, ConnectionStatus, LinkedInConnection
from tests.conftest import client_for

from .conftest import ACCOUNT, connect

pytestmark = pytest.mark.usefixtures("sandbox_url")


def _text(response: Any) -> str:
    """The page as a person reads it (Django escapes apostrophes)."""
    return html.unescape(response.content.decode())


def _start(client: Client) -> dict[str, str]:
    """Press "Connect LinkedIn"; returns the authorization request's parameters."""
    response = client.post("/linkedin/connect/")
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(django_settings.LINKEDIN_OAUTH_BASE_URL + "/authorization?")
    assert "scope=rw_ads%20r_ads%20r_ads_reporting%20openid%20profile" in location  # %20, as LinkedIn shows
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _consent(
    client: Client, params: dict[str, str], *, member: str = "ada-admin", decision: str = "allow"
) -> str:
    """The sandbox member's answer on the consent page; returns where LinkedIn sends the browser back."""
    response = client.post(
        "/sandbox/linkedin/oauth/v2/authorization", {**params, "member": member, "decision": decision}
    )
    assert response.status_code == 302, response.content
    back = urlsplit(response["Location"])
    assert back.path == "/linkedin/callback/"
    return f"{back.path}?{back.query}"


def _connect_through_pages(client: Client) -> list[Any]:
    """The whole journey; returns every response so a test can look through them."""
    seen: list[Any] = []
    params = _start(client)
    consent = client.get("/sandbox/linkedin/oauth/v2/authorization", params)
    seen.append(consent)
    callback = client.get(_consent(client, params), follow=True)
    seen.append(callback)
    assert callback.redirect_chain[-1][0] == "/linkedin/account/"
    choose = client.post("/linkedin/account/", {"account": ACCOUNT}, follow=True)
    seen.append(choose)
    return seen


def test_an_admin_connects_through_the_consent_page_and_picks_the_ad_account(
    admin_user: User, workspace: Workspace
) -> None:
    client = client_for(admin_user)
    params = _start(client)
    # rw_ads r_ads to manage ads, r_ads_reporting for results, openid profile to know the member.
    assert params["scope"] == "rw_ads r_ads r_ads_reporting openid profile" and params["state"]
    consent = client.get("/sandbox/linkedin/oauth/v2/authorization", params)
    assert b"Ada Admin" in consent.content

    picker = client.get(_consent(client, params), follow=True)
    assert b"Choose the ad account" in picker.content
    assert b"Acme Cloud" in picker.content and ACCOUNT.encode() in picker.content
    connection = LinkedInConnection.objects.get(workspace=workspace)
    assert connection.status == ConnectionStatus.ACTIVE
    # Who the member is comes from OpenID Connect's userinfo, not /rest/me (which needs r_basicprofile).
    assert (connection.member_urn, connection.member_name) == ("urn:li:person:ada-admin", "Ada Admin")
    assert connection.access_token.reveal() not in connection.access_token_ciphertext

    done = client.post("/linkedin/account/", {"account": ACCOUNT}, follow=True)
    assert b"Ad account chosen" in done.content
    workspace.refresh_from_db()
    assert workspace.ad_account_urn == ACCOUNT
    assert Campaign.objects.filter(workspace=workspace, name="Q4 Finance Webinar").exists()
    assert Sender.objects.filter(
        workspace=workspace, urn="urn:li:person:dana-whitfield", permission=SenderPermission.APPROVED
    ).exists()


def test_a_callback_whose_state_does_not_match_is_refused_with_a_clear_message(
    admin_user: User, workspace: Workspace
) -> None:
    client = client_for(admin_user)
    params = _start(client)
    back = _consent(client, {**params, "state": "forged-state"})
    page = client.get(back, follow=True)
    assert "didn't match one started here" in _text(page)
    assert page.redirect_chain[-1][0] == "/linkedin/"
    assert not LinkedInConnection.objects.filter(workspace=workspace).exists()


def test_a_callback_without_a_pending_sign_in_is_refused(admin_user: User, workspace: Workspace) -> None:
    page = client_for(admin_user).get("/linkedin/callback/?code=abc&state=xyz", follow=True)
    assert "didn't match one started here" in _text(page)
    assert not LinkedInConnection.objects.filter(workspace=workspace).exists()


def test_a_member_who_cancels_on_the_consent_page_comes_back_to_a_message(
    admin_user: User, workspace: Workspace
) -> None:
    client = client_for(admin_user)
    params = _start(client)
    page = client.get(_consent(client, params, decision="cancel"), follow=True)
    text = _text(page)
    assert "LinkedIn didn't grant access" in text and "refused to authorize" in text
    assert not LinkedInConnection.objects.filter(workspace=workspace).exists()


def test_a_code_linkedin_will_not_exchange_shows_its_refusal(admin_user: User, workspace: Workspace) -> None:
    client = client_for(admin_user)
    params = _start(client)
    page = client.get(f"/linkedin/callback/?code=not-a-code&state={params['state']}", follow=True)
    text = _text(page)
    assert "LinkedIn didn't complete the sign-in" in text
    assert "authorization code not found" in text
    assert not LinkedInConnection.objects.filter(workspace=workspace).exists()


def test_a_code_used_twice_is_refused_the_second_time(admin_user: User, workspace: Workspace) -> None:
    client = client_for(admin_user)
    params = _start(client)
    back = _consent(client, params)
    client.get(back)
    LinkedInConnection.objects.filter(workspace=workspace).delete()
    # The same return again: the state was spent with the first use.
    page = client.get(back, follow=True)
    assert "didn't match one started here" in _text(page)
    assert not LinkedInConnection.objects.filter(workspace=workspace).exists()


@pytest.mark.parametrize("persona", ["author", "approver", "viewer"])
def test_only_an_admin_may_connect_or_pick_the_account(
    persona: str, request: pytest.FixtureRequest, admin_user: User, workspace: Workspace
) -> None:
    user = request.getfixturevalue(persona)
    connect(workspace, admin_user)
    client = client_for(user)
    page = client.get("/linkedin/")
    assert page.status_code == 200
    assert b"Only a workspace admin can connect" in page.content
    assert b"Connect LinkedIn</button>" not in page.content
    for method, url in (
        ("post", "/linkedin/connect/"),
        ("get", "/linkedin/account/"),
        ("post", "/linkedin/account/"),
        ("post", "/linkedin/refresh/"),
        ("post", "/linkedin/disconnect/"),
    ):
        assert getattr(client, method)(url).status_code == 403, url
    assert LinkedInConnection.objects.filter(workspace=workspace).exists()


def test_a_viewer_may_not_import_but_an_author_may(
    viewer: User, author: User, admin_user: User, workspace: Workspace
) -> None:
    connect(workspace, admin_user)
    assert client_for(viewer).post("/linkedin/import/").status_code == 403
    assert client_for(author).post("/linkedin/import/").status_code == 302


@pytest.mark.parametrize(
    "method,url",
    [
        ("get", "/linkedin/"),
        ("post", "/linkedin/connect/"),
        ("get", "/linkedin/callback/?code=x&state=y"),
        ("get", "/linkedin/account/"),
        ("post", "/linkedin/refresh/"),
        ("post", "/linkedin/disconnect/"),
        ("post", "/linkedin/import/"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(method: str, url: str) -> None:
    response = getattr(Client(), method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_account_picker_refuses_an_account_the_member_cannot_access(
    admin_user: User, workspace: Workspace
) -> None:
    client = client_for(admin_user)
    params = _start(client)
    client.get(_consent(client, params))
    page = client.post("/linkedin/account/", {"account": "urn:li:sponsoredAccount:1"})
    assert page.status_code == 422
    assert "Choose one of the ad accounts the connected member can access." in _text(page)
    workspace.refresh_from_db()
    assert workspace.ad_account_urn != "urn:li:sponsoredAccount:1"


def test_an_outsider_connecting_their_own_workspace_does_not_touch_this_one(
    outsider: User, other_workspace: Workspace, workspace: Workspace
) -> None:
    client = client_for(outsider)
    params = _start(client)
    client.get(_consent(client, params))
    assert LinkedInConnection.objects.filter(workspace=other_workspace).exists()
    assert not LinkedInConnection.objects.filter(workspace=workspace).exists()


def _revoke_in_sandbox(token: str) -> None:
    response = requests.post(
        f"{django_settings.LINKEDIN_OAUTH_BASE_URL}/revoke",
        data={
            "token": token,
            "client_id": django_settings.LINKEDIN_CLIENT_ID,
            "client_secret": django_settings.LINKEDIN_CLIENT_SECRET,
        },
        timeout=5,
    )
    assert response.status_code == 200


def test_a_revoked_grant_shows_admins_the_reconnect_banner_and_nobody_else(
    admin_user: User, author: User, workspace: Workspace
) -> None:
    connection = connect(workspace, admin_user)
    refresh = connection.refresh_token
    assert refresh is not None
    _revoke_in_sandbox(refresh.reveal())  # the member removed the app: access tokens go too

    admin = client_for(admin_user)
    assert b"LinkedIn needs reconnecting" not in admin.get("/ads/").content  # nothing has noticed yet
    page = admin.post("/linkedin/refresh/", follow=True)  # the first call gets a 401, the refresh a refusal
    text = _text(page)
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.REVOKED
    assert "LinkedIn needs reconnecting" in text and "Reconnect LinkedIn" in text
    assert "LinkedIn needs reconnecting" in admin.get("/ads/").content.decode()
    assert b"LinkedIn needs reconnecting" not in client_for(author).get("/ads/").content


def test_an_expired_token_without_a_refresh_token_shows_the_banner(
    admin_user: User, workspace: Workspace
) -> None:
    connection = connect(workspace, admin_user)
    LinkedInConnection.objects.filter(pk=connection.pk).update(
        expires_at=timezone.now() - timezone.timedelta(minutes=1), refresh_token_ciphertext=""
    )
    page = client_for(admin_user).get("/ads/")
    assert "LinkedIn needs reconnecting" in _text(page)


def test_no_token_shows_in_any_page_log_record_or_admin_page(
    admin_user: User, workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_for(admin_user)
    seen = _connect_through_pages(client)
    connection = LinkedInConnection.objects.get(workspace=workspace)
    access, refresh = connection.access_token.reveal(), connection.refresh_token
    assert refresh is not None
    secrets = [
        access,
        refresh.reveal(),
        connection.access_token_ciphertext,
        connection.refresh_token_ciphertext,
    ]

    seen += [client.get(url) for url in ("/linkedin/", "/linkedin/account/", "/ads/")]
    _revoke_in_sandbox(refresh.reveal())
    seen.append(client.post("/linkedin/refresh/", follow=True))  # the error path, banner and all
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    staff = client_for(admin_user)
    seen += [
        staff.get("/admin/linkedin/linkedinconnection/"),
        staff.get(f"/admin/linkedin/linkedinconnection/{connection.pk}/change/"),
    ]
    assert all(r.status_code == 200 for r in seen), [r.status_code for r in seen]
    for response in seen:
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body
    logged = caplog.text + "".join(repr(r.__dict__) for r in caplog.records)
    for secret in secrets:
        assert secret not in logged
