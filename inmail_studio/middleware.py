"""Guards every request and labels every response, whatever view answers (issue 11).

`RequestGuard`, before any view (and before the CSRF check reads the form):
- refuses a body over `settings.MAX_REQUEST_BYTES` by its Content-Length, without reading it (413);
- puts `uploads.SizeLimitedUploadHandler` first, so no file is kept past `MAX_UPLOAD_BYTES`;
- turns Django's refusals of a form too large or with too many fields into a clear 413/400 (they
  were bare "Bad Request" pages);
- refuses a NUL character anywhere in the query string or the form (field names, values, file
  names) with a 400 that names the field: PostgreSQL can't store one, so it used to be a 500.
A refusal is a page in the product's look; to htmx it is a message swapped into the page's
`#messages` region (`HX-Retarget`), so the form and everything typed in it stay where they are.

`CacheHeaders`, on the way out: `Vary: HX-Request` on every HTML response (a view may answer htmx
with a fragment and a browser with the page, at one URL), and `Cache-Control: private, no-cache`
on whatever a signed-in person is sent, unless the view said otherwise (pages with tokens say
`no-store`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

from .http import small_int
from .uploads import SizeLimitedUploadHandler

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def refusal(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    """A clear refusal: a page, or for htmx a message in the page's #messages region."""
    if request.headers.get("HX-Request") == "true":
        html = render_to_string("_refusal_message.html", {"message": message})
        response = HttpResponse(html, status=status)
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "innerHTML"
        return response
    html = render_to_string("error.html", {"status": status, "title": title, "message": message}, request)
    return HttpResponse(html, status=status)


def _nul_in(pairs: Iterable[tuple[str, list[str]]]) -> str | None:
    """The first field whose name or one of whose values holds a NUL character."""
    for key, values in pairs:
        if "\x00" in key or any("\x00" in value for value in values):
            return key.replace("\x00", "")
    return None


class RequestGuard:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self._refusal(request)
        return refused if refused is not None else self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        size = small_int(request.META.get("CONTENT_LENGTH"), digits=30) or 0
        if size > settings.MAX_REQUEST_BYTES:
            return refusal(
                request,
                413,
                "Too large to send",
                f"What you sent is {_megabytes(size)}; InMail Studio takes at most "
                f"{_megabytes(settings.MAX_REQUEST_BYTES)} at once (a banner at most "
                f"{_megabytes(settings.MAX_UPLOAD_BYTES)}). Nothing was saved.",
            )
        field = _nul_in(request.GET.lists())
        if (
            field is None
            and request.method in ("POST", "PUT", "PATCH")
            and request.content_type in FORM_TYPES
        ):
            request.upload_handlers.insert(0, SizeLimitedUploadHandler(request))
            try:
                field = _nul_in(request.POST.lists()) or _nul_in(
                    (name, [f.name or "" for f in files]) for name, files in request.FILES.lists()
                )
            except RequestDataTooBig:
                return refusal(
                    request,
                    413,
                    "Too large to send",
                    f"This form holds more than {_megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)} of text; "
                    "nothing was saved. Shorten what you pasted and send it again.",
                )
            except TooManyFieldsSent:
                return refusal(
                    request, 400, "Too many fields", "This form sent far more fields than any form here has."
                )
            except (MultiPartParserError, SuspiciousOperation):
                return refusal(request, 400, "Unreadable form", "This form could not be read; send it again.")
        if field is not None:
            return refusal(
                request,
                400,
                "An invisible character",
                f"“{field}” holds a NUL character (an invisible control character, often from pasted "
                "binary text), which can't be saved. Nothing was saved: remove it and send again.",
            )
        return None


class CacheHeaders:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            patch_vary_headers(response, ("HX-Request",))
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-cache"
        return response
