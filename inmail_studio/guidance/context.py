"""What the ads editor shows of the guidance: the checklist beside the preview and the plan fields.

`checklist_for` is the one function the editor (its page and its live preview) calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from inmail_studio.accounts.models import Workspace
from inmail_studio.ads.models import Ad, Sender

from . import checks
from .models import AdPlan, ForecastAssumptions, OfferType


@dataclass(frozen=True)
class Checklist:
    results: list[checks.CheckResult]
    score: int
    offer_type: str
    utm_variant: str
    ad: Ad | None = None
    offer_choices: list[tuple[str, str]] = field(default_factory=lambda: list(OfferType.choices))

    @property
    def grade(self) -> str:
        return checks.grade(self.score)

    @property
    def sections(self) -> list[tuple[str, list[checks.CheckResult]]]:
        return checks.by_section(self.results)

    @property
    def problems(self) -> int:
        return sum(r.status == checks.PROBLEM for r in self.results)

    @property
    def advice(self) -> int:
        return sum(r.status == checks.ADVICE for r in self.results)

    @property
    def passed(self) -> int:
        return sum(r.status == checks.PASS for r in self.results)


FACTS = ("offer_type", "utm_variant", "audience_size", "sender_permission", "broad_audience")
_PREFIX = "checklist_"


def facts_annotations(*, sender_id: int | None, ad: Any = None, workspace: Any = None) -> dict[str, Subquery]:
    """What the checklist reads besides the form (the ad's plan, the sender's permission, the
    workspace's threshold) as subqueries, to annotate a query the page makes anyway: on an Ad
    query by default (`facts_of` reads them back), or on any query given `ad` and `workspace`."""

    def first(queryset: QuerySet[Any], name: str) -> Subquery:
        return Subquery(queryset.values(name)[:1])

    ad = OuterRef("pk") if ad is None else ad
    workspace = OuterRef("workspace_id") if workspace is None else workspace
    plan = AdPlan.objects.filter(ad_id=ad)
    sender = Sender.objects.filter(workspace_id=workspace, pk=sender_id if sender_id is not None else 0)
    forecast = ForecastAssumptions.objects.filter(workspace_id=workspace)
    return {
        f"{_PREFIX}offer_type": first(plan, "offer_type"),
        f"{_PREFIX}utm_variant": first(plan, "utm_variant"),
        f"{_PREFIX}audience_size": first(plan, "audience_size"),
        f"{_PREFIX}sender_permission": first(sender, "permission"),
        f"{_PREFIX}broad_audience": first(forecast, "broad_audience"),
    }


def facts_of(row: Any) -> dict[str, Any]:
    """The facts `facts_annotations` put on a model instance."""
    return {name: getattr(row, f"{_PREFIX}{name}") for name in FACTS}


def _facts(*, workspace_id: int, ad_id: int | None, sender_id: int | None) -> dict[str, Any]:
    """The facts in one round trip of subqueries (the preview runs this on every keystroke)."""
    row = (
        Workspace.objects.filter(pk=workspace_id)
        .annotate(
            **facts_annotations(
                sender_id=sender_id, ad=ad_id if ad_id is not None else 0, workspace=OuterRef("pk")
            )
        )
        .values(*(f"{_PREFIX}{name}" for name in FACTS))
        .first()
    )
    if row is None:
        return dict.fromkeys(FACTS)
    return {name: row[f"{_PREFIX}{name}"] for name in FACTS}


def checklist_for(
    snapshot: Mapping[str, Any],
    *,
    ad: Ad | None,
    workspace_id: int,
    data: Mapping[str, Any] | None = None,
    facts: Mapping[str, Any] | None = None,
) -> Checklist:
    """The checklist of what is in the editor now.

    `snapshot` is what the preview renders; `data` the form as posted, whose `offer_type`
    and `utm_variant` (when present) win over the ad's saved plan, so the checklist follows
    the form before it is saved. `facts`, when the caller read them with the ad
    (`facts_annotations`, for the snapshot's sender), spare a query.
    """
    if facts is None:
        sender_row = snapshot.get("sender")
        facts = _facts(
            workspace_id=workspace_id,
            ad_id=ad.pk if ad is not None else None,
            sender_id=sender_row["id"] if sender_row else None,
        )
    offer_type = facts["offer_type"] or ""
    utm_variant = facts["utm_variant"] or AdPlan._meta.get_field("utm_variant").default
    if data is not None and "offer_type" in data:
        offer_type = data["offer_type"] if data["offer_type"] in OfferType.values else ""
    if data is not None and data.get("utm_variant"):
        utm_variant = str(data["utm_variant"])
    plan = checks.Plan(
        offer_type=offer_type,
        audience_size=facts["audience_size"],
        sender_permission=facts["sender_permission"],
        broad_audience=facts["broad_audience"]
        or ForecastAssumptions._meta.get_field("broad_audience").default,
    )
    results = checks.run(snapshot, plan)
    return Checklist(
        results=results, score=checks.score(results), offer_type=offer_type, utm_variant=utm_variant, ad=ad
    )
