"""OAuth 2.0: consent page, authorization-code and refresh-token grants, introspection, expiry, revocation."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.conf import settings as django_settings

from inmail_studio.sandbox.models import Token
from inmail_studio.sandbox.tokens import APP_SCOPES
from tests.conftest import client_for, make_user

from .conftest import ACCOUNT_ID, Api

REDIRECT = "http://127.0.0.1:8000/linkedin/callback"


def authorize_url(**overrides: str) -> str:
    params = {
        "response_type": "code",
        "client_id": django_settings.LINKEDIN_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": APP_SCOPES,
        "state": "xyz-123",
        **overrides,
    }
    return "/sandbox/linkedin/oauth/v2/authorization?" + urlencode(params)


def consent(
    session: requests.Session, base: str, member: str = "ada-admin", decision: str = "allow"
) -> dict[str, list[str]]:
    """Open the consent page, pick the member and press the button; return the redirect's query."""
    page = session.get(base + authorize_url(), timeout=10)
    assert page.status_code == 200
    csrf = session.cookies["csrftoken"]
    form = {
        "csrfmiddlewaretoken": csrf,
        "response_type": "code",
        "client_id": django_settings.LINKEDIN_CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": APP_SCOPES,
        "state": "xyz-123",
        "member": member,
        "decision": decision,
    }
    answer = session.post(
        base + "/sandbox/linkedin/oauth/v2/authorization",
        data=form,
        headers={"Referer": base + authorize_url()},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT)
    return parse_qs(urlsplit(location).query)


def token_call(base: str, path: str, **data: str) -> requests.Response:
    data = {
        "client_id": django_settings.LINKEDIN_CLIENT_ID,
        "client_secret": django_settings.LINKEDIN_CLIENT_SECRET,
        **data,
    }
    return requests.post(f"{base}/sandbox/linkedin/oauth/v2/{path}", data=data, timeout=10)


def exchange(base: str, code: str) -> requests.Response:
    return token_call(base, "accessToken", grant_type="authorization_code", code=code, redirect_uri=REDIRECT)


@pytest.fixture
def base(live_server: Any, sandbox: None) -> str:
    return str(live_server.url)


def test_the_consent_page_lists_the_sandbox_members(base: str) -> None:
    page = requests.get(base + authorize_url(), timeout=10).text
    for name in ("Ada Admin", "Maya Marketer", "Dana Whitfield", "Marcus Lee", "Sofia Alvarez"):
        assert name in page
    assert "rw_ads" in page


def test_consent_redirects_back_with_a_code_and_the_state(base: str) -> None:
    query = consent(requests.Session(), base)
    assert query["state"] == ["xyz-123"]
    assert query["code"][0]


def test_cancelling_redirects_back_with_an_error_and_the_state(base: str) -> None:
    query = consent(requests.Session(), base, decision="cancel")
    assert query["error"] == ["user_cancelled_authorize"]
    assert query["state"] == ["xyz-123"]


def test_an_unknown_client_or_redirect_uri_is_refused_on_the_page(base: str) -> None:
    assert requests.get(base + authorize_url(client_id="someone-else"), timeout=10).status_code == 400
    assert (
        requests.get(base + authorize_url(redirect_uri="https://evil.example/cb"), timeout=10).status_code
        == 400
    )


