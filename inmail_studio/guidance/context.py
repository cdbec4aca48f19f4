"""What the ads editor shows of the guidance: the checklist beside the preview and the plan fields.

`checklist_for` is the one function the editor (its page and its live preview) calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from inmail_studio.ads.models import Ad, Sender

from . import checks, selectors
from .models import AdPlan, OfferType


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


def checklist_for(
    snapshot: Mapping[str, Any], *, ad: Ad | None, workspace_id: int, data: Mapping[str, Any] | None = None
) -> Checklist:
    """The checklist of what is in the editor now.

    `snapshot` is what the preview renders; `data` the form as posted, whose `offer_type`
    and `utm_variant` (when present) win over the ad's saved plan, so the checklist follows
    the form before it is saved.
    """
    stored = selectors.plan_for(ad) if ad is not None and ad.pk else AdPlan()
    offer_type = stored.offer_type
    utm_variant = stored.utm_variant
    if data is not None and "offer_type" in data:
        offer_type = data["offer_type"] if data["offer_type"] in OfferType.values else ""
    if data is not None and data.get("utm_variant"):
        utm_variant = str(data["utm_variant"])
    sender_row = snapshot.get("sender")
    sender = (
        Sender.objects.filter(workspace_id=workspace_id, pk=sender_row["id"]).only("permission").first()
        if sender_row
        else None
    )
    plan = checks.Plan(
        offer_type=offer_type,
        audience_size=stored.audience_size,
        sender_permission=sender.permission if sender else None,
        broad_audience=selectors.assumptions_for(workspace_id).broad_audience,
    )
    results = checks.run(snapshot, plan)
    return Checklist(
        results=results, score=checks.score(results), offer_type=offer_type, utm_variant=utm_variant, ad=ad
    )
