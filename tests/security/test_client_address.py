"""The client's address comes from the configured number of trusted proxies, never from what the
client wrote in X-Forwarded-For; behind no proxy it is REMOTE_ADDR (issue 11)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from inmail_studio.client_address import client_ip


def _request(remote: str, forwarded: str | None = None) -> Any:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "client"),
    [
        (0, "198.51.100.7", None, "198.51.100.7"),
        (0, "198.51.100.7", "203.0.113.1", "198.51.100.7"),  # no proxy: the header is the client's own words
        (1, "10.0.0.1", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.1", "203.0.113.66, 198.51.100.7", "198.51.100.7"),  # a spoofed entry on the left
        (2, "10.0.0.2", "203.0.113.66, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (1, "10.0.0.1", "", "10.0.0.1"),  # the proxy was skipped: all we know is the peer
        (1, "10.0.0.1", "not-an-address", "10.0.0.1"),
        (1, "10.0.0.1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_the_client_is_what_the_outermost_trusted_proxy_saw(
    proxies: int, remote: str, forwarded: str | None, client: str, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_request(remote, forwarded)) == client
