"""`make run`'s supervisor (scripts/run.py): the development server, a real Celery worker and beat on the
embedded filesystem broker and SQLite, as one command; Ctrl-C stops all three.

A real run: the worker killed with -9 is started again, an email queued in the outbox goes out
through beat and the new worker, then SIGINT leaves no process of the run behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(log: Path, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never appeared:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.mark.slow
def test_make_run_keeps_a_worker_and_beat_running_that_deliver_and_ctrl_c_stops_them_all(
    tmp_path: Path,
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PYTEST"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "RUN_DIR": str(tmp_path / "run"),
        "PORT": str(_free_port()),
        "OUTBOX_REQUEUE_SECONDS": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    migrate = [PYTHON, "manage.py", "migrate", "--noinput"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    log = tmp_path / "run.log"
    groups: list[int] = []
    with log.open("wb") as out:
        run = subprocess.Popen(  # noqa: S603 - our own interpreter and script
            [PYTHON, "scripts/run.py"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_for(log, "ready.", timeout=60)  # the worker
        _wait_for(log, "beat: Starting", timeout=30)
        assert len(_children(run.pid)) == 3  # web, worker, beat, each in its own process group
        # kill -9 of the worker: started again, as a restart policy would (and it takes back its work).
        worker = max(_children(run.pid), key=lambda pid: "worker" in Path(f"/proc/{pid}/cmdline").read_text())
        os.killpg(worker, signal.SIGKILL)
        _wait_for(log, "worker stopped (exit code -9); starting it again", timeout=10)
        deadline = time.monotonic() + 60
        while log.read_text(errors="replace").count("ready.") < 2 and time.monotonic() < deadline:
            time.sleep(0.3)
        groups = _children(run.pid)
        assert len(groups) == 3 and worker not in groups
        # An email whose send failed earlier: beat finds it due, the new worker sends it.
        queue_email = (
            "from inmail_studio.review.models import OutgoingEmail;"
            "OutgoingEmail.objects.create(to='ada@example.com', subject='Sent by the make-run worker', body='Hi')"
        )
        subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", "shell", "-c", queue_email],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        _wait_for(log, "Subject: Sent by the make-run worker", timeout=30)

        run.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends
        assert run.wait(timeout=30) == 0
        for pgid in groups:
            assert not _group_alive(pgid), f"process group {pgid} outlived Ctrl-C"
    finally:
        if run.poll() is None:
            run.kill()
        for pgid in groups:
            if _group_alive(pgid):
                os.killpg(pgid, signal.SIGKILL)
