"""Placeholder addresses: links a draft holds until the real page exists, which must never go live.

`example.com` and its kin (RFC 2606 and RFC 6761 reserve them for documentation and tests), the
reserved `.example`, `.test`, `.invalid` and `.localhost` names, and the stand-ins people type
(`yourcompany.com`): a member who clicks one lands nowhere. The checklist flags them as a problem,
the review page warns the approver before they approve, and the LinkedIn panel before a sync.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

RESERVED_DOMAINS = ("example.com", "example.org", "example.net")
RESERVED_TLDS = ("example", "test", "invalid", "localhost")
STAND_INS = re.compile(r"^(?:www\.)?(?:your|my)[-_]?(?:company|domain|site|website|url|link|page)\.[a-z]+$")

_HREF = re.compile(r'\bhref="([^"]*)"')


def placeholder_host(url: str) -> str:
    """The placeholder host `url` points at, or "" if it looks like a real address."""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    if not host:
        return ""
    if host in RESERVED_DOMAINS or host.endswith(tuple("." + d for d in RESERVED_DOMAINS)):
        return host
    if host.rsplit(".", 1)[-1] in RESERVED_TLDS or STAND_INS.match(host):
        return host
    return ""


def addresses_of(snapshot: Mapping[str, Any]) -> list[str]:
    """Every address a revision sends members to: its landing page, body links, and for a
    conversation ad each message's links and each button's URL."""
    found = [str(snapshot.get("landing_page_url") or "")]
    found += _HREF.findall(str(snapshot.get("body") or ""))
    tree = snapshot.get("tree") or {}
    for message in tree.get("messages", []) if isinstance(tree, Mapping) else []:
        found += _HREF.findall(str(message.get("body") or ""))
        found += [str(b.get("url") or "") for b in message.get("buttons", []) or []]
    return [a for a in found if a]


def placeholders_in(addresses: Iterable[str]) -> list[str]:
    """The placeholder addresses among `addresses`, each once, in order."""
    seen: list[str] = []
    for address in addresses:
        if placeholder_host(address) and address not in seen:
            seen.append(address)
    return seen


def in_snapshot(snapshot: Mapping[str, Any]) -> list[str]:
    return placeholders_in(addresses_of(snapshot))


def message(found: list[str]) -> str:
    hosts = sorted({placeholder_host(a) for a in found})
    return (
        f"{'These links point' if len(found) > 1 else 'This link points'} at a placeholder address "
        f"({', '.join(hosts)}): a member who clicks lands nowhere. Replace it with the real page."
    )
