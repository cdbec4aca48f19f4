"""UTM tags for a landing page URL: the one statement of the rule.

The editor's "Add UTM tags" button asks the server (`guidance:utm`, static/js/guidance.js) and puts
the answer in the field; nothing in the browser knows how the tags are made.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.utils.text import slugify

SOURCE = "linkedin"
MEDIUM = "sponsored_message"
KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
HAS_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
EMPTY = "Enter the landing page URL first."
UNREADABLE = "That landing page URL can't be read; copy it from the browser's address bar."


class Unreadable(ValueError):
    """The URL can't be tagged; the message says what to do, where the person is looking."""


def build(url: str, *, ad_name: str, variant: str) -> str:
    """What the builder puts in the field: `url` tagged (https:// added when no scheme is typed).

    Raises Unreadable with the message to show beside the field.
    """
    raw = url.strip()
    if not raw:
        raise Unreadable(EMPTY)
    if not HAS_SCHEME.match(raw):
        raw = "https://" + raw
    try:
        if not urlsplit(raw).hostname:
            raise Unreadable(UNREADABLE)
    except ValueError as error:  # an unbalanced [ or a bad port
        raise Unreadable(UNREADABLE) from error
    return tagged_url(raw, ad_name=ad_name, variant=variant)


def tagged_url(url: str, *, ad_name: str, variant: str = "a") -> str:
    """`url` with utm_source, utm_medium, utm_campaign (the ad name's slug) and utm_content (the variant).

    Any UTM tags already there are replaced; every other query parameter and the fragment stay.
    """
    parts = urlsplit(url.strip())
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in KEYS]
    tags = [
        ("utm_source", SOURCE),
        ("utm_medium", MEDIUM),
        ("utm_campaign", slugify(ad_name) or "message-ad"),
        ("utm_content", slugify(variant) or "a"),
    ]
    return urlunsplit(parts._replace(query=urlencode(kept + tags)))


def with_content(url: str, variant: str) -> str:
    """`url` with its `utm_content` set to the variant, if it is tagged; an untagged URL stays as it is."""
    parts = urlsplit(url.strip())
    query = parse_qsl(parts.query, keep_blank_values=True)
    if not any(k == "utm_content" for k, _ in query):
        return url
    tagged = [(k, (slugify(variant) or "a") if k == "utm_content" else v) for k, v in query]
    return urlunsplit(parts._replace(query=urlencode(tagged)))
