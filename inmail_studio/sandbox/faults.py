"""Fault injection: the ways LinkedIn (and the network in between) lets a client down.

A call's faults come from its `X-Sandbox-Faults` header when it has one, else
from the staff page's `FaultConfig`:

    X-Sandbox-Faults: latency_ms=50; error_rate=0.1; throttle_rate=0.1; hang_rate=0.05; drop_rate=0.05; seed=7

- latency_ms: added to every call before it is answered;
- error_rate: share of calls answered 500 or 503 (nothing is written);
- throttle_rate: share of calls answered 429 (nothing is written);
- hang_rate: share of calls that sleep `SANDBOX_HANG_SECONDS` before answering 504, past any sane
  client timeout (nothing is written);
- drop_rate: share of writes (creates, actions, partial updates) that are committed, after which
  the connection is shut down without an answer: the write happened, the client sees a
  connection error;
- seed: with a seed in the header, each call's draws are reproducible (the same seed, the same
  outcome); with a seed in FaultConfig, the sequence of draws is reproducible per process;
- queue (FaultConfig only): outcomes for the next calls in order, one per call
  (`503,503,ok`, `429`, `drop`), for tests that need "fail twice then succeed" exactly.

How "drop" works: the view commits its transaction, then finds the client's
socket (gunicorn puts it in `environ["gunicorn.socket"]`; Django's own server,
which pytest-django's live_server runs, exposes it through the file object
behind `wsgi.input`) and calls `shutdown(SHUT_RDWR)` on it. The server's
later write fails with a broken pipe, which both servers ignore quietly, and
the client gets a closed connection with no status line.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from .models import FaultConfig
from .restli import RestliError

HEADER = "X-Sandbox-Faults"
OUTCOMES = ("ok", "500", "503", "429", "hang", "drop")

# Fault draws only need to be reproducible, not unpredictable.
_process_rng = random.Random()  # noqa: S311
_process_seed: str | None = None
_lock = threading.Lock()


@dataclass
class Faults:
    latency_ms: int = 0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    hang_rate: float = 0.0
    drop_rate: float = 0.0
    seed: str = ""
    forced: str = ""
    rng: random.Random = field(default_factory=random.Random)

    @property
    def any(self) -> bool:
        return bool(
            self.latency_ms or self.error_rate or self.throttle_rate or self.hang_rate or self.drop_rate
        ) or bool(self.forced)


def parse_header(value: str) -> Faults:
    """`latency_ms=50; error_rate=0.1; ...` as Faults; 400 for an unknown name or a bad number."""
    faults = Faults()
    for part in value.replace(",", ";").split(";"):
        if not part.strip():
            continue
        name, _, raw = part.partition("=")
        name, raw = name.strip().lower(), raw.strip()
        try:
            if name == "latency_ms":
                faults.latency_ms = max(0, int(raw))
            elif name in ("error_rate", "throttle_rate", "hang_rate", "drop_rate"):
                setattr(faults, name, min(1.0, max(0.0, float(raw))))
            elif name == "seed":
                faults.seed = raw
            elif name == "outcome" and raw in OUTCOMES:
                faults.forced = raw
            else:
                raise ValueError(name)
        except ValueError as error:
            raise RestliError(400, "INVALID_ARGUMENT", f"{HEADER}: cannot read {part.strip()!r}.") from error
    faults.rng = random.Random(faults.seed) if faults.seed else random.Random()  # noqa: S311
    return faults


def _from_config() -> Faults:
    global _process_seed
    with transaction.atomic():
        config = FaultConfig.objects.select_for_update().filter(pk=1).first()
        if config is None:
            return Faults()
        forced = ""
        if config.queue.strip():
            first, _, rest = config.queue.partition(",")
            forced = first.strip().lower()
            config.queue = rest.strip()
            config.save(update_fields=["queue", "updated_at"])
    with _lock:
        if config.seed and config.seed != _process_seed:
            _process_seed = config.seed
            _process_rng.seed(config.seed)
    return Faults(
        latency_ms=config.latency_ms,
        error_rate=config.error_rate,
        throttle_rate=config.throttle_rate,
        hang_rate=config.hang_rate,
        drop_rate=config.drop_rate,
        seed=config.seed,
        forced=forced if forced in OUTCOMES else "",
        rng=_process_rng if config.seed else random.Random(),  # noqa: S311
    )


def for_request(request: HttpRequest) -> Faults:
    header = request.headers.get(HEADER)
    if header is not None:
        return parse_header(header)
    return _from_config()


def before(faults: Faults) -> None:
    """Apply the faults that strike before the call does anything: latency, 5xx, 429, hang."""
    if faults.latency_ms:
        time.sleep(faults.latency_ms / 1000)
    outcome = faults.forced
    if not outcome:
        with _lock:
            draw = faults.rng.random()
            pick_503 = faults.rng.random() < 0.5
        edges = (
            (faults.error_rate, "503" if pick_503 else "500"),
            (faults.throttle_rate, "429"),
            (faults.hang_rate, "hang"),
        )
        total = 0.0
        for rate, name in edges:
            total += rate
            if draw < total:
                outcome = name
                break
    if outcome == "500":
        raise RestliError(500, "INTERNAL_SERVER_ERROR", "Internal Server Error (injected by the sandbox).")
    if outcome == "503":
        raise RestliError(503, "SERVICE_UNAVAILABLE", "Service Unavailable (injected by the sandbox).")
    if outcome == "429":
        raise RestliError(429, "TOO_MANY_REQUESTS", "Resource level throttle limit exceeded (injected).")
    if outcome == "hang":
        time.sleep(settings.SANDBOX_HANG_SECONDS)
        raise RestliError(504, "GATEWAY_TIMEOUT", "The sandbox hung on purpose and gave up.")
    if outcome == "drop":
        faults.drop_rate = 1.0
    elif outcome == "ok":
        faults.drop_rate = 0.0


def should_drop(faults: Faults) -> bool:
    """Whether a create, once committed, loses its response."""
    if faults.drop_rate >= 1.0:
        return True
    if not faults.drop_rate:
        return False
    with _lock:
        return faults.rng.random() < faults.drop_rate


def _client_socket(environ: dict[str, Any]) -> socket.socket | None:
    sock = environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        return sock
    # Django's development server: wsgi.input is a LimitedStream over the connection's
    # buffered reader; follow the bound read method back to an object that has a file number.
    stream: Any = environ.get("wsgi.input")
    for _ in range(5):
        if stream is None:
            return None
        fileno = getattr(stream, "fileno", None)
        if callable(fileno):
            with contextlib.suppress(OSError, ValueError):
                return socket.socket(fileno=fileno())
        read = getattr(stream, "_read", None)
        stream = getattr(read, "__self__", None)
    return None


def drop_connection(request: HttpRequest) -> bool:
    """Shut the client's connection down without an answer. True if a socket was found."""
    sock = _client_socket(request.META)
    if sock is None:
        return False
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    if sock is not request.META.get("gunicorn.socket"):
        # A second socket object over the server's file number: detach, never close, so the
        # server's own object still owns (and later closes) the descriptor.
        sock.detach()
    return True
