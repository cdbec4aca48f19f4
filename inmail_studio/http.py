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
