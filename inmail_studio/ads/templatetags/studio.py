from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """`counters|lookup:"subject"` — a dict item by a key held in a variable or literal."""
    if not mapping:
        return None
    return mapping.get(key)


@register.inclusion_tag("ads/_meta.html")
def field_meta(counters: Mapping[str, Any], name: str, oob: bool = False) -> dict[str, Any]:
    """The live counters under one field (swapped out-of-band by the preview response)."""
    measures = counters.get(name, []) if counters else []
    return {"name": name, "measures": measures, "oob": oob, "errors": [m for m in measures if not m.ok]}
