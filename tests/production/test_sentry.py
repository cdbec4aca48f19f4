"""Error reporting through the Sentry SDK: only with SENTRY_DSN, and what it sends is redacted like a log line."""

from __future__ import annotations

import gzip
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.test_settings import _settings

TOKEN = secrets.token_urlsafe(32)
SETUP = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'inmail_studio.settings'); django.setup(); "


@pytest.fixture
def collector() -> Iterator[tuple[str, list[bytes]]]:
    """A stand-in for Sentry's ingest endpoint on this machine, keeping every envelope it receives."""
    received: list[bytes] = []

    class Ingest(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append(gzip.decompress(body) if self.headers.get("Content-Encoding") == "gzip" else body)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Ingest)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://public-key@127.0.0.1:{server.server_port}/1", received
    server.shutdown()


def test_without_a_dsn_nothing_is_initialised() -> None:
    result = _settings({}, SETUP + "import sentry_sdk; print(sentry_sdk.get_client().is_active())")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_with_a_dsn_errors_are_reported_without_any_token(collector: tuple[str, list[bytes]]) -> None:
    dsn, received = collector
    code = SETUP + (
        "import logging, sentry_sdk\n"
        f"logging.getLogger('inmail_studio.linkedin').error('Not Found: /review/s/{TOKEN}/')\n"
        "try:\n"
        f"    raise RuntimeError('callback failed: /linkedin/callback/?code={TOKEN}&state={TOKEN}')\n"
        "except RuntimeError as error:\n"
        "    sentry_sdk.capture_exception(error)\n"
        "sentry_sdk.flush(5)\n"
        "print(sentry_sdk.get_client().is_active())\n"
    )
    result = _settings({"SENTRY_DSN": dsn}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    sent = b"".join(received)
    assert b"RuntimeError" in sent and b"Not Found" in sent  # both reached "Sentry"
    assert TOKEN.encode() not in sent
    assert b"[redacted]" in sent
