"""CPU profile of the sync's critical path in one process: the worker's `sync_run` and the sandbox's
handling of each call, the sandbox answering in-process through a requests transport that calls the
app's WSGI handler (no socket, no injected latency, no gunicorn).

    DATABASE_URL=postgres://... INMAIL_TESTING=1 .venv/bin/python bench/profile_sync.py [ads] [sort]

Prints CPU milliseconds per ad (process time) for the whole path and for the sandbox's share (the
WSGI handler's calls), then a cProfile sorted by `sort` (default tottime). Not a benchmark with a
target: a tool to see where the CPU of `bench_sync`'s critical path goes.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict


class WSGITransport(BaseAdapter):
    """requests -> a WSGI application, in this process. Counts the process time spent in the app."""

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app
        self.cpu = 0.0
        self.calls = 0
        self.profiler: cProfile.Profile | None = None  # when set, profiles the app's calls alone

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(request.url)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote(parts.path),
            "QUERY_STRING": parts.query,
            "SERVER_NAME": parts.hostname,
            "SERVER_PORT": str(parts.port or 80),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": parts.scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in request.headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key != "CONTENT_LENGTH":
                environ[f"HTTP_{key}"] = value
        answer: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answer["status"], answer["headers"] = status, headers

        started = time.process_time()
        if self.profiler is not None:
            self.profiler.enable()
        chunks = self.app(environ, start_response)
        content = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        if self.profiler is not None:
            self.profiler.disable()
        self.cpu += time.process_time() - started
        self.calls += 1
        response = requests.Response()
        response.status_code = int(answer["status"].split()[0])
        response.reason = answer["status"].partition(" ")[2]
        response.headers = CaseInsensitiveDict(answer["headers"])
        response._content = content
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


def main() -> None:
    ads = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    sort = sys.argv[2] if len(sys.argv) > 2 else "tottime"
    base = "http://127.0.0.1:8000"
    os.environ.update(
        LINKEDIN_SANDBOX="1",
        SITE_URL=base,
        LINKEDIN_API_BASE_URL=f"{base}/sandbox/linkedin/rest",
        LINKEDIN_OAUTH_BASE_URL=f"{base}/sandbox/linkedin/oauth/v2",
        LINKEDIN_SANDBOX_FAULTS="latency_ms=0",  # a header, as the bench sends (no FaultConfig read)
        DATABASE_CONN_MAX_AGE="60",
    )
    from bench import run

    run.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.bench_sync import Bench
    from inmail_studio.celery import app
    from inmail_studio.linkedin import client, services
    from inmail_studio.linkedin.models import SyncAttempt

    transport = WSGITransport(WSGIHandler())
    session = requests.Session()
    session.trust_env = False
    session.mount("http://", transport)
    client._local.session = session

    app.conf.update(task_always_eager=True)
    services.outbox._dispatch_sync = lambda attempt_id: True
    bench = Bench()
    warm = bench.approved_ads(5, "Warm ad")
    ids = bench.approved_ads(ads, "Profiled ad")
    for attempt_id in SyncAttempt.objects.filter(ad_id__in=warm).values_list("pk", flat=True):
        services.sync_run(attempt_id=attempt_id)
    attempts = list(SyncAttempt.objects.filter(ad_id__in=ids).values_list("pk", flat=True))

    # A third each: unprofiled CPU time, the whole path profiled, the sandbox alone profiled.
    first, second, third = attempts[: ads // 3], attempts[ads // 3 : 2 * ads // 3], attempts[2 * ads // 3 :]
    transport.cpu, transport.calls = 0.0, 0
    started = time.process_time()
    with CaptureQueriesContext(connection) as queries:
        for attempt_id in first:
            services.sync_run(attempt_id=attempt_id)
    whole = time.process_time() - started
    half = max(1, len(first))
    print(
        f"unprofiled: {whole * 1000 / half:.1f} ms CPU per ad, sandbox {transport.cpu * 1000 / half:.1f} ms "
        f"({transport.calls / half:.1f} calls, {transport.cpu * 1000 / max(1, transport.calls):.1f} ms per call), "
        f"worker {(whole - transport.cpu) * 1000 / half:.1f} ms; {len(queries) / half:.1f} queries per ad "
        "(both sides)"
    )
    if os.environ.get("PROFILE_QUERIES"):
        for query in queries.captured_queries[: len(queries) // half]:
            print(f"  {query['sql'][:400]}")
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for attempt_id in second:
        services.sync_run(attempt_id=attempt_id)
    profiler.disable()
    # Python function calls per ad: a count that, unlike CPU time, the machine's load doesn't change.
    sandbox = cProfile.Profile(time.process_time)
    transport.profiler = sandbox
    for attempt_id in third:
        services.sync_run(attempt_id=attempt_id)
    transport.profiler = None
    whole_calls = pstats.Stats(profiler).total_calls / max(1, len(second))  # type: ignore[attr-defined]
    sandbox_calls = pstats.Stats(sandbox).total_calls / max(1, len(third))  # type: ignore[attr-defined]
    print(
        f"function calls per ad: {whole_calls:.0f}, sandbox {sandbox_calls:.0f}, "
        f"worker {whole_calls - sandbox_calls:.0f}"
    )
    stats = pstats.Stats(profiler).sort_stats(sort)
    stats.print_stats(int(os.environ.get("PROFILE_LINES", "70")))
    for name in filter(None, os.environ.get("PROFILE_CALLEES", "").split(",")):
        stats.print_callees(name)
    if os.environ.get("PROFILE_DUMP"):  # the whole path's profile, and the sandbox's beside it
        stats.dump_stats(os.environ["PROFILE_DUMP"])
        pstats.Stats(sandbox).dump_stats(os.environ["PROFILE_DUMP"] + ".sandbox")


if __name__ == "__main__":
    main()
