"""Ad analytics (contract row R36): `GET /rest/adAnalytics?q=analytics`, with plausible, deterministic figures.

It needs r_ads_reporting (the gateway checks the row's scope), reads `fields` as LinkedIn does
(raw commas; a percent-encoded comma makes one unknown field, refused with 400) and answers
everything at once: LinkedIn's reporting page says adAnalytics "does not support pagination".

LinkedIn reports a creative's delivery per day (`timeGranularity=DAILY`) or in total
(`ALL`), pivoted by creative, with only the metrics named in `fields`. Messaging
metrics are `sends`, `opens`, `clicks`, `actionClicks`, `oneClickLeads` and
`costInLocalCurrency` (a decimal string). A day on which a creative delivered nothing
is left out of the answer, not reported as zeros.

The sandbox has no delivery, so it makes the figures up, the same every time for the
same creative and day (seeded by both): a creative serves from the day it went ACTIVE
(the sandbox keeps no status history: the last change of an ACTIVE creative counts),
ramps up over its first five days, opens at 40–55%, is clicked by 3–7% of those who
open, and costs $0.25–$0.75 a send. Once a week, from a day that depends on the
creative, it delivers nothing, so clients meet a gap in the data as they do on LinkedIn.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from . import restli
from .gateway import Caller, serves
from .models import Creative
from .restli import json_response, urn_id

METRICS = ("sends", "opens", "clicks", "actionClicks", "oneClickLeads", "costInLocalCurrency")
# What LinkedIn returns when `fields` is not given.
DEFAULT_FIELDS = ("dateRange", "pivotValues", "impressions", "clicks")
RAMP_DAYS = 5
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Figures:
    sends: int
    opens: int
    clicks: int
    action_clicks: int
    leads: int
    cost: Decimal

    def as_metrics(self) -> dict[str, Any]:
        return {
            "sends": self.sends,
            "impressions": self.sends,  # a send is the message ad's impression
            "opens": self.opens,
            "clicks": self.clicks,
            "actionClicks": self.action_clicks,
            "oneClickLeads": self.leads,
            "costInLocalCurrency": str(self.cost),
        }


def gap_day(creative_id: int, day_number: int) -> bool:
    """Whether the creative delivers nothing on its `day_number`-th day (0 is the day it went ACTIVE)."""
    first_gap = creative_id % 5 + 2  # always within the first week
    return day_number >= first_gap and (day_number - first_gap) % 7 == 0


def figures(creative_id: int, day_number: int) -> Figures | None:
    """What the creative did on its `day_number`-th day since going ACTIVE; None for a gap."""
    if day_number < 0 or gap_day(creative_id, day_number):
        return None
    rng = random.Random(f"adAnalytics:{creative_id}:{day_number}")  # noqa: S311 (made-up figures)
    audience_per_day = 150 + (creative_id * 37) % 250
    ramp = min(1.0, (day_number + 1) / RAMP_DAYS)
    sends = max(1, round(audience_per_day * ramp * rng.uniform(0.85, 1.15)))
    opens = round(sends * rng.uniform(0.40, 0.55))
    clicks = round(opens * rng.uniform(0.03, 0.07))
    action_clicks = round(clicks * rng.uniform(0.6, 0.9))
    leads = round(clicks * rng.uniform(0.1, 0.3))
    cost = (Decimal(sends) * Decimal(str(round(rng.uniform(0.25, 0.75), 4)))).quantize(CENT, ROUND_HALF_UP)
    return Figures(sends, opens, clicks, action_clicks, leads, cost)


def active_since(creative: Creative) -> date | None:
    """The day (UTC) the creative went ACTIVE, or None if it isn't serving."""
    if creative.intended_status != Creative.Status.ACTIVE:
        return None
    return creative.modified_at.astimezone(UTC).date()


def _date(value: Any, field: str) -> date:
    try:
        return date(int(value["year"]), int(value["month"]), int(value["day"]))
    except (KeyError, TypeError, ValueError) as error:
        raise restli.bad_request(f"{field} must be (year:YYYY,month:M,day:D).") from error


def _date_json(day: date) -> dict[str, int]:
    return {"year": day.year, "month": day.month, "day": day.day}


# Fields the sandbox can answer; LinkedIn refuses a projection naming anything else.
KNOWN_FIELDS = frozenset({"dateRange", "pivotValues", "impressions", *METRICS})


def _fields(request: HttpRequest) -> tuple[str, ...]:
    names = restli.projection(request)
    if names is None:
        return DEFAULT_FIELDS
    unknown = [n for n in names if n not in KNOWN_FIELDS]
    if unknown:
        raise restli.bad_request(f"Invalid projection: unknown field {unknown[0]!r} in fields.")
    return names


def _element(
    creative: Creative, start: date, end: date, metrics: dict[str, Any], fields: tuple[str, ...]
) -> dict[str, Any]:
    full = {
        "dateRange": {"start": _date_json(start), "end": _date_json(end)},
        "pivotValues": [creative.urn],
        **metrics,
    }
    return {name: full[name] for name in fields if name in full}


@serves("R36")
def ad_analytics(request: HttpRequest, caller: Caller) -> HttpResponse:
    if restli.param(request, "pivot") != "CREATIVE":
        raise restli.bad_request("The sandbox's adAnalytics supports pivot=CREATIVE.")
    granularity = restli.param(request, "timeGranularity")
    if granularity not in ("DAILY", "ALL"):
        raise restli.bad_request("timeGranularity must be DAILY or ALL.")
    date_range = restli.param(request, "dateRange")
    if not isinstance(date_range, dict) or "start" not in date_range:
        raise restli.bad_request("dateRange must be (start:(year:..,month:..,day:..)).")
    today = timezone.now().astimezone(UTC).date()
    start = _date(date_range["start"], "dateRange.start")
    end = min(_date(date_range["end"], "dateRange.end") if "end" in date_range else today, today)
    wanted = restli.param(request, "creatives")
    if not isinstance(wanted, list) or not wanted:
        raise restli.bad_request("creatives must be a non-empty List(urn:li:sponsoredCreative:N,...).")
    ids = [urn_id(urn, "sponsoredCreative", "creatives") for urn in wanted]
    fields = _fields(request)
    elements: list[dict[str, Any]] = []
    for creative in Creative.objects.filter(pk__in=ids).select_related("account").order_by("pk"):
        caller.check_account(creative.account, write=False)
        since = active_since(creative)
        if since is None:
            continue
        days = [
            (day, found)
            for day in (start + timedelta(days=n) for n in range(max(0, (end - start).days + 1)))
            if (found := figures(creative.pk, (day - since).days)) is not None
        ]
        if granularity == "DAILY":
            elements.extend(_element(creative, day, day, f.as_metrics(), fields) for day, f in days)
        elif days:
            total = Figures(
                sends=sum(f.sends for _, f in days),
                opens=sum(f.opens for _, f in days),
                clicks=sum(f.clicks for _, f in days),
                action_clicks=sum(f.action_clicks for _, f in days),
                leads=sum(f.leads for _, f in days),
                cost=sum((f.cost for _, f in days), Decimal(0)),
            )
            elements.append(_element(creative, start, end, total.as_metrics(), fields))
    return json_response(restli.everything(elements))
