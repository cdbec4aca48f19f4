"""What the guidance needs beyond the ad itself: the marketer's plan for an ad and the
workspace's forecast assumptions.

The ads app stays unaware of both: a plan is a one-to-one row beside an `Ad`, the
assumptions a one-to-one row beside a `Workspace`. Neither is part of an ad's
snapshot, so changing them never makes a new revision or voids an approval.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
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


# ---------------------------------------------------------------------------
# Variants: ads that differ in subject or body, reviewed and compared together.
# ---------------------------------------------------------------------------

VARIANT_LABELS = "ABCDEFGHIJ"
MAX_VARIANTS = len(VARIANT_LABELS)


class VariantSet(models.Model):
    """Ads that test one idea against another: the same offer, a different subject or body.

    Each variant is an ordinary `Ad` (its own revisions, review, sync and creative), linked by a
    `Variant` row; the set only groups them, names them A, B, C… and holds the campaign they
    share on LinkedIn.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="variant_sets")
    name = models.CharField(max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    """One ad's place in a variant set: its letter."""

    ad = models.OneToOneField(Ad, on_delete=models.CASCADE, related_name="variant", primary_key=True)
    variant_set = models.ForeignKey(VariantSet, on_delete=models.CASCADE, related_name="variants")
    label = models.CharField(max_length=1)

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["variant_set", "label"], name="one_variant_per_label"),
        ]

    def __str__(self) -> str:
        return f"Variant {self.label} of {self.variant_set_id}"


# ---------------------------------------------------------------------------
# Results after launch: LinkedIn's daily figures per creative.
# ---------------------------------------------------------------------------


class DailyResult(models.Model):
    """What one creative of a live ad did on one day (UTC), as LinkedIn's ad analytics reports it.

    One row per ad, creative and day: a repeated pull overwrites the day's figures (LinkedIn
    revises recent days), never adds to them. A day LinkedIn did not report has no row, and
    is shown as a gap, not as zero.
    """

    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="daily_results")
    creative_urn = models.CharField(max_length=120)
    day = models.DateField()
    sends = models.PositiveIntegerField(default=0)
    opens = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    action_clicks = models.PositiveIntegerField(default=0)
    leads = models.PositiveIntegerField(default=0)
    spend = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    pulled_at = models.DateTimeField()

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["ad", "creative_urn", "day"], name="one_result_per_creative_day"),
        ]
        indexes = [models.Index(fields=["ad", "day"], name="result_ad_day")]

    def __str__(self) -> str:
        return f"{self.creative_urn} on {self.day}"


class ResultsPull(models.Model):
    """The last pull of an ad's results: when, and what went wrong if it did (shown on the results page)."""

    ad = models.OneToOneField(Ad, on_delete=models.CASCADE, related_name="results_pull", primary_key=True)
    pulled_at = models.DateTimeField(null=True, blank=True)
    days = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    attempted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Results pull of ad {self.ad_id}"
