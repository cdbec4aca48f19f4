"""How a live ad is doing: its rates from LinkedIn's daily figures, set against the forecast and the guide.

Pure arithmetic (no database): `Totals` adds up daily rows, `compare()` puts each rate
beside the workspace's forecast range and the guide's benchmark, and `chart()` lays the
days out for the server-rendered SVG, with a day LinkedIn didn't report drawn as a gap.

Rates are the guide's: open rate = opens / sends, click-through rate = clicks / opens
("3–7% after open"), cost per send = spend / sends, cost per lead = spend / leads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol

from .forecast import HUNDRED, Assumptions, Range


class DayFigures(Protocol):
    day: date
    sends: int
    opens: int
    clicks: int
    leads: int
    spend: Decimal


@dataclass(frozen=True)
class Totals:
    sends: int = 0
    opens: int = 0
    clicks: int = 0
    leads: int = 0
    spend: Decimal = Decimal(0)
    days: int = 0
    first_day: date | None = None
    last_day: date | None = None

    @classmethod
    def of(cls, rows: Iterable[DayFigures]) -> Totals:
        rows = list(rows)
        if not rows:
            return cls()
        return cls(
            sends=sum(r.sends for r in rows),
            opens=sum(r.opens for r in rows),
            clicks=sum(r.clicks for r in rows),
            leads=sum(r.leads for r in rows),
            spend=sum((r.spend for r in rows), Decimal(0)),
            days=len({r.day for r in rows}),
            first_day=min(r.day for r in rows),
            last_day=max(r.day for r in rows),
        )

    @property
    def open_rate(self) -> Decimal | None:
        """Percent of sends opened."""
        return Decimal(self.opens) * HUNDRED / self.sends if self.sends else None

    @property
    def ctr(self) -> Decimal | None:
        """Percent of opens clicked."""
        return Decimal(self.clicks) * HUNDRED / self.opens if self.opens else None

    @property
    def cost_per_send(self) -> Decimal | None:
        return self.spend / self.sends if self.sends else None

    @property
    def cost_per_lead(self) -> Decimal | None:
        return self.spend / self.leads if self.leads else None


@dataclass(frozen=True)
class Comparison:
    """One rate of a live ad beside what the workspace forecast and what the guide gives."""

    key: str
    label: str
    actual: Decimal | None
    forecast: Range
    benchmark: Range
    unit: str  # "%" or "$"
    higher_is_better: bool

    @property
    def verdict(self) -> str:
        """`better`, `within` or `worse` than the forecast range; `none` without figures yet."""
        if self.actual is None:
            return "none"
        if self.forecast.low <= self.actual <= self.forecast.high:
            return "within"
        above = self.actual > self.forecast.high
        return "better" if above == self.higher_is_better else "worse"


def compare(totals: Totals, *, kind: str, workspace: Assumptions, guide: Assumptions) -> list[Comparison]:
    """Open rate, click-through, cost per send and cost per lead against the forecast and the guide."""
    conversation = kind == "conversation"
    return [
        Comparison(
            "open_rate", "Open rate", totals.open_rate, workspace.open_rate, guide.open_rate, "%", True
        ),
        Comparison("ctr", "Click-through rate", totals.ctr, workspace.ctr, guide.ctr, "%", True),
        Comparison(
            "cost_per_send",
            "Cost per send",
            totals.cost_per_send,
            workspace.conversation_cost if conversation else workspace.message_cost,
            guide.conversation_cost if conversation else guide.message_cost,
            "$",
            False,
        ),
        Comparison(
            "cost_per_lead",
            "Cost per lead",
            totals.cost_per_lead,
            workspace.cpl_benchmark,
            guide.cpl_benchmark,
            "$",
            False,
        ),
    ]


# --- the chart ------------------------------------------------------------------------------

CHART_WIDTH = 640
CHART_HEIGHT = 220
PLOT_LEFT = 44
PLOT_RIGHT = 44
PLOT_TOP = 12
PLOT_BOTTOM = 28


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class Gap:
    x: float
    width: float
    title: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    """Daily sends as bars (left axis) and the open rate as a line (right axis, 0–100%)."""

    width: int
    height: int
    plot_top: int
    plot_bottom: int
    plot_left: int
    plot_right: int
    bars: list[Bar]
    lines: list[str]  # SVG `points` of each unbroken run of the open-rate line
    gaps: list[Gap]
    ticks: list[Tick]
    max_sends: int
    description: str

    @property
    def gap_days(self) -> int:
        return len(self.gaps)

    @property
    def plot_height(self) -> int:
        return self.plot_bottom - self.plot_top


def chart(rows: Sequence[DayFigures], *, until: date | None = None) -> Chart | None:
    """Lay out one point per day from the first reported day to `until` (or the last one).

    A day without a row is a gap: no bar, the line broken, a hatched band. None without rows.
    """
    by_day: dict[date, list[DayFigures]] = {}
    for row in rows:
        by_day.setdefault(row.day, []).append(row)
    if not by_day:
        return None
    first, last = min(by_day), max(max(by_day), until or max(by_day))
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    plot_width = CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT
    plot_height = CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM
    step = plot_width / len(days)
    per_day = {day: Totals.of(day_rows) for day, day_rows in by_day.items()}
    max_sends = max(t.sends for t in per_day.values()) or 1
    bars: list[Bar] = []
    gaps: list[Gap] = []
    lines: list[str] = []
    run: list[str] = []
    bottom = PLOT_TOP + plot_height
    for i, day in enumerate(days):
        x = PLOT_LEFT + i * step
        totals = per_day.get(day)
        if totals is None:
            gaps.append(Gap(round(x, 1), round(step, 1), f"{day:%d %b}: LinkedIn reported no delivery"))
            if run:
                lines.append(" ".join(run))
                run = []
            continue
        height = plot_height * totals.sends / max_sends
        rate = totals.open_rate or Decimal(0)
        bars.append(
            Bar(
                round(x + step * 0.15, 1),
                round(bottom - height, 1),
                round(step * 0.7, 1),
                round(height, 1),
                f"{day:%d %b}: {totals.sends:,} sends, {rate:.1f}% opened",
            )
        )
        y = bottom - plot_height * float(rate) / 100
        run.append(f"{x + step / 2:.1f},{y:.1f}")
    if run:
        lines.append(" ".join(run))
    every = max(1, len(days) // 6)
    ticks = [Tick(round(PLOT_LEFT + (i + 0.5) * step, 1), f"{day:%d %b}") for i, day in enumerate(days)][
        ::every
    ]
    return Chart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        plot_top=PLOT_TOP,
        plot_bottom=bottom,
        plot_left=PLOT_LEFT,
        plot_right=CHART_WIDTH - PLOT_RIGHT,
        bars=bars,
        lines=lines,
        gaps=gaps,
        ticks=ticks,
        max_sends=max_sends,
        description=(
            f"{len(per_day)} days reported from {first:%d %b} to {last:%d %b}"
            + (f", {len(gaps)} without data" if gaps else "")
        ),
    )
