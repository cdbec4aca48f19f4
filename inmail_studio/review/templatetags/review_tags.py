from __future__ import annotations

from typing import Any

from django import template

from inmail_studio.ads.models import Ad
from inmail_studio.review.selectors import moves_for

register = template.Library()


@register.simple_tag
def field_comments(ad: Ad | None, field: str) -> list[Any]:
    """Review comments attached to one field of the ad, loaded once per ad per request."""
    if ad is None or not getattr(ad, "pk", None):
        return []
    cache = getattr(ad, "_review_field_comments", None)
    if cache is None:
        from inmail_studio.review.selectors import field_comments_for

        cache = field_comments_for(ad)
        ad._review_field_comments = cache  # type: ignore[attr-defined]
    return cache.get(field, [])


@register.filter
def dictget(mapping: Any, key: str) -> Any:
    """`mapping|dictget:key` with the key in a variable."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def fieldvalue(data: Any, field: str) -> str:
    """What was typed in a field's comment box (`field_<name>`), to show it again after an error."""
    if not data:
        return ""
    return str(data.get(f"field_{field}", ""))


@register.simple_tag
def review_moves(ad: Ad) -> Any:
    """What the review workflow lets a page offer for `ad` (see `review.selectors.Moves`)."""
    return moves_for(ad)
