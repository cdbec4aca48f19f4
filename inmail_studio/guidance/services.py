"""Writes for the guidance: an ad's plan, a workspace's forecast assumptions, variant sets, and results.

Variants are ordinary ads: `variant_create` copies one with `ads.copies.ad_duplicate`,
approving a set goes through `review.services.approve` for each ad (so no one approves
their own revision and each approval pins the revision hash the approver saw), and each
variant syncs as its own creative. `results_pull` reads LinkedIn's ad analytics through
the LinkedIn client and stores one row per ad, creative and day.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from inmail_studio import conflicts
from inmail_studio.accounts.models import (
    ADMIN_ROLES,
    EDIT_ROLES,
    Membership,
    User,
    Workspace,
)
from inmail_studio.ads import copies, limits
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import Ad, State
from inmail_studio.ads.selectors import ads_for
from inmail_studio.linkedin import services as linkedin_services
from inmail_studio.linkedin.client import Rejected, Transient
from inmail_studio.linkedin.models import AdLinkedIn
from inmail_studio.review import services as review_services

from . import utm
from .models import (
    VARIANT_LABELS,
    AdPlan,
    DailyResult,
    ForecastAssumptions,
    OfferType,
    ResultsPull,
    Variant,
    VariantSet,
)

log = logging.getLogger(__name__)


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
    expected: Mapping[str, Any] | None = None,
) -> tuple[AdPlan, bool]:
    """Change the plan of an ad; returns the plan and whether anything changed.

    `offer_type` and `utm_variant` change when given. The forecast inputs change together
    when `forecast` is true (so clearing the conversion rate back to the workspace's is a
    change too); `expected` is what the forecast form was loaded with (`forecast_state`): when
    someone saved other inputs meanwhile, EditConflict. The plan is not part of the ad's
    snapshot: no revision is written.
    """
    _require_role(
        editor, ad.workspace_id, EDIT_ROLES, "You need the author role in this workspace to plan ads."
    )
    plan, _ = AdPlan.objects.select_for_update().get_or_create(ad=ad)
    conflict = conflicts.state_conflict(expected, forecast_state(plan), what="the forecast inputs")
    if conflict is not None:
        raise conflict
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
    utm_variant = data.get("utm_variant")
    if offer_type is not None and offer_type not in ("", *OfferType.values):
        offer_type = None
    # A field the person left as it was loaded (`plan_version`) keeps what is stored now: another
    # person's change made meanwhile is not undone by a form that never showed it.
    loaded = conflicts.state_from_token(data.get("plan_version"))
    if loaded is not None:
        if offer_type == loaded.get("offer_type"):
            offer_type = None
        if utm_variant == loaded.get("utm_variant"):
            utm_variant = None
    if offer_type is None and utm_variant is None:
        return False
    _, changed = plan_update(ad=ad, editor=editor, offer_type=offer_type, utm_variant=utm_variant)
    return changed


def plan_version(ad: Ad | None) -> str:
    """The editor's plan fields as the form was loaded with them (see `plan_save_from_editor`)."""
    from .selectors import plan_for

    if ad is None:
        return ""
    plan = plan_for(ad)
    return conflicts.state_token({"offer_type": plan.offer_type, "utm_variant": plan.utm_variant})


def figure(value: Any) -> str:
    """A number as a form shows it, the same however it is stored (2.50 and 2.5 are one figure)."""
    if value is None or value == "":
        return ""
    try:
        return format(Decimal(str(value)).normalize(), "f")
    except InvalidOperation:
        return str(value)


def forecast_state(plan: AdPlan | None) -> dict[str, str]:
    """The forecast inputs of a plan as the forecast form shows them (its version, see `conflicts`)."""
    return {
        "audience_size": figure(plan.audience_size if plan else None),
        "conversion_rate": figure(plan.conversion_rate if plan else None),
    }


def assumptions_state(row: ForecastAssumptions) -> dict[str, str]:
    """A workspace's assumptions as the assumptions form shows them (its version, see `conflicts`)."""
    from .forms import AssumptionsForm

    return {name: figure(getattr(row, name)) for name in AssumptionsForm.Meta.fields}


@transaction.atomic
def assumptions_update(
    *,
    workspace: Workspace,
    editor: User,
    values: Mapping[str, Any],
    expected: Mapping[str, Any] | None = None,
) -> ForecastAssumptions:
    """Store the workspace's forecast assumptions (admins only); EditConflict when another admin
    saved figures after the form was loaded with `expected`."""
    _require_role(
        editor, workspace.pk, ADMIN_ROLES, "Only workspace admins can change the forecast assumptions."
    )
    row, _ = ForecastAssumptions.objects.select_for_update().get_or_create(workspace=workspace)
    conflict = conflicts.state_conflict(expected, assumptions_state(row), what="the forecast assumptions")
    if conflict is not None:
        raise conflict
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


# ---------------------------------------------------------------- variants


