"""Fault injection: latency, 5xx, 429, hangs and "commit, then drop the connection", per header or console."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from inmail_studio.sandbox import services
from inmail_studio.sandbox.models import FaultConfig, InMailContent
from tests.conftest import client_for, make_user

from .conftest import ACCOUNT_ID, Api, message_ad

HEADER = "X-Sandbox-Faults"


def test_latency_is_added_to_every_call(api: Api) -> None:
    started = time.monotonic()
    assert api.get(f"/adAccounts/{ACCOUNT_ID}", headers={HEADER: "latency_ms=300"}).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_an_error_rate_of_one_answers_500_or_503_and_writes_nothing(api: Api) -> None:
    statuses = {
        api.post("/inMailContents", message_ad(), headers={HEADER: f"error_rate=1; seed={i}"}).status_code
        for i in range(8)
    }
    assert statuses <= {500, 503}
    assert statuses == {500, 503}
    assert not InMailContent.objects.exists()


def test_a_throttle_rate_of_one_answers_429_in_linkedins_error_json(api: Api) -> None:
    response = api.get(f"/adAccounts/{ACCOUNT_ID}", headers={HEADER: "throttle_rate=1"})
    assert response.status_code == 429
    assert response.json()["status"] == 429


def test_rates_between_zero_and_one_fail_some_calls_and_not_others(api: Api) -> None:
    statuses = [
        api.get(f"/adAccounts/{ACCOUNT_ID}", headers={HEADER: f"throttle_rate=0.5; seed={i}"}).status_code
        for i in range(12)
    ]
    assert set(statuses) == {200, 429}


def test_the_same_seed_gives_the_same_outcome(api: Api) -> None:
    outcomes = {
        api.get(f"/adAccounts/{ACCOUNT_ID}", headers={HEADER: "error_rate=0.5; seed=42"}).status_code
        for _ in range(4)
    }
    assert len(outcomes) == 1


def test_a_hang_outlasts_the_clients_timeout(api: Api, settings: Any) -> None:
    settings.SANDBOX_HANG_SECONDS = 2
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        api.post("/inMailContents", message_ad(), headers={HEADER: "hang_rate=1"}, timeout=0.5)
    assert time.monotonic() - started < 2
    time.sleep(2)  # let the hung request finish before the database is flushed
    assert not InMailContent.objects.exists()


def test_a_dropped_create_is_committed_but_the_client_gets_no_response(api: Api) -> None:
    with pytest.raises(requests.ConnectionError):
        api.post("/inMailContents", message_ad(), headers={HEADER: "drop_rate=1"})
    assert InMailContent.objects.count() == 1


def test_drop_spares_calls_that_write_nothing(api: Api) -> None:
    assert api.get(f"/adAccounts/{ACCOUNT_ID}", headers={HEADER: "drop_rate=1"}).status_code == 200


def test_a_malformed_fault_header_is_a_400(api: Api) -> None:
    assert api.get(f"/adAccounts/{ACCOUNT_ID}", headers={HEADER: "error_rate=lots"}).status_code == 400


def test_console_faults_apply_to_calls_without_a_header(api: Api) -> None:
    services.faults_configure(throttle_rate=1.0)
    assert api.get(f"/adAccounts/{ACCOUNT_ID}").status_code == 429
    assert api.get(f"/adAccounts/{ACCOUNT_ID}", headers={HEADER: "latency_ms=0"}).status_code == 200


def test_queued_outcomes_fail_the_next_calls_in_order_then_let_them_through(api: Api) -> None:
    services.faults_configure(queue="503,429,drop")
    assert api.get(f"/adAccounts/{ACCOUNT_ID}").status_code == 503
    assert api.get(f"/adAccounts/{ACCOUNT_ID}").status_code == 429
    with pytest.raises(requests.ConnectionError):
        api.post("/inMailContents", message_ad())
    assert api.post("/inMailContents", message_ad()).status_code == 201
    assert InMailContent.objects.count() == 2
    assert FaultConfig.current().queue == ""


def test_the_fault_console_is_for_staff_only(sandbox: None) -> None:
    member = client_for(make_user("plain"))
    assert member.get("/sandbox/linkedin/console/").status_code == 302
    assert member.post("/sandbox/linkedin/console/faults", {"latency_ms": "5"}).status_code == 302
    assert FaultConfig.objects.filter(latency_ms=5).count() == 0


def test_staff_set_faults_on_the_console_and_bad_rates_are_explained(sandbox: None) -> None:
    staff = client_for(make_user("ops", is_staff=True))
    page = staff.get("/sandbox/linkedin/console/")
    assert page.status_code == 200
    assert b"X-Sandbox-Faults" in page.content
    form = {
        "latency_ms": "50",
        "error_rate": "0.1",
        "throttle_rate": "0.1",
        "hang_rate": "0",
        "drop_rate": "0.05",
        "seed": "",
        "queue": "503, ok",
    }
    assert staff.post("/sandbox/linkedin/console/faults", form).status_code == 302
    config = FaultConfig.current()
    assert (config.latency_ms, config.error_rate, config.drop_rate, config.queue) == (50, 0.1, 0.05, "503,ok")
    bad = staff.post("/sandbox/linkedin/console/faults", {**form, "error_rate": "3", "queue": "explode"})
    assert bad.status_code == 400
    assert b"Between 0 and 1" in bad.content
    assert b"Unknown outcome" in bad.content
