"""The LinkedIn panel on the ad page and the "reconnect" banner, as tags the shared templates include."""

from __future__ import annotations

from typing import Any

from django import template

from inmail_studio.ads.models import Ad

from .. import selectors

register = template.Library()


@register.inclusion_tag("linkedin/_panel.html", takes_context=True)
def linkedin_panel(context: template.Context, ad: Ad | None, membership: Any) -> dict[str, Any]:
    if ad is None or ad.pk is None or membership is None:
        return {"panel": None}
    return {
        "panel": selectors.panel_for(ad, membership),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }


@register.inclusion_tag("linkedin/_reconnect_banner.html", takes_context=True)
def linkedin_reconnect_banner(context: template.Context) -> dict[str, Any]:
    """Admins see what only they can fix: reconnect, permissions to grant, the API version."""
    # `or None`: the navigation's membership is lazy, a proxy even when there is none.
    return {"notices": selectors.admin_notices(context.get("nav_membership") or None)}
