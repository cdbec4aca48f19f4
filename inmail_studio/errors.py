"""Error pages that look like the rest of the product and tell people where to go next."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
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
