"""Error pages that look like the rest of the product and tell people where to go next."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template import loader


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    template = loader.get_template("error.html")
    return HttpResponse(
        template.render({"status": status, "title": title, "message": message}, request), status=status
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from inmail_studio.accounts.selectors import NoWorkspace

    # Only our own, deliberate messages are shown; others could name models or queries.
    if isinstance(exception, NoWorkspace):
        return _page(request, 404, "No workspace yet", str(exception))
    return _page(request, 404, "Not found", "This page doesn't exist, or you don't have access to it.")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    detail = (
        str(exception) if exception and str(exception) else "Your role in this workspace doesn't allow this."
    )
    return _page(request, 403, "Not allowed", detail)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the failure may have come from it.
    template = loader.get_template("500.html")
    return HttpResponse(template.render({}), status=500)


class ProductErrorPagesInDebug:
    """Under DEBUG, Django answers a 404 (and a 403) with its technical page, naming URL patterns and
    settings. `make run` (scripts/run.py sets ERROR_PAGES_IN_DEBUG) is the product as people see it,
    so there a view's Http404 or PermissionDenied gets the product's own page, as in production; an
    address no pattern matches reaches `not_found` through the catch-all route in urls.py."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not (settings.DEBUG and settings.ERROR_PAGES_IN_DEBUG):
            return None
        if isinstance(exception, Http404):
            return not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return forbidden(request, exception)
        return None
