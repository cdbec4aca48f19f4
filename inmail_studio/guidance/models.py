"""What the guidance needs beyond the ad itself: the marketer's plan for an ad and the
workspace's forecast assumptions.

The ads app stays unaware of both: a plan is a one-to-one row beside an `Ad`, the
assumptions a one-to-one row beside a `Workspace`. Neither is part of an ad's
snapshot, so changing them never makes a new revision or voids an approval.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from inmail_studio.accounts.models import Workspace
from inmail_studio.ads.models import Ad


class OfferType(models.TextChoices):
    """What the message offers the member. The guide ranks them (see `checks.OFFER_VALUE`)."""

    WEBINAR = "webinar", "Webinar or event invitation"
    DEMO = "demo", "Demo request"
    CONSULTATION = "consultation", "Consultation or assessment"
    RESEARCH = "research", "Research or report"
    CASE_STUDY = "case_study", "Case study"
    GENERIC = "generic", "Generic pitch"


class AdPlan(models.Model):
    """The marketer's plan for one ad: what it offers, whom it reaches, how it is tagged."""

    ad = models.OneToOneField(Ad, on_delete=models.CASCADE, related_name="plan", primary_key=True)
    offer_type = models.CharField(max_length=20, choices=OfferType.choices, blank=True)
    audience_size = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(500_000_000)],
        help_text="How many members the campaign's targeting reaches (Campaign Manager shows it).",
    )
    conversion_rate = models.DecimalField(
        "lead conversion rate (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
        help_text="Share of clicks (or replies) that become leads. Empty: the workspace's assumption.",
    )
    utm_variant = models.SlugField("UTM content (variant)", max_length=40, default="a")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Plan for ad {self.ad_id}"


# Where each assumption comes from, shown beside it wherever it is used or edited.
GUIDE = "The sponsored-messaging guide"
SOURCES: dict[str, str] = {
    "message_cost": f"{GUIDE}, citing LeadsBridge's 2026 benchmarks: basic Message Ads $0.25–$0.75 per send.",
    "conversation_cost": f"{GUIDE}, citing LeadsBridge: Conversation Ads to senior roles $0.75–$1.50+ per send.",
    "open_rate": f"{GUIDE}: open rates of 40–55% (email: 15–25%).",
    "ctr": f"{GUIDE}: click-through rates of 3–7% after open.",
    "reply_multiplier": f"{GUIDE}: Conversation Ads achieve 3× higher reply rates than Message Ads.",
    "conversion_rate": "Your workspace's own figure: the guide gives no click-to-lead rate.",
    "cpl_benchmark": f"{GUIDE}: cost per lead $50–$200+, higher than feed ads.",
    "broad_audience": (
        f"InMail Studio default. {GUIDE}: messaging works with narrow, qualified targeting "
        "(it gives no number)."
    ),
}


def _money(default: str) -> models.DecimalField:
    return models.DecimalField(
        max_digits=8, decimal_places=2, default=Decimal(default), validators=[MinValueValidator(Decimal("0"))]
    )


def _percent(default: str) -> models.DecimalField:
    return models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )


class ForecastAssumptions(models.Model):
    """A workspace's forecast figures. A workspace without a row uses the guide's (the defaults)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="forecast_assumptions", primary_key=True
    )
    message_cost_low = _money("0.25")
    message_cost_high = _money("0.75")
    conversation_cost_low = _money("0.75")
    conversation_cost_high = _money("1.50")
    open_rate_low = _percent("40")
    open_rate_high = _percent("55")
    ctr_low = _percent("3")
    ctr_high = _percent("7")
    reply_multiplier = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("3"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("20"))],
    )
    conversion_rate = _percent("10")
    cpl_benchmark_low = _money("50")
    cpl_benchmark_high = _money("200")
    broad_audience = models.PositiveIntegerField(default=100_000, validators=[MinValueValidator(1)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "forecast assumptions"

    def __str__(self) -> str:
        return f"Forecast assumptions for workspace {self.workspace_id}"
