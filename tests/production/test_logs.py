"""Log lines: redacted whatever logs them, JSON in production, each with the id of the request behind it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from inmail_studio import logs

TOKEN = "sEcReT-t0ken_value-9f3c2e81a7d4b6c0"  # fixed: parametrized ids must match across xdist workers


@pytest.mark.parametrize(
    "line",
    [
        f'GET /review/s/{TOKEN}/ HTTP/1.1" 404',
        f"Not Found: /review/s/{TOKEN}/",
        f"https://studio.example.com/review/s/{TOKEN}/?frame=1&path=b1",
        f"/linkedin/callback/?code={TOKEN}&state=abc",
        f"/linkedin/callback/?state={TOKEN}&code=abc",
        f"https://www.linkedin.com/oauth/v2/authorization?response_type=code&state={TOKEN}&scope=r_ads",
        f"PUT http://127.0.0.1:8410/upload/images/{TOKEN} 201",
        f"Authorization: Bearer {TOKEN}",
        f"grant_type=refresh_token&refresh_token={TOKEN}&client_secret=abc",
        f"https://bucket.s3.amazonaws.com/banners/a.png?X-Amz-Signature={TOKEN}&X-Amz-Expires=3600",
        f'LinkedIn answered {{"access_token": "{TOKEN}", "expires_in": 5184000}}',
        f"callback {{'code': '{TOKEN}', 'state': 'abc'}}",
    ],
)
def test_every_kind_of_secret_in_a_line_is_redacted(line: str) -> None:
    redacted = logs.redact(line)
    assert TOKEN not in redacted
    assert logs.REDACTED in redacted


def test_redaction_keeps_what_an_operator_needs() -> None:
    line = "GET /ads/12/?q=webinar&response_type=code HTTP/1.1 200 /review/ads/12/"
    assert logs.redact(line) == line


def _patterns_with_a_token() -> Iterator[tuple[str, str]]:
    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> Iterator[tuple[str, str]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = (
                    f"{namespace}:{entry.namespace}"
                    if namespace and entry.namespace
                    else entry.namespace or namespace
                )
                yield from walk(entry.url_patterns, inner or "")
            elif entry.name and "token" in entry.pattern.converters:
                yield (f"{namespace}:{entry.name}" if namespace else entry.name), str(entry.pattern)

    yield from walk(get_resolver().url_patterns, "")


def test_every_url_that_takes_a_token_is_redacted_in_logs() -> None:
    """The whole class: a new URL carrying a capability token fails here until logs.CAPABILITY_PATHS knows it."""
    found = list(_patterns_with_a_token())
    assert {name for name, _ in found} >= {"review:shared", "sandbox:image_upload"}
    for name, _ in found:
        path = reverse(name, kwargs={"token": TOKEN})
        assert TOKEN not in logs.redact(f"GET {path} HTTP/1.1"), (
            f"{name} ({path}) would be logged with its token"
        )


def test_a_record_is_redacted_for_every_handler_including_ones_added_later() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # no redacting formatter: the record itself is clean
    logger = logging.getLogger("tests.anything")
    logger.addHandler(handler)
    try:
        logger.warning("Not Found: %s", f"/review/s/{TOKEN}/")
        logger.error("callback %s", {"code": TOKEN, "url": f"/linkedin/callback/?code={TOKEN}"})
    finally:
        logger.removeHandler(handler)
    assert TOKEN not in stream.getvalue()
    assert "/review/s/[redacted]/" in stream.getvalue()


def test_json_lines_carry_level_logger_request_id_extras_and_a_redacted_traceback() -> None:
    formatter = logs.JsonFormatter()
    logs.REQUEST_ID.set("req-12345678")
    try:
        try:
            raise ValueError(f"bad url /review/s/{TOKEN}/")
        except ValueError:
            record = logging.getLogger("django.request").makeRecord(
                "django.request",
                logging.ERROR,
                __file__,
                1,
                "Failed: %s",
                ("/x/",),
                __import__("sys").exc_info(),
                extra={"status_code": 500, "request": object()},
            )
        line = json.loads(formatter.format(record))
    finally:
        logs.REQUEST_ID.set("")
    assert line["level"] == "ERROR"
    assert line["logger"] == "django.request"
    assert line["message"] == "Failed: /x/"
    assert line["request_id"] == "req-12345678"
    assert line["status_code"] == 500
    assert "request" not in line  # the request object itself (its repr holds the path) is never written
    assert "ValueError" in line["exception"]
    assert TOKEN not in line["exception"]


def test_each_response_names_its_request_id_and_a_proxys_id_is_kept(db: None) -> None:
    client = Client()
    made = client.get("/accounts/login/")
    assert len(made["X-Request-ID"]) == 32
    given = client.get("/accounts/login/", HTTP_X_REQUEST_ID="3f1c9a8e-proxy-made")
    assert given["X-Request-ID"] == "3f1c9a8e-proxy-made"
    forged = client.get("/accounts/login/", HTTP_X_REQUEST_ID="bad id\nwith a line break")
    assert forged["X-Request-ID"] != "bad id\nwith a line break"
    assert len(forged["X-Request-ID"]) == 32


def test_djangos_4xx_warning_carries_the_request_id_and_no_token(db: None) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = Client().get(f"/review/s/{TOKEN}/", HTTP_X_REQUEST_ID="req-for-a-404-test")
    finally:
        logger.removeHandler(handler)
    assert response.status_code in (403, 404, 410)
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["request_id"] == "req-for-a-404-test"
    assert TOKEN not in stream.getvalue()
    assert "/review/s/[redacted]/" in line["message"]


def test_logs_are_json_in_production_and_plain_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ENV", "production")
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert logs.logging_config("INFO")["handlers"]["console"]["formatter"] == "json"
    monkeypatch.setenv("LOG_FORMAT", "plain")
    assert logs.logging_config("INFO")["handlers"]["console"]["formatter"] == "plain"
    monkeypatch.setenv("DJANGO_ENV", "development")
    monkeypatch.delenv("LOG_FORMAT")
    assert logs.logging_config("INFO")["handlers"]["console"]["formatter"] == "plain"
