"""CPU seconds of processes, from /proc (Linux): what a figure costs on a shared machine, where wall
clock also counts the time spent waiting for a core.

`tree_cpu(pid)` is the user + system time of a process and every live descendant, plus what its
reaped children used (cutime/cstime); `backend_cpu(pids)` the same for PostgreSQL backends (by the
pids `pg_stat_activity` names); `machine_busy()` the busy seconds of every core (all users) from
/proc/stat.
"""

from __future__ import annotations

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after its closing one.
    return text[text.rindex(")") + 2 :].split()


def process_cpu(pid: int, *, reaped: bool = False) -> float:
    """CPU seconds (user + system) of `pid`; with `reaped`, plus its waited-for children's."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    # After the name: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICK


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds of `pid` and its descendants, live or reaped."""
    return sum(process_cpu(p, reaped=True) for p in [pid, *descendants(pid)])


def children_cpu(pid: int) -> float:
    """CPU seconds of `pid`'s descendants only (live, and reaped by `pid`), not of `pid` itself:
    a Celery worker's pool processes, without the main process's start-up."""
    fields = _stat(pid)
    reaped = (int(fields[13]) + int(fields[14])) / TICK if fields else 0.0
    return reaped + sum(process_cpu(p, reaped=True) for p in descendants(pid))


def backend_cpu(pids: list[int]) -> dict[int, float]:
    return {pid: process_cpu(pid) for pid in pids}


def machine_busy() -> float:
    """Busy CPU seconds of all cores since boot (everything but idle and iowait), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICK
