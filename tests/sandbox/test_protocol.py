"""The gateway every call passes: LinkedIn-Version, X-Restli-Protocol-Version, bearer tokens, scopes, roles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from inmail_studio.sandbox.models import Token
from inmail_studio.sandbox.restli import supported_versions

from .conftest import ACCOUNT_ID, OTHER_ACCOUNT_ID, Api, message_ad


def months_ago(n: int) -> str:
    return supported_versions()[n] if n <= 12 else _before(supported_versions()[-1], n - 12)


def _before(version: str, months: int) -> str:
    year, month = int(version[:4]), int(version[4:])
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return f"{year:04d}{month:02d}"


def _next_month() -> str:
    now = timezone.now()
    return f"{now.year + (now.month == 12):04d}{now.month % 12 + 1:02d}"


@pytest.mark.parametrize("version", [months_ago(0), months_ago(6), months_ago(12), months_ago(12) + ".01"])
def test_versions_from_the_last_twelve_months_are_answered(api: Api, version: str) -> None:
    assert api.get(f"/adAccounts/{ACCOUNT_ID}", headers={"LinkedIn-Version": version}).status_code == 200


@pytest.mark.parametrize(
    "version", [None, "", "latest", "2024-01", "202613", months_ago(13), _next_month(), "199901"]
)
def test_a_missing_unknown_future_or_retired_version_is_refused_with_426(
    api: Api, version: str | None
) -> None:
    response = api.get(f"/adAccounts/{ACCOUNT_ID}", headers={"LinkedIn-Version": version})
    assert response.status_code == 426
    body = response.json()
    assert body["status"] == 426
    assert body["code"] in ("NONEXISTENT_VERSION", "VERSION_MISSING")
    if version:
        assert body["code"] == "NONEXISTENT_VERSION"


@pytest.mark.parametrize("value", [None, "1.0.0"])
def test_calls_without_rest_li_protocol_2_are_refused(api: Api, value: str | None) -> None:
    response = api.get(f"/adAccounts/{ACCOUNT_ID}", headers={"X-Restli-Protocol-Version": value})
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_PROTOCOL_VERSION"


def test_a_call_without_a_token_gets_401(api: Api) -> None:
    response = api.get(f"/adAccounts/{ACCOUNT_ID}", headers={"Authorization": None})
    assert response.status_code == 401
    assert response.json()["code"] == "EMPTY_ACCESS_TOKEN"


def test_an_unknown_token_gets_401(api: Api) -> None:
    response = api.get(f"/adAccounts/{ACCOUNT_ID}", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_ACCESS_TOKEN"


def test_an_expired_token_gets_401(api: Api) -> None:
    Token.objects.filter(kind=Token.Kind.ACCESS).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api.get(f"/adAccounts/{ACCOUNT_ID}")
    assert response.status_code == 401
    assert response.json()["code"] == "EXPIRED_ACCESS_TOKEN"


def test_a_revoked_token_gets_401(api: Api) -> None:
    Token.objects.update(revoked_at=timezone.now())
    response = api.get(f"/adAccounts/{ACCOUNT_ID}")
    assert response.status_code == 401
    assert response.json()["code"] == "REVOKED_ACCESS_TOKEN"


def test_tokens_are_stored_only_as_hashes(api: Api) -> None:
    stored = Token.objects.get(kind=Token.Kind.ACCESS)
    assert api.token not in {stored.token_hash, stored.hint}
    assert len(stored.token_hash) == 64


def test_a_read_only_token_can_read_but_not_write(api_as: Callable[..., Api]) -> None:
    reader = api_as("ada-admin", "r_ads")
    assert reader.get(f"/adAccounts/{ACCOUNT_ID}").status_code == 200
    response = reader.post("/inMailContents", message_ad())
    assert response.status_code == 403
    assert response.json()["code"] == "ACCESS_DENIED"


def test_a_member_without_a_role_on_the_account_gets_403(api_as: Callable[..., Api]) -> None:
    maya = api_as("maya-marketer")
    assert maya.get(f"/adAccounts/{OTHER_ACCOUNT_ID}").status_code == 403
    response = maya.post("/inMailContents", message_ad(account=f"urn:li:sponsoredAccount:{OTHER_ACCOUNT_ID}"))
    assert response.status_code == 403
    assert response.json()["code"] == "ACCESS_DENIED"


def test_a_viewer_can_read_the_account_but_not_write_to_it(api_as: Callable[..., Api]) -> None:
    dana = api_as("dana-whitfield")
    assert dana.get(f"/adAccounts/{ACCOUNT_ID}").status_code == 200
    assert dana.post("/inMailContents", message_ad()).status_code == 403


def test_an_unknown_resource_answers_linkedins_404_json(api: Api) -> None:
    response = api.get("/adCampaignGroups")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_every_error_has_linkedins_four_fields(api: Api) -> None:
    body = api.post("/inMailContents", message_ad(subject="")).json()
    assert {"status", "serviceErrorCode", "code", "message"} <= set(body)
