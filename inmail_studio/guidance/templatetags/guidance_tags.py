from __future__ import annotations

from typing import Any

from django import template

from inmail_studio.ads.models import Ad, State
from inmail_studio.guidance import checks, selectors
from inmail_studio.guidance.models import Variant

register = template.Library()


@register.filter
def score_grade(score: int) -> str:
    """`good`, `fair` or `weak`: the colour of a checklist score."""
    return checks.grade(score)


@register.inclusion_tag("guidance/_panel.html", takes_context=True)
def guidance_panel(context: template.Context, ad: Ad | None, membership: Any) -> dict[str, Any]:
    """The ad page's variants and results panel: the set the ad is in, "Create variant", and a live ad's results."""
    if ad is None or ad.pk is None or membership is None:
        return {"ad": None}
    variant = selectors.variant_of(ad)
    totals = selectors.results_for([ad]).get(ad.pk) if ad.state == State.LIVE else None
    return {
        "ad": ad,
        "membership": membership,
        "variant": variant,
        "siblings": (
            list(Variant.objects.filter(variant_set_id=variant.variant_set_id).order_by("label"))
            if variant
            else []
        ),
        "totals": totals,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("guidance/_results_cell.html")
def results_cell(totals: Any) -> dict[str, Any]:
    """A live ad's open rate, click-through and costs in one table cell of the drafts list."""
    return {"totals": totals}


@register.inclusion_tag("guidance/_variant_notice.html")
def variant_notice(ad: Ad | None) -> dict[str, Any]:
    """On the review page: the set this ad is a variant of, to review (and approve) the set together."""
    variant = selectors.variant_of(ad) if ad is not None and ad.pk else None
    return {"variant": variant}
