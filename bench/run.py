"""The benchmark runner behind `make bench`.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inmail_studio INMAIL_TESTING=1 .venv/bin/python bench/run.py [name ...]

What it does:
1. Derives a dedicated benchmark database from DATABASE_URL (same server, database
   `inmail_bench_<pid>`, or BENCH_DATABASE if set), creates it fresh, migrates it
   and drops it when the run ends, so every run starts empty, two runs at once don't
   collide, and real or test data is never touched. A SQLite DATABASE_URL (or none)
   gets a fresh temporary SQLite file instead. Media go to a temporary directory.
2. Sets Django up against it with DEBUG off (INMAIL_TESTING=1), as production renders.
3. Imports every `bench/bench_*.py` in name order (or only those named on the
   command line, e.g. `bench/run.py studio`, `bench/run.py sanitizer` or `bench/run.py recovery`)
   and calls its `run()`. `bench_sync` and `bench_recovery` start their own gunicorn, Celery worker
   and beat (and, for recovery, a redis-server to stop and start) against this database.

Writing a benchmark: add `bench/bench_<area>.py` with a `run() -> bool` that
creates its own data, measures in-process (django.test.Client, time.perf_counter),
prints its figures with `report()` and returns True when every target was met.
The runner exits non-zero when any benchmark missed a target.
"""

from __future__ import annotations

import atexit
import importlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ORIGINAL_DATABASE_URL = os.environ.get("DATABASE_URL", "")
BENCH_DATABASE = os.environ.get("BENCH_DATABASE") or f"inmail_bench_{os.getpid()}"
# Benchmarks whose data is too big to build every run: each runs in a child process against its own
# database, kept between runs (the data set inside says whether it is complete; see agency_data.py).
PERSISTENT = {"bench_agency": os.environ.get("BENCH_AGENCY_DATABASE", "inmail_perf_bench")}


def _kept_database_url(url: str, name: str) -> str:
    """The kept database `name` on the same server as `url`: reused when it holds a complete data
    set, else dropped and created empty (a build that died half-way leaves no marker)."""
    import psycopg

    from bench.agency_data import marker_present

    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("The agency benchmark needs PostgreSQL (COPY, trigram indexes): set DATABASE_URL.")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    kept_url = urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists:
        with psycopg.connect(kept_url) as connection, connection.cursor() as cursor:
            if marker_present(cursor):
                return kept_url
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return kept_url


def _bench_database_url(url: str) -> str:
    """A fresh, empty database for this run, on the same server as `url`."""
    kept = os.environ.get("BENCH_KEPT_DATABASE")
    if kept:
        return _kept_database_url(url, kept)
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        fd, path = tempfile.mkstemp(prefix="inmail-bench-", suffix=".sqlite3")
        os.close(fd)
        return f"sqlite:///{path}"
    import psycopg

    admin_url = urlunsplit(parts._replace(path="/postgres"))

    def drop() -> None:
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')

    drop()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    atexit.register(drop)
    return urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = _bench_database_url(os.environ.get("DATABASE_URL", ""))
    os.environ.setdefault("INMAIL_TESTING", "1")
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="inmail-bench-media-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inmail_studio.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# ---- helpers the benchmarks share ----


def percentile(samples: list[float], share: float) -> float:
    """The `share` percentile (0..1) of `samples`, by nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timed(call: Callable[[], object], *, repeat: int, warmup: int = 20) -> list[float]:
    """Milliseconds per call, after `warmup` calls that are not counted."""
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> str:
    return (
        f"p50 {statistics.median(samples):6.2f} ms   p95 {percentile(samples, 0.95):6.2f} ms   "
        f"max {max(samples):6.2f} ms   (n={len(samples)})"
    )


def report(label: str, value: str, *, ok: bool | None = None, target: str = "") -> bool:
    """Print one figure, with PASS/MISS when it has a target. Returns whether it passed."""
    verdict = "" if ok is None else ("PASS" if ok else "MISS")
    line = f"  {label:<44} {value}"
    if target:
        line += f"   target {target}"
    print(f"{line}   {verdict}".rstrip(), flush=True)
    return ok is not False


def report_latency(label: str, samples: list[float], *, target_ms: float, trivial_p95: float) -> bool:
    """A page's p50/p95 with PASS/MISS on p95 < target_ms, and its p95 as a multiple of the trivial
    view's p95 measured in the same run (the ratio holds up on a busy machine; milliseconds don't)."""
    p95 = percentile(samples, 0.95)
    return report(
        label,
        f"p50 {statistics.median(samples):6.2f}  p95 {p95:6.2f} ms  = {p95 / trivial_p95:4.1f}x trivial",
        ok=p95 < target_ms,
        target=f"p95 < {target_ms:.0f} ms",
    )


def main(names: list[str]) -> int:
    setup()
    modules = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    if names:
        modules = [m for m in modules if m.removeprefix("bench_") in names or m in names]
    from django.db import connection

    print(f"InMail Studio benchmarks on {connection.vendor} ({connection.settings_dict['NAME']})")
    failed = []
    for name in modules:
        if name in PERSISTENT and not os.environ.get("BENCH_KEPT_DATABASE"):
            # Its own process, against its kept database (this one is fresh and empty).
            import subprocess

            child = subprocess.run(  # noqa: S603
                [sys.executable, __file__, name.removeprefix("bench_")],
                env={
                    **os.environ,
                    "BENCH_KEPT_DATABASE": PERSISTENT[name],
                    "DATABASE_URL": ORIGINAL_DATABASE_URL,
                },
                check=False,
            )
            if child.returncode:
                failed.append(name)
            continue
        module = importlib.import_module(f"bench.{name}")
        print(f"\n{name}: {(module.__doc__ or '').strip().splitlines()[0]}")
        if module.run() is False:
            failed.append(name)
    print(f"\n{'All targets met.' if not failed else 'Missed targets in: ' + ', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
