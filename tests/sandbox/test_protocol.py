"""The gateway every call passes: LinkedIn-Version, X-Restli-Protocol-Version, bearer tokens, scopes, roles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from inmail_studio.linkedin import versions
from inmail_studio.sandbox.models import Token

from .conftest import ACCOUNT_ID, OTHER_ACCOUNT_ID, Api, message_ad


def active_versions() -> list[str]:
    return [v.name for v in versions.active(timezone.now().date())]


def test_every_version_the_calendar_lists_as_active_today_is_answered(api: Api) -> None:
    """The calendar (inmail_studio/linkedin/versions.py, with its sources) is what the sandbox answers."""
    answered = active_versions()
    assert answered, "the calendar lists no active version today: add LinkedIn's newest ones"
    for version in [*answered, answered[-1] + ".01"]:
        response = api.get(f"/adAccounts/{ACCOUNT_ID}", headers={"LinkedIn-Version": version})
        assert response.status_code == 200, (version, response.text)


def _sunset_today() -> str:
    today = timezone.now().date()
    return next(v.name for v in reversed(versions.CALENDAR) if v.released and v.sunset and v.sunset <= today)


@pytest.mark.parametrize(
    "version",
    [
        "202512",  # never released: LinkedIn went from 202511 to 202601
        "202412",  # never released either
        "202610",  # not in LinkedIn's list (the old default of this app)
        "202511",  # sunset on 16 November 2026 (migrations page)
        "latest",
        "2024-01",
        "202613",
        "199901",
    ],
)
def test_a_never_released_sunset_or_malformed_version_gets_linkedins_426(api: Api, version: str) -> None:
    if version == "202511" and versions.is_active("202511", timezone.now().date()):
        pytest.skip("only meaningful once 202511 has sunset")  # pragma: no cover - dated by the calendar
    response = api.get(f"/adAccounts/{ACCOUNT_ID}", headers={"LinkedIn-Version": version})
    assert response.status_code == 426
    body = response.json()
    # LinkedIn's body as practitioners quote it: no serviceErrorCode, the version as YYYYMM01.
    assert set(body) == {"status", "code", "message"}
    assert body["status"] == 426 and body["code"] == "NONEXISTENT_VERSION"
    expected = f"{version}01" if version.isdigit() and len(version) == 6 else version
    assert body["message"] == f"Requested version {expected} is not active"


def test_the_newest_sunset_version_in_the_calendar_is_refused(api: Api) -> None:
    response = api.get(f"/adAccounts/{ACCOUNT_ID}", headers={"LinkedIn-Version": _sunset_today()})
    assert response.status_code == 426


@pytest.mark.parametrize("version", [None, ""])
def test_a_missing_version_gets_426_version_missing(api: Api, version: str | None) -> None:
    response = api.get(f"/adAccounts/{ACCOUNT_ID}", headers={"LinkedIn-Version": version})
    assert response.status_code == 426
    assert response.json()["code"] == "VERSION_MISSING"


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


def test_a_validation_error_names_the_specific_code_and_field_in_input_errors(api: Api) -> None:
    body = api.post("/inMailContents", message_ad(subject="")).json()
    assert body["status"] == 422 and body["code"] == "VALIDATION_FAILED"
    (detail,) = body["errorDetails"]["inputErrors"]
    assert detail["code"] == "REQUIRED_FIELD_MISSING"
    assert detail["input"]["inputPath"]["fieldPath"] == "subject"
