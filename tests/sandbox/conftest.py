"""The sandbox over real HTTP: a live server, `requests`, seeded accounts and members, tokens per member."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
import requests
from django.conf import settings

from inmail_studio.sandbox import seed, tokens
from inmail_studio.sandbox.models import Member

ACCOUNT = "urn:li:sponsoredAccount:508915158"
ACCOUNT_ID = 508915158
OTHER_ACCOUNT_ID = seed.OTHER_ACCOUNT_ID


def current_version() -> str:
    """The version the app sends: one the calendar lists as answered today."""
    return str(settings.LINKEDIN_API_VERSION)


def encode(urn: str) -> str:
    return quote(urn, safe="")


class Api:
    """A bare Rest.li caller: base URL, token and the two headers LinkedIn requires."""

    def __init__(self, base: str, token: str, version: str | None = None):
        self.base = base
        self.session = requests.Session()
        self.token = token
        self.version = version or current_version()

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "LinkedIn-Version": self.version,
            "X-Restli-Protocol-Version": "2.0.0",
        }
        headers.update(extra or {})
        return {k: v for k, v in headers.items() if v is not None}

    def get(self, path: str, headers: dict[str, Any] | None = None, **kw: Any) -> requests.Response:
        return self.session.get(
            self.base + path, headers=self.headers(headers), timeout=kw.pop("timeout", 10), **kw
        )

    def post(
        self, path: str, body: Any = None, headers: dict[str, Any] | None = None, **kw: Any
    ) -> requests.Response:
        return self.session.post(
            self.base + path, json=body, headers=self.headers(headers), timeout=kw.pop("timeout", 10), **kw
        )

    def patch(
        self, path: str, fields: dict[str, Any], headers: dict[str, Any] | None = None
    ) -> requests.Response:
        return self.post(
            path, {"patch": {"$set": fields}}, {"X-RestLi-Method": "PARTIAL_UPDATE", **(headers or {})}
        )

    def create(self, path: str, body: dict[str, Any]) -> str:
        response = self.post(path, body)
        assert response.status_code == 201, response.text
        from urllib.parse import unquote

        return unquote(response.headers["x-restli-id"])


@pytest.fixture
def sandbox(transactional_db: None) -> None:
    seed.seed()


@pytest.fixture
def token_for(sandbox: None) -> Callable[..., str]:
    def make(slug: str = "ada-admin", scope: str = tokens.APP_SCOPES) -> str:
        return tokens.sandbox_token_issue(member=Member.objects.get(slug=slug), scope=scope)

    return make


@pytest.fixture
def rest_base(live_server: Any) -> str:
    return f"{live_server.url}/sandbox/linkedin/rest"


@pytest.fixture
def api(rest_base: str, token_for: Callable[..., str]) -> Api:
    """Ada Admin (ACCOUNT_MANAGER on the demo account) with the scopes the app asks for."""
    return Api(rest_base, token_for())


@pytest.fixture
def api_as(rest_base: str, token_for: Callable[..., str]) -> Callable[..., Api]:
    def make(slug: str = "ada-admin", scope: str = tokens.APP_SCOPES) -> Api:
        return Api(rest_base, token_for(slug, scope))

    return make


def message_ad(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "account": ACCOUNT,
        "name": "Q4 webinar invite",
        "sender": "urn:li:person:dana-whitfield",
        "subject": "%FIRSTNAME%, a seat for our Q4 webinar?",
        "htmlBody": "<p>Hi %FIRSTNAME%,</p><p>Join us on <b>12 December</b>.</p>",
        "customFooter": "Acme Cloud, 1 Market St.",
        "subContent": {
            "regular": {
                "callToActionText": "Save my seat",
                "callToActionLandingPageUrl": "https://example.com/webinar",
            }
        },
    }
    body.update(overrides)
    return body


def code_of(response: requests.Response) -> str:
    """LinkedIn's most specific code: the first errorDetails.inputErrors[].code, else the top-level code."""
    body = response.json()
    inputs = (body.get("errorDetails") or {}).get("inputErrors") or []
    return str(inputs[0]["code"]) if inputs else str(body.get("code", ""))


def as_urn(value: str, urn_type: str) -> str:
    """A created id as its URN: some creates answer the bare number (contract R11, R27)."""
    return f"urn:li:{urn_type}:{value}" if value.isdigit() else value


def campaign_urn(api: Api, name: str = "Q4 Finance Webinar") -> str:
    response = api.get(f"/adAccounts/{ACCOUNT_ID}/adCampaigns?q=search")
    assert response.status_code == 200, response.text
    (found,) = [c for c in response.json()["elements"] if c["name"] == name]
    return f"urn:li:sponsoredCampaign:{found['id']}"
