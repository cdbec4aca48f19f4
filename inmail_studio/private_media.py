"""Private media: uploaded banners and sender photos are served only against a signed, expiring URL.

`/media/` served every upload to anyone, and sender photo names are guessable (issue 11). Now the
default storage's `url()` signs the file's name with an expiry, and `serve` answers only a valid,
unexpired signature. A page hands such a URL only to people allowed to see the object: members of
its workspace (every view is scoped by workspace) and the holder of a share link (the shared page
renders the preview); the preview frame, a `srcdoc` document, loads it like any page. So the
signature is the authority for a while, as with an S3 presigned URL: production may swap this
storage for S3 with signed URLs without changing anything else, because every URL is made by the
storage's `url()` and by nothing else.

Snapshots (revisions, immutable and hashed) can't hold a URL that changes every hour: they keep
`ads.media.stable_url` (MEDIA_URL + the name, what unsigned URLs used to be), and the renderer
asks the storage for a fresh URL with `ads.media.serving_url` when it draws the preview.

URLs are stable for `STEP` seconds at a time (the expiry is rounded up), so browsers can cache an
image across pages, and each works for at least `settings.MEDIA_URL_TTL` seconds.
"""

from __future__ import annotations

import mimetypes
import time
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_GET

from .http import small_int

STEP = 600
_SALT = "inmail_studio.media"


def _signature(name: str, expires: int) -> str:
    return signing.Signer(salt=_SALT).signature(f"{name}\n{expires}")


def _expires(now: float | None = None) -> int:
    moment = int(time.time() if now is None else now) + settings.MEDIA_URL_TTL
    return (moment // STEP + 1) * STEP


class SignedFileSystemStorage(FileSystemStorage):
    """Files on disk under MEDIA_ROOT, whose URLs are signed and expire."""

    def url(self, name: str | None) -> str:
        plain = super().url(name)
        if not name:
            return plain
        expires = _expires()
        return f"{plain}?{urlencode({'e': expires, 's': _signature(name, expires)})}"


@require_GET
def serve(request: HttpRequest, name: str) -> HttpResponse | FileResponse:
    """An uploaded file, for a valid signature that has not expired; anything else is refused."""
    expires = small_int(request.GET.get("e", ""), digits=12)
    if expires is None or not constant_time_compare(request.GET.get("s", ""), _signature(name, expires)):
        raise Http404("No such file.")
    if expires < time.time():
        html = render_to_string(
            "error.html",
            {
                "status": 403,
                "title": "Link expired",
                "message": "This link to a file has expired. Reload the page it was on for a fresh one.",
            },
            request,
        )
        return HttpResponse(html, status=403)
    try:
        handle: Any = default_storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation):
        raise Http404("No such file.") from None
    content_type, _ = mimetypes.guess_type(name)
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = f"private, max-age={max(0, expires - int(time.time()))}"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
