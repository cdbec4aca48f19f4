"""Rest.li 2.0 encoding as LinkedIn speaks it: keys in paths, `List(...)` and `(k:v)` in query strings.

Only the client uses these; nothing else in the app builds a LinkedIn URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

PROTOCOL_VERSION = "2.0.0"


def encode(value: Any) -> str:
    """One value in Rest.li 2.0 URL form: strings URL-encoded whole, lists as `List(a,b)`, dicts as `(k:v)`.

    The delimiters `List(`, `,`, `(`, `:` and `)` stay literal; everything inside is encoded,
    so a URN `urn:li:x:1` becomes `urn%3Ali%3Ax%3A1`.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote(value, safe="")
    if isinstance(value, list | tuple):
        return "List(" + ",".join(encode(item) for item in value) + ")"
    if isinstance(value, Mapping):
        return "(" + ",".join(f"{encode(k)}:{encode(v)}" for k, v in sorted(value.items())) + ")"
    return str(value)


def query(params: Mapping[str, Any]) -> str:
    """A query string with each value Rest.li-encoded, in a stable order."""
    return "&".join(f"{quote(str(k), safe='')}={encode(v)}" for k, v in sorted(params.items()))


def key(value: str) -> str:
    """A resource key for a path segment, URL-encoded whole (`urn%3Ali%3AadInMailContent%3A123`)."""
    return quote(value, safe="")


def decode_id(header_value: str) -> str:
    """The id from an `x-restli-id` header, which LinkedIn sends URL-encoded."""
    return unquote(header_value)


def numeric_id(urn: str) -> str:
    """The last part of a simple URN: `urn:li:sponsoredAccount:42` → `42`."""
    return urn.rsplit(":", 1)[-1]
