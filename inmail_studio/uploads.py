"""Uploads are refused by size while they arrive, never after being read whole (issue 11).

`RequestGuard` (see `middleware`) refuses a request whose Content-Length is over
`settings.MAX_REQUEST_BYTES` before a byte of it is read. Below that, this upload handler, first
in line for every request, passes at most `settings.MAX_UPLOAD_BYTES` of each file on to Django's
own handlers and drops the rest as it streams by; the file then arrives as a `RefusedUpload` that
holds nothing but its name and its real size, so the form's own size check says what is wrong
("The banner is 9.4 MB; LinkedIn allows 2 MB") next to the field, with everything else the form
held kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class RefusedUpload(UploadedFile):
    """A file that was too large: its name and size, and no content."""

    def __init__(self, name: str, content_type: str, size: int) -> None:
        import io

        super().__init__(io.BytesIO(b""), name=name, content_type=content_type, size=size)


class SizeLimitedUploadHandler(FileUploadHandler):
    """Passes each file on to the next handlers only while it is within MAX_UPLOAD_BYTES."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_BYTES:
            # Past the limit nothing more is kept; later handlers never see these bytes.
            self.too_large = True
            return None
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.too_large:
            return None  # let Django's handlers hand over the file they kept
        return RefusedUpload(self.file_name or "upload", self.content_type or "", self.received)
