"""The client over real HTTP against the sandbox (a live server), including every fault it must survive.

Each fault ends as one of the two errors the rest of the app understands: Transient or Rejected.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.utils import timezone

from inmail_studio.accounts.models import Workspace
from inmail_studio.linkedin import services, versions
from inmail_studio.linkedin.client import LinkedIn, Rejected, Secret, Transient, Unauthorized, VersionRefused
from inmail_studio.linkedin.models import ConnectionStatus, LinkedInConnection
from inmail_studio.sandbox import models as sandbox
from inmail_studio.sandbox.services import faults_configure
from inmail_studio.sandbox.tokens import token_find, token_revoke

from .conftest import ACCOUNT

CONTENT = {
    "account": ACCOUNT,
    "name": "Client test",
    "sender": "urn:li:person:dana-whitfield",
    "subject": "Hello %FIRSTNAME%",
    "htmlBody": "<p>Hi</p>",
    "subContent": {
        "regular": {"callToActionText": "Go", "callToActionLandingPageUrl": "https://example.com"}
    },
}


def test_create_get_batch_get_and_partial_update_round_trip(token: Secret) -> None:
    api = LinkedIn(token=token)
    urn = api.create("inMailContents", CONTENT)
    assert urn.startswith("urn:li:adInMailContent:")
    assert api.get("inMailContents", urn)["subject"] == "Hello %FIRSTNAME%"
    api.partial_update("inMailContents", urn, {"subject": "Changed"})
    assert api.batch_get("inMailContents", [urn])[urn]["subject"] == "Changed"


def test_a_429_is_transient_and_the_next_call_succeeds(token: Secret) -> None:
    faults_configure(queue="429,ok")
    api = LinkedIn(token=token)
    with pytest.raises(Transient) as error:
        api.search("adAccounts", "search")
    assert error.value.status == 429
    assert [a["id"] for a in api.search("adAccounts", "search")]


def test_two_503s_are_transient_then_the_third_call_succeeds(token: Secret) -> None:
    faults_configure(queue="503,503,ok")
    api = LinkedIn(token=token)
    for _ in range(2):
        with pytest.raises(Transient) as error:
            api.create("inMailContents", CONTENT)
        assert error.value.status == 503
    assert api.create("inMailContents", CONTENT).startswith("urn:li:adInMailContent:")
    assert sandbox.InMailContent.objects.count() == 1  # the 503s wrote nothing


def test_a_hanging_call_times_out_as_transient(token: Secret) -> None:
    api = LinkedIn(token=token, extra_headers={"X-Sandbox-Faults": "hang_rate=1"}, timeout=(2.0, 0.5))
    started = time.monotonic()
    with pytest.raises(Transient) as error:
        api.get("adAccounts", "508915158")
    assert time.monotonic() - started < 2.5
    assert error.value.status is None and error.value.sent


def test_commit_then_drop_is_transient_but_the_entity_exists(token: Secret) -> None:
    api = LinkedIn(token=token, extra_headers={"X-Sandbox-Faults": "drop_rate=1"})
    with pytest.raises(Transient) as error:
        api.create("inMailContents", CONTENT)
    assert error.value.sent and error.value.status is None
    assert sandbox.InMailContent.objects.filter(data__name="Client test").count() == 1


@pytest.mark.parametrize("version", ["201001", "202512", "202610"])
def test_a_refused_version_tells_the_admin_which_setting_to_change_and_to_what(
    token: Secret, version: str
) -> None:
    api = LinkedIn(token=token, version=version)
    with pytest.raises(VersionRefused) as error:
        api.search("adAccounts", "search")
    assert (error.value.status, error.value.code) == (426, "NONEXISTENT_VERSION")
    newest = versions.newest_active(timezone.now().date())
    assert newest is not None
    assert error.value.explain() == (
        f"LinkedIn no longer accepts API version {version} (LINKEDIN_API_VERSION). An administrator must set "
        f"LINKEDIN_API_VERSION={newest.name} (the newest version LinkedIn lists) and restart the app."
    )


def test_a_validation_error_is_read_down_to_the_input_errors_specific_code(token: Secret) -> None:
    with pytest.raises(Rejected) as error:
        LinkedIn(token=token).create("inMailContents", {**CONTENT, "subject": "x" * 61})
    assert error.value.status == 422
    assert error.value.top_code == "VALIDATION_FAILED"
    assert error.value.code == "FIELD_VALUE_TOO_LONG"
    assert error.value.inputs[0].field == "subject"
    assert error.value.explain().startswith("LinkedIn says a field is too long: subject:")


def test_a_refused_sender_reads_as_the_senders_own_problem_not_a_generic_refusal(token: Secret) -> None:
    with pytest.raises(Rejected) as error:
        LinkedIn(token=token).create("inMailContents", {**CONTENT, "sender": "urn:li:person:sofia-alvarez"})
    assert error.value.code == "SINMAIL_SENDER_NOT_APPROVED"
    assert "accept the sender permission request" in error.value.explain()


def test_the_client_never_sends_a_form_the_contract_does_not_list(token: Secret) -> None:
    """Strict mode: an undocumented form (index paging on a cursor finder) is refused, not guessed at."""
    with pytest.raises(Rejected) as error:
        LinkedIn(token=token)._send("GET", "adAccounts", params={"q": "search", "start": 0, "count": 10})
    assert (error.value.status, error.value.code) == (400, "NOT_IN_CONTRACT")


def test_a_missing_token_is_unauthorized(sandbox_url: str) -> None:
    with pytest.raises(Unauthorized):
        LinkedIn(token=Secret("not-a-token")).search("adAccounts", "search")


def test_an_unreachable_host_is_transient_and_known_not_to_have_been_sent(
    token: Secret, settings: Any
) -> None:
    with pytest.raises(Transient) as error:
        LinkedIn(token=token, base_url="http://127.0.0.1:9/rest").search("adAccounts", "search")
    assert not error.value.sent


def test_a_401_refreshes_the_token_once_and_repeats_the_call(
    connected: LinkedInConnection, workspace: Workspace
) -> None:
    old = connected.access_token
    row = token_find(old.reveal(), "access")
    assert row is not None
    token_revoke(token=row)
    api = services.client_for(workspace)
    assert api.search("adAccounts", "search")
    connected.refresh_from_db()
    assert connected.access_token != old
    assert connected.status == ConnectionStatus.ACTIVE


def test_a_401_without_a_usable_refresh_token_marks_the_connection_for_reconnect(
    connected: LinkedInConnection, workspace: Workspace
) -> None:
    refresh = token_find(connected.refresh_token.reveal(), "refresh")  # type: ignore[union-attr]
    assert refresh is not None
    token_revoke(token=refresh)  # revokes its access tokens too
    with pytest.raises(Unauthorized):
        services.client_for(workspace).search("adAccounts", "search")
    connected.refresh_from_db()
    assert connected.status == ConnectionStatus.REVOKED
