"""Reads for the guidance: an ad's plan, a workspace's assumptions, and the scores of many ads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from inmail_studio.ads import snapshots
from inmail_studio.ads.models import Ad, Revision, Sender

from . import checks
from .models import AdPlan, ForecastAssumptions


def plan_for(ad: Ad) -> AdPlan:
    """The ad's plan, or an unsaved empty one (reads never write)."""
    return AdPlan.objects.filter(ad=ad).first() or AdPlan(ad=ad)


def assumptions_for(workspace_id: int) -> ForecastAssumptions:
    """The workspace's forecast assumptions, or the guide's figures in an unsaved row."""
    return ForecastAssumptions.objects.filter(workspace_id=workspace_id).first() or ForecastAssumptions(
        workspace_id=workspace_id
    )


def check_plan(
    *, plan: AdPlan | None, assumptions: ForecastAssumptions, sender: Sender | None
) -> checks.Plan:
    return checks.Plan(
        offer_type=plan.offer_type if plan else "",
        audience_size=plan.audience_size if plan else None,
        sender_permission=sender.permission if sender else None,
        broad_audience=assumptions.broad_audience,
    )


# What a list of ads can `select_related` so that `scores_for` needs no queries of its own.
SCORE_RELATED = ("sender", "current_revision", "plan", "workspace__forecast_assumptions")


def _cached(instance: Any, field: str) -> bool:
    """Whether `field` (a relation) is already loaded on `instance`, e.g. by select_related."""
    return bool(type(instance)._meta.get_field(field).is_cached(instance))


def _cached_value(instance: Any, field: str) -> Any:
    return type(instance)._meta.get_field(field).get_cached_value(instance, default=None)


def scores_for(ads: Iterable[Ad]) -> dict[int, int]:
    """The checklist score (0–100) of each ad, keyed by ad id, in a constant number of queries.

    Scores the ad as last saved (its current revision) with its sender as they are now
    (their photo, headline and permission can change after the save). What the rows already
    hold (`select_related(*SCORE_RELATED)`, as the drafts list does) costs no query; the rest
    is fetched in bulk, at most one query each for plans, thresholds, revisions and senders,
    so the review queue can pass any page of ads.
    """
    rows = list(ads)
    if not rows:
        return {}
    plans: dict[int, AdPlan | None] = {ad.pk: _cached_value(ad, "plan") for ad in rows if _cached(ad, "plan")}
    missing_plans = [ad.pk for ad in rows if ad.pk not in plans]
    if missing_plans:
        plans.update({plan.ad_id: plan for plan in AdPlan.objects.filter(ad_id__in=missing_plans)})
    assumptions: dict[int, ForecastAssumptions | None] = {}
    for ad in rows:
        if _cached(ad, "workspace") and _cached(ad.workspace, "forecast_assumptions"):
            assumptions[ad.workspace_id] = _cached_value(ad.workspace, "forecast_assumptions")
    missing_workspaces = {ad.workspace_id for ad in rows} - set(assumptions)
    if missing_workspaces:
        assumptions.update(
            {
                row.workspace_id: row
                for row in ForecastAssumptions.objects.filter(workspace_id__in=missing_workspaces)
            }
        )
    missing_revisions = [
        ad.current_revision_id
        for ad in rows
        if ad.current_revision_id and not _cached(ad, "current_revision")
    ]
    revision_snapshots: dict[int, dict[str, Any]] = (
        dict(Revision.objects.filter(pk__in=missing_revisions).values_list("pk", "snapshot"))
        if missing_revisions
        else {}
    )
    missing_senders = {ad.sender_id for ad in rows if ad.sender_id and not _cached(ad, "sender")}
    senders = {s.pk: s for s in Sender.objects.filter(pk__in=missing_senders)} if missing_senders else {}

    result: dict[int, int] = {}
    for ad in rows:
        sender = (
            (ad.sender if _cached(ad, "sender") else senders.get(ad.sender_id or 0)) if ad.sender_id else None
        )
        if ad.current_revision_id is None:
            snapshot = snapshots.build(
                kind=ad.kind,
                name=ad.name,
                subject=ad.subject,
                body=ad.body,
                cta_kind=ad.cta_kind,
                cta_text=ad.cta_text,
                landing_page_url=ad.landing_page_url,
                lead_form_urn=ad.lead_form_urn,
            )
        elif _cached(ad, "current_revision"):
            assert ad.current_revision is not None
            snapshot = ad.current_revision.snapshot
        else:
            snapshot = revision_snapshots.get(ad.current_revision_id, {})
        snapshot = {**snapshot, "sender": snapshots.sender_snapshot(sender)}
        plan = check_plan(
            plan=plans.get(ad.pk),
            assumptions=assumptions.get(ad.workspace_id) or ForecastAssumptions(),
            sender=sender,
        )
        result[ad.pk] = checks.score(checks.run(snapshot, plan))
    return result
