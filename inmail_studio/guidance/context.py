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


def _facts(*, workspace_id: int, ad_id: int | None, sender_id: int | None) -> dict[str, Any]:
    """The ad's plan, the sender's permission and the workspace's threshold in one round trip.

    The preview runs this on every keystroke, so three small reads become one query of subqueries.
    """

    def first(queryset: QuerySet[Any], field: str) -> Subquery:
        return Subquery(queryset.values(field)[:1])

    plan = AdPlan.objects.filter(ad_id=ad_id if ad_id is not None else 0)
    sender = Sender.objects.filter(workspace_id=OuterRef("pk"), pk=sender_id if sender_id is not None else 0)
    row = (
        Workspace.objects.filter(pk=workspace_id)
        .annotate(
            offer_type=first(plan, "offer_type"),
            utm_variant=first(plan, "utm_variant"),
            audience_size=first(plan, "audience_size"),
            sender_permission=first(sender, "permission"),
            broad_audience=first(
                ForecastAssumptions.objects.filter(workspace_id=OuterRef("pk")), "broad_audience"
            ),
        )
        .values("offer_type", "utm_variant", "audience_size", "sender_permission", "broad_audience")
        .first()
    )
    return (
        dict(row)
        if row
        else dict.fromkeys(
            ("offer_type", "utm_variant", "audience_size", "sender_permission", "broad_audience")
        )
    )


def checklist_for(
    snapshot: Mapping[str, Any], *, ad: Ad | None, workspace_id: int, data: Mapping[str, Any] | None = None
) -> Checklist:
    """The checklist of what is in the editor now.

    `snapshot` is what the preview renders; `data` the form as posted, whose `offer_type`
    and `utm_variant` (when present) win over the ad's saved plan, so the checklist follows
    the form before it is saved.
    """
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
