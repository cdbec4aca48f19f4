"""Writes for the guidance: an ad's plan and a workspace's forecast assumptions."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from inmail_studio.accounts.models import ADMIN_ROLES, EDIT_ROLES, Membership, User, Workspace
from inmail_studio.ads.models import Ad

from .models import AdPlan, ForecastAssumptions, OfferType


def _require_role(user: User, workspace_id: int, roles: frozenset[str], message: str) -> None:
    if not Membership.objects.filter(user=user, workspace_id=workspace_id, role__in=roles).exists():
        raise PermissionDenied(message)


@transaction.atomic
def plan_update(
    *,
    ad: Ad,
    editor: User,
    offer_type: str | None = None,
    audience_size: int | None = None,
    conversion_rate: Decimal | None = None,
    utm_variant: str | None = None,
    forecast: bool = False,
) -> tuple[AdPlan, bool]:
    """Change the plan of an ad; returns the plan and whether anything changed.

    `offer_type` and `utm_variant` change when given. The forecast inputs change together
    when `forecast` is true (so clearing the conversion rate back to the workspace's is a
    change too). The plan is not part of the ad's snapshot: no revision is written.
    """
    _require_role(
        editor, ad.workspace_id, EDIT_ROLES, "You need the author role in this workspace to plan ads."
    )
    plan, _ = AdPlan.objects.select_for_update().get_or_create(ad=ad)
    before = (plan.offer_type, plan.utm_variant, plan.audience_size, plan.conversion_rate)
    if offer_type is not None:
        if offer_type and offer_type not in OfferType.values:
            raise ValueError(f"Unknown offer type {offer_type!r}.")
        plan.offer_type = offer_type
    if utm_variant is not None:
        plan.utm_variant = slugify(utm_variant)[:40] or "a"
    if forecast:
        plan.audience_size = audience_size
        plan.conversion_rate = conversion_rate
    changed = before != (plan.offer_type, plan.utm_variant, plan.audience_size, plan.conversion_rate)
    if changed:
        plan.save()
    return plan, changed


def plan_save_from_editor(*, ad: Ad, editor: User, data: Mapping[str, Any]) -> bool:
    """Save the plan fields the editor's form carries (offer type, UTM variant) after the ad saved.

    Called by the ads editor's save. Fields the form didn't send are left alone; an offer
    type that isn't one of the choices is ignored (only a tampered form sends one).
    """
    offer_type = data.get("offer_type")
    if offer_type is not None and offer_type not in ("", *OfferType.values):
        offer_type = None
    if offer_type is None and data.get("utm_variant") is None:
        return False
    _, changed = plan_update(ad=ad, editor=editor, offer_type=offer_type, utm_variant=data.get("utm_variant"))
    return changed


def assumptions_update(
    *, workspace: Workspace, editor: User, values: Mapping[str, Any]
) -> ForecastAssumptions:
    """Store the workspace's forecast assumptions (admins only)."""
    _require_role(
        editor, workspace.pk, ADMIN_ROLES, "Only workspace admins can change the forecast assumptions."
    )
    row, _ = ForecastAssumptions.objects.get_or_create(workspace=workspace)
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    return row


def assumptions_reset(*, workspace: Workspace, editor: User) -> None:
    """Go back to the guide's figures (admins only)."""
    _require_role(
        editor, workspace.pk, ADMIN_ROLES, "Only workspace admins can change the forecast assumptions."
    )
    ForecastAssumptions.objects.filter(workspace=workspace).delete()
