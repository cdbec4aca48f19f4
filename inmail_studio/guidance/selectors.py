"""Reads for the guidance: an ad's plan, a workspace's assumptions, the scores of many ads, variant sets, results."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404
from django.utils.html import strip_tags

from inmail_studio.accounts.models import User
from inmail_studio.ads import snapshots
from inmail_studio.ads.models import Ad, Revision, Sender, State
from inmail_studio.linkedin.models import AdLinkedIn
from inmail_studio.review.models import Review, ReviewStatus

from . import checks, results
from .models import VARIANT_LABELS, AdPlan, DailyResult, ForecastAssumptions, Variant, VariantSet


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


# ---------------------------------------------------------------- variants


@dataclass(frozen=True)
class VariantRow:
    """One variant as the set page shows it: the ad, its letter, what it says and where it stands."""

    ad: Ad
    label: str
    snapshot: dict[str, Any]
    review_hash: str  # the revision in review (what an approval pins), or ""
    review_author_id: int | None
    campaign_urn: str
    subject_change: snapshots.FieldChange
    body_change: snapshots.FieldChange

    @property
    def in_review(self) -> bool:
        return bool(self.review_hash)

    @property
    def same_as_first(self) -> bool:
        return self.label != VARIANT_LABELS[0] and not (
            self.subject_change.changed or self.body_change.changed
        )


def variant_set_for(user: User, set_id: int) -> VariantSet:
    """The set if the user is a member of its workspace, else 404."""
    return get_object_or_404(
        VariantSet.objects.filter(workspace__memberships__user=user).select_related("workspace"), pk=set_id
    )


def variant_of(ad: Ad) -> Variant | None:
    return Variant.objects.select_related("variant_set").filter(ad=ad).first()


def _plain(html: str) -> str:
    return " ".join(strip_tags(html.replace("</p>", "</p> ").replace("<br>", " ")).split())


def variant_rows(variant_set: VariantSet) -> list[VariantRow]:
    """The set's variants in letter order, each compared with variant A (subject and body as plain text)."""
    variants = list(
        Variant.objects.filter(variant_set=variant_set)
        .select_related("ad__current_revision", "ad__sender", "ad__author")
        .order_by("label")
    )
    ad_ids = [v.ad_id for v in variants]
    open_reviews = {
        r.ad_id: r
        for r in Review.objects.filter(ad_id__in=ad_ids, status=ReviewStatus.OPEN).select_related("revision")
    }
    campaigns = dict(AdLinkedIn.objects.filter(ad_id__in=ad_ids).values_list("ad_id", "campaign_urn"))
    rows: list[VariantRow] = []
    first: dict[str, Any] | None = None
    for variant in variants:
        ad = variant.ad
        review = open_reviews.get(ad.pk) if ad.state == State.IN_REVIEW else None
        snapshot = (
            review.revision.snapshot
            if review
            else (ad.current_revision.snapshot if ad.current_revision else snapshots.of_ad(ad))
        )
        if first is None:
            first = snapshot
        subject = snapshots.FieldChange(
            "subject", "Subject", str(first.get("subject") or ""), str(snapshot.get("subject") or "")
        )
        body = snapshots.FieldChange(
            "body", "Body", _plain(str(first.get("body") or "")), _plain(str(snapshot.get("body") or ""))
        )
        rows.append(
            VariantRow(
                ad=ad,
                label=variant.label,
                snapshot=snapshot,
                review_hash=review.revision.content_hash if review else "",
                review_author_id=review.revision.author_id if review else None,
                campaign_urn=str(campaigns.get(ad.pk) or ""),
                subject_change=subject,
                body_change=body,
            )
        )
    return rows


# ---------------------------------------------------------------- results


def results_rows(ad: Ad) -> list[DailyResult]:
    return list(DailyResult.objects.filter(ad=ad).order_by("day", "creative_urn"))


def results_for(ads: Iterable[Ad]) -> dict[int, results.Totals]:
    """The totals of each live ad among `ads`, keyed by ad id, in one query (none if no ad is live)."""
    live = [ad.pk for ad in ads if ad.state == State.LIVE]
    if not live:
        return {}
    sums = (
        DailyResult.objects.filter(ad_id__in=live)
        .values("ad_id")
        .annotate(
            sends=Sum("sends"),
            opens=Sum("opens"),
            clicks=Sum("clicks"),
            leads=Sum("leads"),
            spend=Sum("spend"),
            days=Count("day", distinct=True),
        )
        .order_by()
    )
    return {
        row["ad_id"]: results.Totals(
            sends=row["sends"],
            opens=row["opens"],
            clicks=row["clicks"],
            leads=row["leads"],
            spend=row["spend"],
            days=row["days"],
        )
        for row in sums
    }
