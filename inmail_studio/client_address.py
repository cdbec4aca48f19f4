"""The client's address, as far as this deployment can trust it.

Behind no proxy, `REMOTE_ADDR` is the client. Behind reverse proxies (a load balancer, nginx),
`REMOTE_ADDR` is the nearest proxy and every client would share its address, so one person's
wrong passwords would lock everyone out (issue 11). Each proxy appends the address it received
the request from to `X-Forwarded-For`; the client can write anything before that. With
`settings.TRUSTED_PROXY_COUNT` proxies in front of the app, the client is the address the
outermost of them appended: the Nth entry from the right of the header plus `REMOTE_ADDR`.
Entries further left were written by the client and are never trusted.

Used by the sign-in brake (django-axes' `AXES_CLIENT_IP_CALLABLE`), the share links' rate
limit and the audit trail.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's IP address (an empty string when none can be read)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return _valid(remote) or ""
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    chain = [*forwarded, remote]
    # chain[-1] is the nearest proxy; chain[-(proxies + 1)] is what the outermost trusted proxy saw.
    # A shorter chain means the request skipped a proxy: its leftmost hop is all we know.
    candidate = chain[-(proxies + 1)] if len(chain) > proxies else chain[0]
    return _valid(candidate) or _valid(remote) or ""


def client_ip_or_none(request: HttpRequest) -> str | None:
    """`client_ip`, or None when there is none (for a nullable IP field)."""
    return client_ip(request) or None
