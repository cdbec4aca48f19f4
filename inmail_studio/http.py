"""The request type of views that look at htmx headers (django-htmx's documented pattern)."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def small_int(value: object, *, digits: int = 18) -> int | None:
    """A whole number as typed in a request (ASCII digits only, at most `digits` of them), else None.

    `str.isdigit()` alone lets through "²" (which `int` refuses) and 100,000 digits (which `int`
    refuses past 4,300): both were server errors.
    """
    text = str(value) if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= digits else None
