"""Celery beat's scheduler, with a heartbeat a healthcheck can read.

A beat process that started and then hung (a broker that stopped answering, a stuck publish)
still has its schedule file, so "the file exists" proves nothing. This scheduler touches
`health.beat_heartbeat_path()` on every tick; beat ticks at least every
CELERY_BEAT_MAX_LOOP_INTERVAL seconds (30), so a heartbeat older than two minutes means beat is
not running its schedule (`python -m inmail_studio.health beat`).
"""

from __future__ import annotations

from typing import Any

from celery.beat import PersistentScheduler

from .health import beat_heartbeat_path


class HeartbeatScheduler(PersistentScheduler):
    def tick(self, *args: Any, **kwargs: Any) -> float:
        beat_heartbeat_path().touch()
        return float(super().tick(*args, **kwargs))
