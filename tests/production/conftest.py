"""Helpers for the production tests: free ports, and real processes stopped by PID whatever happens."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Process:
    """A subprocess in a process group of its own, its output in a file the test can read."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT) -> None:
        self.log = log
        self._handle: IO[bytes] = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(  # noqa: S603 - the project's own programs
            argv, env=env, cwd=cwd, stdout=self._handle, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self) -> str:
        self._handle.flush()
        return self.log.read_text(errors="replace")

    def wait_until(self, ready: Callable[[], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise AssertionError(f"exited with {self.popen.returncode}:\n{self.output()[-3000:]}")
            try:
                if ready():
                    return
            except (requests.RequestException, OSError):
                pass
            time.sleep(0.2)
        raise AssertionError(f"not ready after {timeout}s:\n{self.output()[-3000:]}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self._handle.close()


def started_in(folder: Path) -> Iterator[Callable[..., Process]]:
    """Start processes logging into folder; when the generator is closed, stop them all by PID."""
    started: list[Process] = []

    def start(name: str, argv: list[str], env: dict[str, str], **kwargs: Any) -> Process:
        process = Process(argv, env, folder / f"{name}.log", **kwargs)
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in reversed(started):
            process.stop()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Callable[..., Process]]:
    yield from started_in(tmp_path)


def database_url() -> str:
    """The test database (pytest-django's), as a URL a subprocess can use."""
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def base_env(**extra: str) -> dict[str, str]:
    """The environment of a subprocess: this one's, without what would make it production or not a test."""
    drop = {
        "DJANGO_ENV",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' conftest, for their process only
        "CELERY_BROKER_URL",
        "CACHE_URL",
        "SENTRY_DSN",
        "AWS_STORAGE_BUCKET_NAME",
        "LOG_FORMAT",
    }
    return {**{k: v for k, v in os.environ.items() if k not in drop}, **extra}


def own_redis_url() -> str:
    """This xdist process's own Redis database (TEST_REDIS_URL's number plus the worker's), as
    tests/linkedin/test_worker.py chooses it: flushing it never touches another process's broker."""
    head, _, number = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/8").rpartition("/")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return f"{head}/{int(number or 0) + (int(worker[2:]) if worker[2:].isdigit() else 0)}"
