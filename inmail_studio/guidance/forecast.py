"""What a send is likely to cost and bring, as ranges, from the workspace's assumptions.

Pure arithmetic on `Decimal`s (no database): `Assumptions` is a plain copy of a
workspace's `ForecastAssumptions`, `forecast()` turns an audience size into the
funnel (sends → opens → clicks, or replies for conversation ads → leads), its cost,
the cost per lead against the guide's benchmark, and a warning when the audience is
broad. `funnel_bars()` lays the funnel out for the server-rendered SVG.

Counts are shown rounded to whole members; money is worked out from the unrounded
counts and rounded to cents only for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from inmail_studio.ads.models import Kind

from .models import SOURCES, ForecastAssumptions

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Range:
    low: Decimal
    high: Decimal

    def scaled(self, factor: Decimal) -> Range:
        return Range(self.low * factor, self.high * factor)

    def times(self, other: Range) -> Range:
        return Range(self.low * other.low, self.high * other.high)

    @property
    def cents(self) -> Range:
        return Range(self.low.quantize(CENT, ROUND_HALF_UP), self.high.quantize(CENT, ROUND_HALF_UP))

    @property
    def whole(self) -> tuple[int, int]:
        return int(self.low.quantize(Decimal(1), ROUND_HALF_UP)), int(
            self.high.quantize(Decimal(1), ROUND_HALF_UP)
        )


@dataclass(frozen=True)
class Assumptions:
    """A workspace's forecast figures. Rates are percentages (40 means 40%)."""

    message_cost: Range
    conversation_cost: Range
    open_rate: Range
    ctr: Range
    reply_multiplier: Decimal
    conversion_rate: Decimal
    cpl_benchmark: Range
    broad_audience: int

    @classmethod
    def of(cls, row: ForecastAssumptions) -> Assumptions:
        return cls(
            message_cost=Range(row.message_cost_low, row.message_cost_high),
            conversation_cost=Range(row.conversation_cost_low, row.conversation_cost_high),
            open_rate=Range(row.open_rate_low, row.open_rate_high),
            ctr=Range(row.ctr_low, row.ctr_high),
            reply_multiplier=row.reply_multiplier,
            conversion_rate=row.conversion_rate,
            cpl_benchmark=Range(row.cpl_benchmark_low, row.cpl_benchmark_high),
            broad_audience=row.broad_audience,
        )

    @classmethod
    def guide(cls) -> Assumptions:
        """The guide's figures: what a workspace that changed nothing uses."""
        return cls.of(ForecastAssumptions())


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    count: Range
    rate: str
    source: str

    @property
    def low(self) -> int:
        return self.count.whole[0]

    @property
    def high(self) -> int:
        return self.count.whole[1]


@dataclass(frozen=True)
class Forecast:
    audience: int
    kind: str
    stages: tuple[Stage, ...]
    cost: Range
    cost_source: str
    cost_per_send: Range
    leads: Range
    cost_per_lead: Range | None
    benchmark: Range
    conversion_rate: Decimal
    broad: bool
    broad_audience: int

    @property
    def open_ended_cost(self) -> bool:
        """The guide gives conversation ads' cost per send as "$1.50+": the high end can be higher."""
        return self.kind == Kind.CONVERSATION

    @property
    def cost_per_lead_verdict(self) -> str:
        """Where the cost per lead sits against the benchmark: below, within, overlapping or above."""
        if self.cost_per_lead is None:
            return "none"
        cpl, bench = self.cost_per_lead, self.benchmark
        if cpl.low > bench.high:
            return "above"
        if cpl.high < bench.low:
            return "below"
        if cpl.low >= bench.low and cpl.high <= bench.high:
            return "within"
        return "overlaps"


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def _percent_range(r: Range) -> str:
    return f"{r.low.normalize():f}–{r.high.normalize():f}%"