class VariantRefused(Exception):
    """The variant set can't do what was asked; `messages` says why, one line per variant."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages


def variant_name(set_name: str, label: str) -> str:
    suffix = f" · variant {label}"
    return set_name[: limits.AD_NAME.maximum - len(suffix)] + suffix


@transaction.atomic
def variant_create(*, ad_id: int, author: User, subject: str | None = None) -> Ad:
    """Copy an ad into the next variant of its set (A, B, C…), starting the set if it has none.

    The ad copied becomes variant A of a new set. The copy gets the given subject (variants
    differ in subject or body; the body is changed in the editor), its plan with the new
    letter as UTM content (and a tagged landing page's `utm_content`), and the campaign the
    set's variants share on LinkedIn, so it syncs as another creative in the same campaign.
    """
    source = ads_for(author).select_for_update().filter(pk=ad_id).first()
    if source is None:
        raise Http404("No such ad.")
    _require_role(author, source.workspace_id, EDIT_ROLES, "You need the author role to create variants.")
    membership = Variant.objects.filter(ad=source).first()
    if membership is None:
        variant_set = VariantSet.objects.create(
            workspace_id=source.workspace_id, name=source.name, created_by=author
        )
        Variant.objects.create(ad=source, variant_set=variant_set, label=VARIANT_LABELS[0])
    else:
        variant_set = VariantSet.objects.select_for_update().get(pk=membership.variant_set_id)
    taken = set(Variant.objects.filter(variant_set=variant_set).values_list("label", flat=True))
    label = next((letter for letter in VARIANT_LABELS if letter not in taken), None)
    if label is None:
        raise VariantRefused([f"A set holds at most {len(VARIANT_LABELS)} variants."])
    copy = copies.ad_duplicate(ad_id=source.pk, author=author)
    fields: dict[str, Any] = {"name": variant_name(variant_set.name, label)}
    if subject is not None and subject.strip():
        fields["subject"] = subject.strip()
    if copy.landing_page_url:
        fields["landing_page_url"] = utm.with_content(copy.landing_page_url, label.lower())
    ad_services.ad_update(ad_id=copy.pk, editor=author, fields=fields)
    copy.refresh_from_db()
    Variant.objects.create(ad=copy, variant_set=variant_set, label=label)
    plan = AdPlan.objects.filter(ad=source).first()
    AdPlan.objects.create(
        ad=copy,
        offer_type=plan.offer_type if plan else "",
        audience_size=plan.audience_size if plan else None,
        conversion_rate=plan.conversion_rate if plan else None,
        utm_variant=label.lower(),
    )
    campaign = set_campaign(variant_set, prefer=source)
    if campaign:
        AdLinkedIn.objects.update_or_create(ad=copy, defaults={"campaign_urn": campaign})
    return copy


def set_campaign(variant_set: VariantSet, *, prefer: Ad | None = None) -> str:
    """The LinkedIn campaign the set's variants are in: `prefer`'s, else the first variant's that has one."""
    links = dict(
        AdLinkedIn.objects.filter(ad__variant__variant_set=variant_set)
        .exclude(campaign_urn="")
        .values_list("ad_id", "campaign_urn")
    )
    if prefer is not None and prefer.pk in links:
        return str(links[prefer.pk])
    ordered = Variant.objects.filter(variant_set=variant_set, ad_id__in=list(links)).order_by("label")
    first = ordered.values_list("ad_id", flat=True).first()
    return str(links[first]) if first is not None else ""


def variant_set_campaign(*, set_id: int, user: User, campaign_urn: str) -> list[AdLinkedIn]:
    """Put every variant that isn't live yet into one campaign (approved ones waiting for it then sync)."""
    variant_set = VariantSet.objects.filter(pk=set_id, workspace__memberships__user=user).first()
    if variant_set is None:
        raise Http404("No such variant set.")
    ads = (
        Ad.objects.filter(variant__variant_set=variant_set)
        .exclude(state=State.LIVE)
        .order_by("variant__label")
    )
    return [
        linkedin_services.campaign_choose(ad_id=ad.pk, user=user, campaign_urn=campaign_urn) for ad in ads
    ]


def variant_set_approve(
    *, set_id: int, approver: User, revisions: Mapping[int, str], comment: str = "", ip: str | None = None
) -> list[Ad]:
    """Approve the given variants together, all or none: `revisions` maps each ad to the hash the approver saw.

    Each approval is `review.services.approve`, with all its rules: the approver's role, the
    revision they saw still the one in review, and never their own revision. If any variant
    can't be approved, none is, and `VariantRefused` says why for each.
    """
    variant_set = VariantSet.objects.filter(pk=set_id, workspace__memberships__user=approver).first()
    if variant_set is None:
        raise Http404("No such variant set.")
    labels = dict(Variant.objects.filter(variant_set=variant_set).values_list("ad_id", "label"))
    if not revisions:
        raise VariantRefused(["Choose the variants to approve."])
    approved: list[Ad] = []
    problems: list[str] = []
    with transaction.atomic():
        for ad_id, revision_hash in sorted(revisions.items(), key=lambda item: labels.get(item[0], "")):
            if ad_id not in labels:
                raise Http404("That ad is not in this variant set.")
            try:
                approved.append(
                    review_services.approve(
                        ad_id=ad_id, approver=approver, revision_hash=revision_hash, comment=comment, ip=ip
                    )
                )
            except (
                PermissionDenied,
                ValidationError,
                review_services.IllegalMove,
                review_services.StaleState,
            ) as error:
                problems.append(f"Variant {labels[ad_id]}: {_message(error)}")
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise VariantRefused(problems)
    return approved


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


# ---------------------------------------------------------------- results


ANALYTICS_FIELDS = "dateRange,pivotValues,sends,opens,clicks,actionClicks,oneClickLeads,costInLocalCurrency"
# LinkedIn revises the last few days' figures: each pull asks again from this many days before the last one stored.
REPULL_DAYS = 3
# How far back the first pull of an ad asks (LinkedIn leaves out days without delivery).
FIRST_PULL_DAYS = 90


def _today() -> date:
    return timezone.now().astimezone(UTC).date()


def _day(element: Mapping[str, Any]) -> date | None:
    start = ((element.get("dateRange") or {}).get("start")) or {}
    try:
        return date(int(start["year"]), int(start["month"]), int(start["day"]))
    except (KeyError, TypeError, ValueError):
        return None


def _count(element: Mapping[str, Any], name: str) -> int:
    try:
        return max(0, int(element.get(name) or 0))
    except (TypeError, ValueError):
        return 0


def _money(element: Mapping[str, Any], name: str) -> Decimal:
    try:
        return Decimal(str(element.get(name) or "0")).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal(0)


def _record_pull(ad: Ad, *, at: datetime, error: str = "", days: int | None = None) -> None:
    defaults: dict[str, Any] = {"attempted_at": at, "error": error[:500]}
    if not error:
        defaults.update(pulled_at=at, days=days or 0)
    ResultsPull.objects.update_or_create(ad=ad, defaults=defaults)


def results_pull(*, ad_id: int) -> int:
    """Store a live ad's daily figures from LinkedIn's ad analytics; returns the number of days in the answer.

    One row per ad, creative and day, written with an upsert, so a repeated pull (or two at
    once) replaces a day's figures and never adds them up twice. A day LinkedIn leaves out
    gets no row. Raises Transient (after recording it) for the task to retry.
    """
    ad = Ad.objects.select_related("workspace").get(pk=ad_id)
    link = AdLinkedIn.objects.filter(ad=ad).exclude(creative_urn="").first()
    if ad.state != State.LIVE or link is None:
        return 0
    today = _today()
    last = DailyResult.objects.filter(ad=ad).aggregate(last=Max("day"))["last"]
    start = last - timedelta(days=REPULL_DAYS) if last else today - timedelta(days=FIRST_PULL_DAYS)
    now = timezone.now()
    unavailable = linkedin_services.feature_unavailable(ad.workspace_id, "r_ads_reporting")
    if unavailable:
        # adAnalytics needs r_ads_reporting (contract R36): don't ask LinkedIn for a sure 403.
        _record_pull(ad, at=now, error=unavailable)
        return 0
    try:
        # adAnalytics doesn't page; `fields` goes out with raw commas (contract R36).
        elements = linkedin_services.client_for(ad.workspace).find_once(
            "adAnalytics",
            "analytics",
            {
                "pivot": "CREATIVE",
                "timeGranularity": "DAILY",
                "dateRange": {"start": {"year": start.year, "month": start.month, "day": start.day}},
                "creatives": [link.creative_urn],
                "fields": ANALYTICS_FIELDS,
            },
        )
    except Transient as error:
        _record_pull(ad, at=now, error=error.explain())
        raise
    except Rejected as error:
        _record_pull(ad, at=now, error=error.explain())
        return 0
    except linkedin_services.NotConnected as error:
        _record_pull(ad, at=now, error=str(error))
        return 0
    rows: dict[tuple[str, date], DailyResult] = {}
    for element in elements:
        day = _day(element)
        pivots = element.get("pivotValues") or [link.creative_urn]
        if day is None or day > today:
            continue
        creative = str(pivots[0])
        rows[(creative, day)] = DailyResult(
            ad=ad,
            creative_urn=creative,
            day=day,
            sends=_count(element, "sends"),
            opens=_count(element, "opens"),
            clicks=_count(element, "clicks"),
            action_clicks=_count(element, "actionClicks"),
            leads=_count(element, "oneClickLeads"),
            spend=_money(element, "costInLocalCurrency"),
            pulled_at=now,
        )
    with transaction.atomic():
        DailyResult.objects.bulk_create(
            list(rows.values()),
            update_conflicts=True,
            unique_fields=["ad", "creative_urn", "day"],
            update_fields=["sends", "opens", "clicks", "action_clicks", "leads", "spend", "pulled_at"],
        )
        _record_pull(ad, at=now, days=len(rows))
    return len(rows)


def live_ads_with_creatives() -> list[int]:
    """The ids of every live ad that has a creative on LinkedIn: what the beat task pulls."""
    return list(
        Ad.objects.filter(state=State.LIVE, linkedin__creative_urn__gt="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
