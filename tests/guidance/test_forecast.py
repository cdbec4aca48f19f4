"""The forecast's arithmetic on known inputs, with the guide's figures as the assumptions."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from inmail_studio.ads.models import Kind
from inmail_studio.guidance import forecast as fc
from inmail_studio.guidance.forecast import Assumptions, Range

GUIDE = Assumptions.guide()


def stage(f: fc.Forecast, key: str) -> fc.Stage:
    return next(s for s in f.stages if s.key == key)


def test_the_guides_figures_are_the_defaults() -> None:
    assert GUIDE.message_cost == Range(Decimal("0.25"), Decimal("0.75"))
    assert GUIDE.conversation_cost == Range(Decimal("0.75"), Decimal("1.50"))
    assert GUIDE.open_rate == Range(Decimal(40), Decimal(55))
    assert GUIDE.ctr == Range(Decimal(3), Decimal(7))
    assert GUIDE.reply_multiplier == Decimal(3)
    assert GUIDE.cpl_benchmark == Range(Decimal(50), Decimal(200))


def test_a_message_ad_to_ten_thousand_members() -> None:
    f = fc.forecast(audience=10_000, kind=Kind.MESSAGE, assumptions=GUIDE)
    assert [s.key for s in f.stages] == ["sends", "opens", "clicks", "leads"]
    assert (stage(f, "sends").low, stage(f, "sends").high) == (10_000, 10_000)
    assert (stage(f, "opens").low, stage(f, "opens").high) == (4_000, 5_500)
    assert (stage(f, "clicks").low, stage(f, "clicks").high) == (120, 385)
    # 10% of 120–385 clicks is 12–38.5 leads, shown rounded half up.
    assert (stage(f, "leads").low, stage(f, "leads").high) == (12, 39)
    assert f.cost == Range(Decimal("2500.00"), Decimal("7500.00"))
    assert f.cost_per_lead is not None
    # Best case $2,500 for 38.5 leads, worst $7,500 for 12: worked out before rounding.
    assert f.cost_per_lead.cents == Range(Decimal("64.94"), Decimal("625.00"))
    assert f.cost_per_lead_verdict == "overlaps"
    assert not f.broad


def test_conversation_ads_reply_at_three_times_message_ads_and_cost_more_per_send() -> None:
    f = fc.forecast(audience=10_000, kind=Kind.CONVERSATION, assumptions=GUIDE)
    assert [s.key for s in f.stages] == ["sends", "opens", "replies", "leads"]
    assert (stage(f, "replies").low, stage(f, "replies").high) == (360, 1_155)
    assert (stage(f, "leads").low, stage(f, "leads").high) == (36, 116)
    assert f.cost == Range(Decimal("7500.00"), Decimal("15000.00"))
    assert f.open_ended_cost
    assert f.cost_per_lead is not None
    assert f.cost_per_lead.cents == Range(Decimal("64.94"), Decimal("416.67"))


def test_replies_never_exceed_opens() -> None:
    generous = dataclasses.replace(GUIDE, reply_multiplier=Decimal(20))
    f = fc.forecast(audience=1_000, kind=Kind.CONVERSATION, assumptions=generous)
    assert stage(f, "replies").high == stage(f, "opens").high == 550


def test_the_ads_own_conversion_rate_wins_over_the_workspaces() -> None:
    f = fc.forecast(audience=10_000, kind=Kind.MESSAGE, assumptions=GUIDE, conversion_rate=Decimal(20))
    assert (stage(f, "leads").low, stage(f, "leads").high) == (24, 77)
    assert stage(f, "leads").source == "This ad's conversion rate."
    assert "20% of clicks" in stage(f, "leads").rate


def test_an_audience_over_the_threshold_is_broad_and_the_budget_is_the_whole_send() -> None:
    assert not fc.forecast(audience=GUIDE.broad_audience, kind=Kind.MESSAGE, assumptions=GUIDE).broad
    f = fc.forecast(audience=GUIDE.broad_audience + 1, kind=Kind.MESSAGE, assumptions=GUIDE)
    assert f.broad
    assert f.cost.cents == Range(Decimal("25000.25"), Decimal("75000.75"))


def test_no_cost_per_lead_when_no_leads_are_expected_at_the_low_end() -> None:
    zero = dataclasses.replace(GUIDE, ctr=Range(Decimal(0), Decimal(7)))
    f = fc.forecast(audience=10_000, kind=Kind.MESSAGE, assumptions=zero)
    assert f.cost_per_lead is None
    assert f.cost_per_lead_verdict == "none"


def test_the_verdict_against_the_benchmark() -> None:
    cheap = dataclasses.replace(GUIDE, message_cost=Range(Decimal("0.01"), Decimal("0.02")))
    assert fc.forecast(audience=10_000, kind=Kind.MESSAGE, assumptions=cheap).cost_per_lead_verdict == "below"
    dear = dataclasses.replace(GUIDE, message_cost=Range(Decimal(5), Decimal(6)))
    assert fc.forecast(audience=10_000, kind=Kind.MESSAGE, assumptions=dear).cost_per_lead_verdict == "above"
    # 60–96.25 leads for $5,000–$7,500: $51.95–$125 a lead.
    good = dataclasses.replace(
        GUIDE, ctr=Range(Decimal(6), Decimal(7)), message_cost=Range(Decimal("0.5"), Decimal("0.75"))
    )
    assert (
        fc.forecast(
            audience=10_000, kind=Kind.MESSAGE, assumptions=good, conversion_rate=Decimal(25)
        ).cost_per_lead_verdict
        == "within"
    )


def test_every_stage_names_its_source() -> None:
    f = fc.forecast(audience=10_000, kind=Kind.CONVERSATION, assumptions=GUIDE)
    assert "40–55%" in stage(f, "opens").source
    assert "3×" in stage(f, "replies").source
    assert "$0.75–$1.50+" in f.cost_source


def test_the_funnel_bars_are_to_scale_with_the_sends_and_never_vanish() -> None:
    f = fc.forecast(audience=10_000, kind=Kind.MESSAGE, assumptions=GUIDE)
    bars = fc.funnel_bars(f)
    assert [b.label for b in bars] == ["Sends", "Opens", "Clicks", "Leads"]
    assert bars[0].low_width == bars[0].high_width == fc.BAR_AREA
    assert (bars[1].low_width, bars[1].high_width) == (152.0, 209.0)  # 40% and 55% of 380
    assert bars[3].low_width == fc.MIN_BAR
    assert bars[1].text == "4,000–5,500"
    assert [b.y for b in bars] == [0, fc.ROW_HEIGHT, 2 * fc.ROW_HEIGHT, 3 * fc.ROW_HEIGHT]
