"""A fixed-window request counter in the cache, for endpoints open to people without an account.

Counts live in Django's cache: `cache.add` then `cache.incr` are atomic in Redis, so every web
process shares one count when `CACHE_URL` points at Redis, as production's does. Without it (a
laptop's `make run`), each process keeps its own counts in memory, which still bounds one process.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from .client_address import client_ip


@dataclass(frozen=True)
class Rate:
    limit: int  # requests allowed per window
    window: int  # seconds

    def __str__(self) -> str:
        return f"{self.limit} per {self.window} s"


def hit(scope: str, key: str, rate: Rate, *, now: float | None = None) -> int:
    """Count one request for `key` in `scope`; return how many arrived in the current window."""
    window = int((time.time() if now is None else now) // rate.window)
    bucket = f"ratelimit:{scope}:{key}:{window}"
    cache.add(bucket, 0, timeout=rate.window + 5)
    try:
        return int(cache.incr(bucket))
    except ValueError:  # the bucket expired between add and incr
        cache.add(bucket, 1, timeout=rate.window + 5)
        return 1


def seconds_left(rate: Rate, *, now: float | None = None) -> int:
    moment = time.time() if now is None else now
    return int(rate.window - moment % rate.window) + 1


def rate_limited(
    scope: str,
    rate: Rate,
    refused: Callable[[HttpRequest, int], HttpResponse],
    *,
    methods: tuple[str, ...] = (),
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse a client (by `client_ip`) past `rate` with `refused(request, retry_after)`, status 429.

    `methods` limits the count to those methods (all when empty).
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            counted = not methods or request.method in methods
            if counted and hit(scope, client_ip(request) or "unknown", rate) > rate.limit:
                retry_after = seconds_left(rate)
                response = refused(request, retry_after)
                response.status_code = 429
                response["Retry-After"] = str(retry_after)
                return response
            return view(request, *args, **kwargs)

        return limited

    return decorate