def forecast(
    *, audience: int, kind: str, assumptions: Assumptions, conversion_rate: Decimal | None = None
) -> Forecast:
    """The funnel, cost and cost per lead of sending to `audience` members once.

    Message ads: opens × click-through. Conversation ads: their members reply (press a
    button) at the guide's multiple of message ads' click-through, never more than opened.
    Leads are the clicks (or replies) times the conversion rate: the ad's own, else the
    workspace's.
    """
    a = assumptions
    rate = conversion_rate if conversion_rate is not None else a.conversion_rate
    sends = Range(Decimal(audience), Decimal(audience))
    opens = sends.times(a.open_rate.scaled(1 / HUNDRED))
    clicks = opens.times(a.ctr.scaled(1 / HUNDRED))
    stages = [
        Stage("sends", "Sends", sends, "one per member", "Each member in the audience receives it once."),
        Stage("opens", "Opens", opens, f"{_percent_range(a.open_rate)} of sends", SOURCES["open_rate"]),
    ]
    if kind == Kind.CONVERSATION:
        multiplied = clicks.scaled(a.reply_multiplier)
        responses = Range(min(multiplied.low, opens.low), min(multiplied.high, opens.high))
        stages.append(
            Stage(
                "replies",
                "Replies",
                responses,
                f"{a.reply_multiplier.normalize():f}× message ads' {_percent_range(a.ctr)} of opens",
                SOURCES["reply_multiplier"],
            )
        )
        cost_per_send, cost_source = a.conversation_cost, SOURCES["conversation_cost"]
    else:
        responses = clicks
        stages.append(Stage("clicks", "Clicks", clicks, f"{_percent_range(a.ctr)} of opens", SOURCES["ctr"]))
        cost_per_send, cost_source = a.message_cost, SOURCES["message_cost"]
    leads = responses.scaled(rate / HUNDRED)
    stages.append(
        Stage(
            "leads",
            "Leads",
            leads,
            f"{_percent(rate)} of {'replies' if kind == Kind.CONVERSATION else 'clicks'}",
            "This ad's conversion rate." if conversion_rate is not None else SOURCES["conversion_rate"],
        )
    )
    cost = sends.times(cost_per_send)
    # The best case pays the least for the most leads; the worst the most for the fewest.
    cost_per_lead = (
        Range(cost.low / leads.high, cost.high / leads.low) if leads.low > 0 and leads.high > 0 else None
    )
    return Forecast(
        audience=audience,
        kind=kind,
        stages=tuple(stages),
        cost=cost,
        cost_source=cost_source,
        cost_per_send=cost_per_send,
        leads=leads,
        cost_per_lead=cost_per_lead,
        benchmark=a.cpl_benchmark,
        conversion_rate=rate,
        broad=audience > a.broad_audience,
        broad_audience=a.broad_audience,
    )


@dataclass(frozen=True)
class Bar:
    """One row of the funnel chart, in SVG user units."""

    label: str
    y: int
    low_width: float
    high_width: float
    text: str


CHART_WIDTH = 640
LABEL_WIDTH = 90
BAR_AREA = 380
ROW_HEIGHT = 40
BAR_HEIGHT = 26
MIN_BAR = 2.0


def funnel_bars(f: Forecast) -> list[Bar]:
    """Each stage as a bar scaled to the sends: the darker part the low end, the lighter the high end."""
    total = Decimal(max(f.audience, 1))
    bars = []
    for i, stage in enumerate(f.stages):
        low, high = stage.count.low / total, stage.count.high / total
        text = f"{stage.low:,}" if stage.low == stage.high else f"{stage.low:,}–{stage.high:,}"
        bars.append(
            Bar(
                label=stage.label,
                y=i * ROW_HEIGHT,
                low_width=round(max(MIN_BAR, float(low) * BAR_AREA), 1),
                high_width=round(max(MIN_BAR, float(high) * BAR_AREA), 1),
                text=text,
            )
        )
    return bars
