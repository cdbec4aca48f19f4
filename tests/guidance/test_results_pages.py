"""The results of a live ad: the results page (rates against the forecast and the guide, the SVG chart
with gaps, day by day), the panel on the ad page and the drafts list's cell, per persona."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.guidance import results
from inmail_studio.guidance.forecast import Assumptions
from inmail_studio.guidance.models import DailyResult, ForecastAssumptions
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
CREATIVE = "urn:li:sponsoredCreative:77"
START = date(2026, 11, 1)


def add_days(
    ad: Ad, days: list[int], *, sends: int = 200, opens: int = 100, clicks: int = 5, leads: int = 1
) -> None:
    """One row per day offset; a day missing from `days` is a gap."""
    DailyResult.objects.bulk_create(
        DailyResult(
            ad=ad,
            creative_urn=CREATIVE,
            day=START + timedelta(days=n),
            sends=sends,
            opens=opens,
            clicks=clicks,
            action_clicks=clicks,
            leads=leads,
            spend=Decimal("100.00"),
            pulled_at=timezone.now(),
        )
        for n in days
    )


@pytest.fixture
def live(ad: Ad) -> Ad:
    Ad.objects.filter(pk=ad.pk).update(state=State.LIVE)
    ad.refresh_from_db()
    add_days(ad, [0, 1, 2, 4, 5])  # day 3 is a gap
    return ad


def test_rates_are_the_guides_open_rate_per_send_and_clicks_per_open() -> None:
    totals = results.Totals(sends=1000, opens=450, clicks=27, leads=3, spend=Decimal("500"))
    assert totals.open_rate == Decimal(45)
    assert totals.ctr == Decimal(6)
    assert totals.cost_per_send == Decimal("0.5")
    assert totals.cost_per_lead == Decimal(500) / 3
    assert results.Totals().open_rate is None and results.Totals(sends=5).cost_per_lead is None


def test_each_rate_is_judged_against_the_workspaces_forecast_range() -> None:
    guide = Assumptions.guide()
    totals = results.Totals(sends=1000, opens=600, clicks=12, leads=2, spend=Decimal("500"))
    verdicts = {
        c.key: c.verdict for c in results.compare(totals, kind="message", workspace=guide, guide=guide)
    }
    # 60% opens beats 40–55%; 2% CTR is under 3–7%; $0.50 a send is within; $250 a lead is dearer than $50–200.
    assert verdicts == {
        "open_rate": "better",
        "ctr": "worse",
        "cost_per_send": "within",
        "cost_per_lead": "worse",
    }


def test_the_chart_breaks_the_line_and_marks_the_missing_day(live: Ad) -> None:
    chart = results.chart(list(DailyResult.objects.filter(ad=live)))
    assert chart is not None
    assert len(chart.bars) == 5 and chart.gap_days == 1
    assert len(chart.lines) == 2  # days 0–2, then 4–5
    assert [len(points.split()) for points in chart.lines] == [3, 2]
    assert "1 without data" in chart.description


def test_the_results_page_shows_rates_forecast_benchmarks_chart_and_gap(live: Ad, author: User) -> None:
    ForecastAssumptions.objects.create(
        workspace=live.workspace, open_rate_low=Decimal(30), open_rate_high=Decimal(45)
    )
    response = client_for(author).get(reverse("guidance:results", args=[live.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-total="sends">1,000<' in html
    open_row = re.search(r'<tr data-measure="open_rate".*?</tr>', html, re.S)
    assert open_row is not None
    assert "50.0%" in open_row.group(0)  # 500 opens of 1,000 sends
    assert "30–45%" in open_row.group(0) and "40–55%" in open_row.group(0)  # the workspace's, the guide's
    assert "Better than forecast" in open_row.group(0)
    assert html.count("data-bar") == 5 and html.count("data-gap ") + html.count("data-gap>") >= 1
    assert html.count("<polyline") == 2
    assert 'data-day="2026-11-04" data-gap' in html
    assert "No data: LinkedIn reported no delivery" in html
    assert 'style="' not in html  # the CSP forbids inline styles


@pytest.mark.parametrize("persona", ["author", "approver", "admin_user", "viewer"])
def test_every_member_of_the_workspace_sees_the_results(
    live: Ad, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("guidance:results", args=[live.pk])).status_code == 200


def test_an_outsider_gets_a_404_for_the_results(live: Ad, outsider: User) -> None:
    assert client_for(outsider).get(reverse("guidance:results", args=[live.pk])).status_code == 404
    assert client_for(outsider).post(reverse("guidance:results", args=[live.pk])).status_code == 404


def test_a_viewer_cannot_ask_for_a_refresh(live: Ad, viewer: User) -> None:
    assert client_for(viewer).post(reverse("guidance:results", args=[live.pk])).status_code == 403


def test_an_ad_that_is_not_live_says_results_come_later(ad: Ad, author: User) -> None:
    html = client_for(author).get(reverse("guidance:results", args=[ad.pk])).content.decode()
    assert "Not live yet" in html


def test_the_ad_page_of_a_live_ad_shows_its_rates_and_links_the_results(live: Ad, viewer: User) -> None:
    html = client_for(viewer).get(reverse("ads:edit", args=[live.pk])).content.decode()
    assert "data-results-summary" in html
    assert "open rate <strong>50.0%</strong>" in html
    assert reverse("guidance:results", args=[live.pk]) in html


def test_the_drafts_list_shows_live_ads_results_at_a_flat_query_count(
    live: Ad, author: User, make_ad: object
) -> None:
    client = client_for(author)
    url = reverse("ads:list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        html = client.get(url).content.decode()
    assert "Open 50.0%" in html and "CTR 5.0%" in html and "$0.50/send" in html
    for i in range(5):
        more = make_ad(name=f"Live {i}")  # type: ignore[operator]
        Ad.objects.filter(pk=more.pk).update(state=State.LIVE)
        add_days(more, [0, 1])
    with CaptureQueriesContext(connection) as six:
        html = client.get(url).content.decode()
    assert html.count("data-results") == 6
    assert len(six) == len(one)
