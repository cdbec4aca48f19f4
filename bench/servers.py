"""The app served by gunicorn for a benchmark (`inmail_studio.wsgi`, as production serves it), on a
port of its own, and the wait until it answers. Used by bench_sync and bench_recovery (the sandbox
LinkedIn's calls go to) and bench_memory (the web process whose memory is measured)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def gunicorn(port: int, env: dict[str, str], *, workers: int, threads: int = 1) -> subprocess.Popen[bytes]:
    """gunicorn with `workers` processes of `threads` threads each, in a process group of its own (so
    `os.killpg` stops its workers with it)."""
    return subprocess.Popen(  # noqa: S603
        [
            *(sys.executable, "-m", "gunicorn", "inmail_studio.wsgi", "-b", f"127.0.0.1:{port}"),
            *(f"--workers={workers}", f"--threads={threads}", "--log-level=warning"),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def wait_http(url: str, timeout: float = 30) -> None:
    """Return once `url` answers anything but a server error; raise after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")
