"""Results after launch: the beat task pulls a live ad's daily figures from the sandbox's ad analytics
over real HTTP (live_server), stores one row per creative and day, leaves a day LinkedIn left out as a
gap, and a repeated pull updates rather than double counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.guidance import services, tasks
from inmail_studio.guidance.models import DailyResult, ResultsPull
from inmail_studio.linkedin import services as linkedin_services
from inmail_studio.linkedin.client import LinkedIn, Rejected, Secret, Transient
from inmail_studio.linkedin.models import AdLinkedIn
from inmail_studio.sandbox import analytics
from inmail_studio.sandbox import models as sandbox
from inmail_studio.sandbox.services import faults_configure
from inmail_studio.sandbox.tokens import sandbox_token_issue

MakeAd = Callable[..., Ad]
DAYS_LIVE = 12


def go_live(ad: Ad, *, author: User, approver: User, days_ago: int = DAYS_LIVE) -> sandbox.Creative:
    """Test-send and launch the synced ad, then say its creative went ACTIVE `days_ago` days ago."""
    linkedin_services.test_send_request(ad_id=ad.pk, user=author)
    linkedin_services.launch(ad_id=ad.pk, approver=approver)
    ad.refresh_from_db()
    assert ad.state == State.LIVE
    creative = sandbox.Creative.objects.get(pk=AdLinkedIn.objects.get(ad=ad).creative_urn.rsplit(":", 1)[-1])
    assert creative.intended_status == "ACTIVE"
    sandbox.Creative.objects.filter(pk=creative.pk).update(
        modified_at=timezone.now() - timedelta(days=days_ago)
    )
    creative.refresh_from_db()
    return creative


def expected_days(creative: sandbox.Creative) -> dict:
    since = analytics.active_since(creative)
    assert since is not None
    today = timezone.now().astimezone(UTC).date()
    days = {}
    for n in range((today - since).days + 1):
        figures = analytics.figures(creative.pk, n)
        if figures is not None:
            days[since + timedelta(days=n)] = figures
    return days


@pytest.fixture
def live_ad(make_synced_ready_ad: MakeAd, author: User, approver: User) -> tuple[Ad, sandbox.Creative]:
    ad = make_synced_ready_ad()
    return ad, go_live(ad, author=author, approver=approver)


def test_the_beat_task_stores_each_reported_day_of_each_live_creative(
    live_ad: tuple[Ad, sandbox.Creative],
) -> None:
    ad, creative = live_ad
    assert tasks.pull_results_task.delay().get() == 1
    expected = expected_days(creative)
    rows = {row.day: row for row in DailyResult.objects.filter(ad=ad)}
    assert set(rows) == set(expected)
    for day, figures in expected.items():
        row = rows[day]
        assert row.creative_urn == creative.urn
        assert (row.sends, row.opens, row.clicks, row.action_clicks, row.leads, row.spend) == (
            figures.sends,
            figures.opens,
            figures.clicks,
            figures.action_clicks,
            figures.leads,
            figures.cost,
        )
    pull = ResultsPull.objects.get(ad=ad)
    assert pull.error == "" and pull.days == len(expected)


def test_a_day_linkedin_leaves_out_is_a_gap_not_a_zero(live_ad: tuple[Ad, sandbox.Creative]) -> None:
    ad, creative = live_ad
    services.results_pull(ad_id=ad.pk)
    since = analytics.active_since(creative)
    assert since is not None
    gaps = [since + timedelta(days=n) for n in range(DAYS_LIVE + 1) if analytics.gap_day(creative.pk, n)]
    assert gaps, "the sandbox leaves out one day a week"
    stored = set(DailyResult.objects.filter(ad=ad).values_list("day", flat=True))
    assert not stored & set(gaps)
    assert min(stored) < gaps[0] < max(stored)  # a hole inside the series, not its end
    assert not DailyResult.objects.filter(ad=ad, sends=0).exists()


def test_a_repeated_pull_updates_the_days_and_never_counts_them_twice(
    live_ad: tuple[Ad, sandbox.Creative],
) -> None:
    ad, creative = live_ad
    services.results_pull(ad_id=ad.pk)
    first = list(DailyResult.objects.filter(ad=ad).order_by("day").values_list("day", "sends", "spend"))
    # LinkedIn revises recent days: pretend our copy of the last days is stale.
    last_day = first[-1][0]
    DailyResult.objects.filter(ad=ad, day__gte=last_day - timedelta(days=2)).update(
        sends=1, spend=Decimal("0.01")
    )
    services.results_pull(ad_id=ad.pk)
    services.results_pull(ad_id=ad.pk)
    again = list(DailyResult.objects.filter(ad=ad).order_by("day").values_list("day", "sends", "spend"))
    assert again == first
    totals = sum(f.sends for f in expected_days(creative).values())
    assert sum(sends for _, sends, _ in again) == totals


def test_figures_grow_with_the_days_since_the_creative_went_active(
    make_synced_ready_ad: MakeAd, author: User, approver: User
) -> None:
    ad = make_synced_ready_ad()
    creative = go_live(ad, author=author, approver=approver, days_ago=2)
    services.results_pull(ad_id=ad.pk)
    early = sum(DailyResult.objects.filter(ad=ad).values_list("sends", flat=True))
    sandbox.Creative.objects.filter(pk=creative.pk).update(modified_at=timezone.now() - timedelta(days=20))
    DailyResult.objects.filter(ad=ad).delete()  # as for an ad pulled for the first time
    services.results_pull(ad_id=ad.pk)
    later = sum(DailyResult.objects.filter(ad=ad).values_list("sends", flat=True))
    assert later > early * 3


def test_the_sandboxs_figures_are_plausible(live_ad: tuple[Ad, sandbox.Creative]) -> None:
    ad, _ = live_ad
    services.results_pull(ad_id=ad.pk)
    for row in DailyResult.objects.filter(ad=ad):
        assert 0.38 <= row.opens / row.sends <= 0.57
        assert row.clicks <= row.opens * 0.08 + 1
        assert Decimal("0.24") <= row.spend / row.sends <= Decimal("0.76")


def test_ads_that_are_not_live_are_not_pulled(make_synced_ready_ad: MakeAd) -> None:
    ad = make_synced_ready_ad()
    assert ad.state == State.SYNCED
    assert tasks.pull_results_task.delay().get() == 0
    assert services.results_pull(ad_id=ad.pk) == 0
    assert not DailyResult.objects.exists()


def test_a_failing_pull_is_recorded_and_keeps_what_was_stored(
    live_ad: tuple[Ad, sandbox.Creative],
) -> None:
    ad, _ = live_ad
    services.results_pull(ad_id=ad.pk)
    stored = DailyResult.objects.filter(ad=ad).count()
    faults_configure(queue="503,503,503,503,503,503")
    with pytest.raises(Transient):  # the task retries it with backoff
        services.results_pull(ad_id=ad.pk)
    pull = ResultsPull.objects.get(ad=ad)
    assert "try again" in pull.error
    assert DailyResult.objects.filter(ad=ad).count() == stored


def test_the_sandbox_answers_analytics_only_for_accounts_the_member_can_see(
    live_ad: tuple[Ad, sandbox.Creative],
) -> None:
    _, creative = live_ad
    outsider = sandbox.Member.objects.create(slug="stranger", first_name="Sam", last_name="Stranger")
    api = LinkedIn(token=Secret(sandbox_token_issue(member=outsider)))
    with pytest.raises(Rejected) as refused:
        api.find_once(
            "adAnalytics",
            "analytics",
            {
                "pivot": "CREATIVE",
                "timeGranularity": "DAILY",
                "dateRange": {"start": {"year": 2020, "month": 1, "day": 1}},
                "creatives": [creative.urn],
            },
        )
    assert refused.value.status == 403
