"""Liveness, readiness, and the healthcheck commands the compose file (and make prod-check) run.

GET /healthz   liveness: the process answers. Touches nothing else. 200 "ok".
GET /readyz    readiness: the database answers a query, the broker a connection, the shared cache
               a write and a read. 200 {"status": "ok", ...}, or 503 naming what is unavailable
               (only its name: the reason goes to the log, never to whoever asked).

`HealthMiddleware` answers both before any other middleware, so neither production's HTTPS
redirect nor ALLOWED_HOSTS applies: a healthcheck inside the container calls
http://127.0.0.1:8000/readyz with whatever Host header it has. The answers hold nothing secret.

    python -m inmail_studio.health web    GET /readyz of the gunicorn on GUNICORN_BIND (compose's web check)
    python -m inmail_studio.health beat   beat touched its heartbeat in the last two minutes (beat's check)

This module imports no Django settings at import time: the commands run without them.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)

LIVENESS = "/healthz"
READINESS = "/readyz"
BEAT_HEARTBEAT = "celerybeat-heartbeat"
BEAT_MAX_AGE_SECONDS = 120


def beat_heartbeat_path() -> Path:
    return Path(os.environ.get("CELERY_BEAT_STATE_DIR") or tempfile.gettempdir()) / BEAT_HEARTBEAT


# --- the endpoints ------------------------------------------------------------------------------


def _database() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker() -> None:
    from inmail_studio.celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)


def _cache() -> None:
    from django.core.cache import cache

    cache.set("readyz", "ok", 10)
    if cache.get("readyz") != "ok":
        raise RuntimeError("the cache did not return what was just written")


def checks() -> dict[str, Callable[[], None]]:
    """What readiness checks here: the database always; the broker and cache when they are shared services."""
    from django.conf import settings

    found: dict[str, Callable[[], None]] = {"database": _database}
    if settings.CELERY_BROKER_URL:
        found["broker"] = _broker
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        found["cache"] = _cache
    return found


def readiness() -> tuple[int, dict[str, Any]]:
    results: dict[str, str] = {}
    for name, check in checks().items():
        try:
            check()
        except Exception as error:
            log.error("Readiness: %s is unavailable: %s", name, error)
            results[name] = "unavailable"
        else:
            results[name] = "ok"
    ok = all(value == "ok" for value in results.values())
    return (200 if ok else 503), {"status": "ok" if ok else "unavailable", "checks": results}


@require_safe
def healthz(request: Any) -> Any:
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


@require_safe
def readyz(request: Any) -> Any:
    from django.http import JsonResponse

    status, body = readiness()
    return JsonResponse(body, status=status)


class HealthMiddleware:
    """Answer GET/HEAD /healthz and /readyz first: before the HTTPS redirect, the host check and sessions."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if request.method in ("GET", "HEAD"):
            if request.path_info == LIVENESS:
                return self._private(healthz(request))
            if request.path_info == READINESS:
                return self._private(readyz(request))
        return self.get_response(request)

    @staticmethod
    def _private(response: Any) -> Any:
        response["Cache-Control"] = "no-store"
        return response


# --- the healthcheck commands ---------------------------------------------------------------------


def _web_url() -> str:
    bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
    port = bind.rsplit(":", 1)[-1]
    return f"http://127.0.0.1:{port}{READINESS}"


def check_web() -> tuple[bool, str]:
    url = _web_url()
    try:
        with urllib.request.urlopen(url, timeout=4) as response:  # noqa: S310 - a fixed http URL
            return response.status == 200, f"{url}: {response.status} {response.read().decode()}"
    except urllib.error.HTTPError as error:
        return False, f"{url}: {error.code} {error.read().decode(errors='replace')}"
    except OSError as error:
        return False, f"{url}: {error}"


def check_beat() -> tuple[bool, str]:
    path = beat_heartbeat_path()
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return False, f"{path} is missing: beat has not ticked yet"
    if age > BEAT_MAX_AGE_SECONDS:
        return False, f"{path} is {age:.0f} s old: beat has not ticked for more than {BEAT_MAX_AGE_SECONDS} s"
    return True, f"beat ticked {age:.0f} s ago"


def main(argv: list[str]) -> int:
    commands = {"web": check_web, "beat": check_beat}
    if len(argv) != 1 or argv[0] not in commands:
        print(f"usage: python -m inmail_studio.health {'|'.join(commands)}", file=sys.stderr)
        return 2
    healthy, detail = commands[argv[0]]()
    print(json.dumps({"healthy": healthy, "detail": detail}))
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
