"""UTM tags for a landing page URL, as the UTM builder in the editor adds them.

The editor's button does this in the browser (static/js/guidance.js); this module is the
reference the script must agree with (tests/guidance/test_utm.py and the browser journey
pin both to the same URL), ready for a server-side builder.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.utils.text import slugify

SOURCE = "linkedin"
MEDIUM = "sponsored_message"
KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")


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
