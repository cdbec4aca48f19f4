"""The request type of views that look at htmx headers (django-htmx's documented pattern), and framing."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponseBase
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


R = TypeVar("R", bound=HttpResponseBase)


def framed_by_self(response: R) -> R:
    """Let our own pages frame this document (X-Frame-Options and CSP frame-ancestors).

    Every other response may not be framed at all (settings: X_FRAME_OPTIONS = "DENY", CSP
    frame-ancestors 'none'); only the preview documents that our pages load into a frame by URL
    opt in, one by one.
    """
    response["X-Frame-Options"] = "SAMEORIGIN"
    response._csp_replace = {"frame-ancestors": ["'self'"]}  # type: ignore[attr-defined]  # django-csp's per-response override
    return response


V = TypeVar("V", bound=Callable[..., Any])


def frameable_by_self(view: V) -> V:
    """`framed_by_self` for every response of a view that only ever answers a framed document."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return framed_by_self(view(*args, **kwargs))

    return wrapper  # type: ignore[return-value]


def small_int(value: object, *, digits: int = 18) -> int | None:
    """A whole number as typed in a request (ASCII digits only, at most `digits` of them), else None.

    `str.isdigit()` alone lets through "²" (which `int` refuses) and 100,000 digits (which `int`
    refuses past 4,300): both were server errors.
    """
    text = str(value) if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= digits else None
