"""Addresses of uploaded media (banners, sender photos): the one place that makes them.

A revision's snapshot is immutable and its content hash decides whether anything changed, so it
must hold an address that never changes: `stable_url` is MEDIA_URL plus the file's storage name,
whatever the storage. What a page shows is made when the page is rendered, by `serving_url`,
through the storage's own `.url()`: on disk that is the same `/media/...` address; on S3 (a
private bucket) it is a signed URL that expires, which could never be stored in a snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urljoin

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.utils.encoding import filepath_to_uri


def stable_url(file: FieldFile) -> str:
    """MEDIA_URL + the storage name, written exactly as FileSystemStorage writes its URLs."""
    return urljoin(settings.MEDIA_URL, filepath_to_uri(file.name or "").lstrip("/"))


def serving_url(stable: str) -> str:
    """The address a browser fetches now for a `stable_url` (anything else is returned as it is)."""
    if not stable or not stable.startswith(settings.MEDIA_URL):
        return stable
    return str(default_storage.url(unquote(stable.removeprefix(settings.MEDIA_URL))))


def served(item: Mapping[str, Any] | None, key: str) -> Mapping[str, Any] | None:
    """A snapshot's banner or sender with its stored address (under `key`) made servable."""
    if not item or not item.get(key):
        return item
    return {**item, key: serving_url(str(item[key]))}
