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


# Projections keep LinkedIn's Rest.li 1.0 form `fields=a,b,c`: raw commas, because LinkedIn reads a
# percent-encoded comma as part of one (unknown) field name. The official client does the same: it
# pops `fields` out of its encoder (linkedin_api/clients/restli/utils/restli.py,
# encode_query_params_for_get_requests). Contract row R36.
FIELDS = "fields"


def projection(value: Any) -> str:
    names = value.split(",") if isinstance(value, str) else list(value)
    return ",".join(quote(str(name), safe="") for name in names)


def query(params: Mapping[str, Any]) -> str:
    """A query string with each value Rest.li-encoded, in a stable order; `fields` with raw commas."""
    return "&".join(
        f"{quote(str(k), safe='')}={projection(v) if k == FIELDS else encode(v)}"
        for k, v in sorted(params.items())
    )


def key(value: str) -> str:
    """A resource key for a path segment, URL-encoded whole (`urn%3Ali%3AadInMailContent%3A123`)."""
    return quote(value, safe="")


def decode_id(header_value: str, urn_type: str | None = None) -> str:
    """The id from an `x-restli-id` header, which LinkedIn sends URL-encoded.

    Some creates answer a bare number (campaigns, and conversations by some accounts of it); with
    `urn_type` ("sponsoredConversation") a bare number becomes its URN, so nothing stores "123"
    where a URN belongs.
    """
    value = unquote(header_value).strip()
    if urn_type and value.isdigit():
        return f"urn:li:{urn_type}:{value}"
    return value


def numeric_id(urn: str) -> str:
    """The last part of a simple URN: `urn:li:sponsoredAccount:42` → `42`."""
    return urn.rsplit(":", 1)[-1]