def test_the_code_exchanges_once_for_tokens_that_work(base: str) -> None:
    code = consent(requests.Session(), base, member="maya-marketer")["code"][0]
    response = exchange(base, code)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in"] == pytest.approx(django_settings.SANDBOX_ACCESS_TOKEN_TTL, abs=5)
    assert body["refresh_token_expires_in"] == pytest.approx(django_settings.SANDBOX_REFRESH_TOKEN_TTL, abs=5)
    assert set(body["scope"].split(",")) == set(APP_SCOPES.split())
    api = Api(f"{base}/sandbox/linkedin/rest", body["access_token"])
    me = requests.get(
        f"{base}/sandbox/linkedin/v2/userinfo",
        headers={"Authorization": f"Bearer {body['access_token']}"},
        timeout=10,
    ).json()
    assert (me["sub"], me["name"]) == ("maya-marketer", "Maya Marketer")
    assert api.get(f"/adAccounts/{ACCOUNT_ID}").status_code == 200

    again = exchange(base, code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_request"


def test_a_wrong_client_secret_is_401(base: str) -> None:
    code = consent(requests.Session(), base)["code"][0]
    response = token_call(
        base,
        "accessToken",
        grant_type="authorization_code",
        code=code,
        redirect_uri=REDIRECT,
        client_secret="nope",
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_refresh_gives_a_new_access_token_but_never_extends_the_refresh_token(base: str) -> None:
    first = exchange(base, consent(requests.Session(), base)["code"][0]).json()
    time.sleep(1.1)
    refreshed = token_call(
        base, "accessToken", grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert refreshed.status_code == 200, refreshed.text
    body = refreshed.json()
    assert body["access_token"] != first["access_token"]
    assert body["refresh_token"] == first["refresh_token"]
    assert body["refresh_token_expires_in"] < first["refresh_token_expires_in"]
    assert (
        Api(f"{base}/sandbox/linkedin/rest", body["access_token"])
        .get(f"/adAccounts/{ACCOUNT_ID}")
        .status_code
        == 200
    )


def test_introspection_reports_active_then_expired(base: str, settings: Any) -> None:
    settings.SANDBOX_ACCESS_TOKEN_TTL = 1
    body = exchange(base, consent(requests.Session(), base)["code"][0]).json()
    active = token_call(base, "introspectToken", token=body["access_token"]).json()
    assert active["active"] is True
    assert active["status"] == "active"
    assert set(active["scope"].split(",")) == set(APP_SCOPES.split())
    assert isinstance(active["expires_at"], int)
    time.sleep(1.2)
    expired = token_call(base, "introspectToken", token=body["access_token"]).json()
    assert (expired["active"], expired["status"]) == (False, "expired")
    response = Api(f"{base}/sandbox/linkedin/rest", body["access_token"]).get(f"/adAccounts/{ACCOUNT_ID}")
    assert response.status_code == 401
    assert response.json()["code"] == "EXPIRED_ACCESS_TOKEN"
    # The refresh token still works after the access token expired.
    refreshed = token_call(
        base, "accessToken", grant_type="refresh_token", refresh_token=body["refresh_token"]
    )
    assert refreshed.status_code == 200


def test_an_expired_refresh_token_is_refused(base: str, settings: Any) -> None:
    settings.SANDBOX_REFRESH_TOKEN_TTL = 1
    body = exchange(base, consent(requests.Session(), base)["code"][0]).json()
    time.sleep(1.2)
    response = token_call(
        base, "accessToken", grant_type="refresh_token", refresh_token=body["refresh_token"]
    )
    assert response.status_code == 400
    assert "expired" in response.json()["error_description"]


def test_revoking_on_the_console_makes_the_api_answer_401_and_blocks_refresh(base: str) -> None:
    body = exchange(base, consent(requests.Session(), base)["code"][0]).json()
    staff = client_for(make_user("ops", is_staff=True))
    access = Token.objects.get(kind=Token.Kind.ACCESS)
    assert staff.post(f"/sandbox/linkedin/console/tokens/{access.pk}/revoke").status_code == 302
    response = Api(f"{base}/sandbox/linkedin/rest", body["access_token"]).get(f"/adAccounts/{ACCOUNT_ID}")
    assert response.status_code == 401
    assert response.json()["code"] == "REVOKED_ACCESS_TOKEN"
    introspected = token_call(base, "introspectToken", token=body["access_token"]).json()
    assert introspected["status"] == "revoked"
    refresh = token_call(base, "accessToken", grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert refresh.status_code == 400


def test_the_revoke_endpoint_revokes_a_token(base: str) -> None:
    body = exchange(base, consent(requests.Session(), base)["code"][0]).json()
    assert token_call(base, "revoke", token=body["access_token"]).status_code == 200
    assert (
        Api(f"{base}/sandbox/linkedin/rest", body["access_token"])
        .get(f"/adAccounts/{ACCOUNT_ID}")
        .status_code
        == 401
    )
    # The refresh token is a token of its own: it still works until it is revoked too.
    assert (
        token_call(
            base, "accessToken", grant_type="refresh_token", refresh_token=body["refresh_token"]
        ).status_code
        == 200
    )


def test_revoking_the_refresh_token_takes_its_access_tokens_with_it(base: str) -> None:
    body = exchange(base, consent(requests.Session(), base)["code"][0]).json()
    assert token_call(base, "revoke", token=body["refresh_token"]).status_code == 200
    assert token_call(base, "introspectToken", token=body["access_token"]).json()["status"] == "revoked"
    refresh = token_call(base, "accessToken", grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert refresh.status_code == 400


def test_revoking_needs_the_apps_own_credentials(base: str) -> None:
    body = exchange(base, consent(requests.Session(), base)["code"][0]).json()
    refused = token_call(base, "revoke", token=body["access_token"], client_secret="nope")
    assert refused.status_code == 401
    assert token_call(base, "introspectToken", token=body["access_token"]).json()["active"] is True


def test_an_oauth_form_the_contract_does_not_list_is_refused(base: str) -> None:
    response = token_call(base, "accessToken", grant_type="client_credentials")
    assert response.status_code == 400
    assert "NOT_IN_CONTRACT" not in response.json()["error"]
    assert "contract" in response.json()["error_description"]


def test_an_unknown_scope_is_sent_back_as_invalid_scope(base: str) -> None:
    answer = requests.get(base + authorize_url(scope="r_ads w_everything"), allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    assert parse_qs(urlsplit(answer.headers["Location"]).query)["error"] == ["invalid_scope"]


def test_userinfo_needs_openid_and_names_the_member_with_profile(base: str, token_for: Any) -> None:
    url = f"{base}/sandbox/linkedin/v2/userinfo"

    def call(token: str) -> requests.Response:
        return requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    assert call(token_for("maya-marketer", "r_ads rw_ads")).status_code == 403
    bare = call(token_for("maya-marketer", "openid")).json()
    assert bare["sub"] == "maya-marketer" and "name" not in bare
    full = call(token_for("maya-marketer", "openid profile")).json()
    assert (full["given_name"], full["family_name"]) == ("Maya", "Marketer")
    assert call("nope").status_code == 401
