"""`make run`: the app, a Celery worker and Celery beat in one command, with no service to install.

Django's development server, a real worker and beat share the SQLite database and an embedded
broker: Kombu's filesystem transport (messages as files under .run/broker), which ships with
Kombu, so nothing new is installed. Syncs, test sends, launches and review emails then go
through the same outbox, retries and recovery as in production (beat every few seconds, a
worker that starts takes back what a dead one held), only on a laptop.

Each process's output is prefixed with its name. Ctrl-C (SIGINT) or SIGTERM stops all three
(each in its own process group, so the development server's autoreloader and the worker's pool
go too). A worker or beat that dies is started again, as a restart policy does in production;
if the web server exits, or one of them keeps dying, the others are stopped too.
Needs no dependency beyond the project's: a short script does what honcho would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
STATE = Path(os.environ.get("RUN_DIR", str(ROOT / ".run")))  # the broker's files, beat's schedule


def commands(port: int) -> dict[str, list[str]]:
    celery = [str(BIN / "celery"), "-A", "inmail_studio"]
    return {
        "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
        # The filesystem transport has no broadcast: no gossip, mingle or remote control here.
        "worker": [
            *celery,
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            "worker@%h",
        ],
        "beat": [*celery, "beat", "--loglevel=INFO", f"--schedule={STATE / 'celerybeat-schedule'}"],
    }


def environment(port: int) -> dict[str, str]:
    env = dict(os.environ)
    if not env.get("DATABASE_URL", "").startswith("sqlite"):
        env.pop("DATABASE_URL", None)  # the SQLite file beside the project, as documented: no service
    env.update(
        {
            "CELERY_BROKER_URL": "filesystem://",
            "CELERY_FILESYSTEM_BROKER_DIR": str(STATE / "broker"),
            "SITE_URL": env.get("SITE_URL", f"http://127.0.0.1:{port}"),
            "PYTHONUNBUFFERED": "1",
            # The product's own 404/403 pages, as people see them, not Django's technical ones.
            "ERROR_PAGES_IN_DEBUG": env.get("ERROR_PAGES_IN_DEBUG", "1"),
        }
    )
    return env


# Beat's outbox sweeps run every few seconds; echoing each one would drown everything else.
QUIET = (
    b"linkedin.requeue_stuck",
    b"review.requeue_emails",
    b"linkedin-requeue-stuck",
    b"review-requeue-emails",
)


def _relay(name: str, stream: IO[bytes]) -> None:
    label = f"{name:<6}| ".encode()
    for line in iter(stream.readline, b""):
        if any(word in line for word in QUIET) and b"ERROR" not in line and b"WARNING" not in line:
            continue
        sys.stdout.buffer.write(label + line)
        sys.stdout.buffer.flush()


class Supervisor:
    def __init__(self, port: int) -> None:
        self.port = port
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = False

    def start(self) -> None:
        STATE.mkdir(exist_ok=True)
        env = environment(self.port)
        for name in commands(self.port):
            self._spawn(name, env)

    def _spawn(self, name: str, env: dict[str, str]) -> None:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter, manage.py and celery
            commands(self.port)[name],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )
        self.processes[name] = process
        assert process.stdout is not None
        threading.Thread(target=_relay, args=(name, process.stdout), daemon=True).start()

    def stop(self, *_: object) -> None:
        if self.stopping:
            return
        self.stopping = True
        for name, process in self.processes.items():
            if process.poll() is None:
                if name == "web":
                    # The autoreloader's child would outlive its parent: the whole group.
                    _signal_group(process, signal.SIGTERM)
                else:
                    # Celery's main process stops its pool itself (a warm shutdown).
                    process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        for process in self.processes.values():
            _signal_group(process, signal.SIGKILL)  # anything of theirs left behind

    def watch(self) -> int:
        """Until a signal stops everything (0), or the web server exits by itself (its code, or 1).

        A worker or beat that exits is started again, as a restart policy does in production (a
        new worker takes back what the dead one held); one that keeps dying stops everything.
        """
        restarts: dict[str, list[float]] = {}
        while not self.stopping:
            for name, process in list(self.processes.items()):
                code = process.poll()
                if code is None or self.stopping:
                    continue
                recent = [t for t in restarts.get(name, []) if t > time.monotonic() - 60]
                if name == "web" or len(recent) >= 3:
                    print(f"{name} stopped (exit code {code}); stopping the others.", flush=True)
                    self.stop()
                    return code or 1
                print(f"{name} stopped (exit code {code}); starting it again.", flush=True)
                restarts[name] = [*recent, time.monotonic()]
                self._spawn(name, environment(self.port))
            time.sleep(0.5)
        return 0


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    supervisor = Supervisor(port)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        print(f"\n{signal.Signals(signum).name}: stopping the web server, the worker and beat…", flush=True)
        supervisor.stop()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    supervisor.start()
    code = supervisor.watch()
    supervisor.stop()
    return code


if __name__ == "__main__":
    sys.exit(main())
