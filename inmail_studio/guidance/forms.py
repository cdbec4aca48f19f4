"""Forms for the ad's plan (forecast inputs) and the workspace's forecast assumptions."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import SOURCES, AdPlan, ForecastAssumptions


class ForecastForm(forms.ModelForm):
    """The forecast's inputs for one ad: how many members the targeting reaches and how many convert."""

    class Meta:
        model = AdPlan
        fields = ["audience_size", "conversion_rate"]
        labels = {"audience_size": "Audience size", "conversion_rate": "Lead conversion rate (%)"}
        widgets = {
            "audience_size": forms.NumberInput(
                attrs={"min": 1, "step": 1, "inputmode": "numeric", "placeholder": "e.g. 25000"}
            ),
            "conversion_rate": forms.NumberInput(attrs={"min": "0.01", "max": 100, "step": "0.1"}),
        }

    def __init__(self, *args: Any, default_rate: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience_size"].required = True
        self.fields["audience_size"].error_messages["required"] = (
            "Enter how many members your targeting reaches."
        )
        if default_rate is not None:
            self.fields["conversion_rate"].widget.attrs["placeholder"] = (
                f"{default_rate.normalize():f} (workspace)"
            )


# Each row of the assumptions page: a label, its fields (low/high or one), the unit, the source.
ASSUMPTION_ROWS: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("Cost per send, message ads", ("message_cost_low", "message_cost_high"), "$", "message_cost"),
    (
        "Cost per send, conversation ads",
        ("conversation_cost_low", "conversation_cost_high"),
        "$",
        "conversation_cost",
    ),
    ("Open rate", ("open_rate_low", "open_rate_high"), "%", "open_rate"),
    ("Click-through rate (of opens)", ("ctr_low", "ctr_high"), "%", "ctr"),
    ("Conversation ads' replies (× message ads' clicks)", ("reply_multiplier",), "×", "reply_multiplier"),
    ("Lead conversion rate (of clicks or replies)", ("conversion_rate",), "%", "conversion_rate"),
    ("Cost per lead benchmark", ("cpl_benchmark_low", "cpl_benchmark_high"), "$", "cpl_benchmark"),
    ("Broad audience above (members)", ("broad_audience",), "", "broad_audience"),
)
PAIRS = [row[1] for row in ASSUMPTION_ROWS if len(row[1]) == 2]


class AssumptionsForm(forms.ModelForm):
    class Meta:
        model = ForecastAssumptions
        fields = [name for row in ASSUMPTION_ROWS for name in row[1]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("step", "any")
            field.widget.attrs["min"] = 0

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for low, high in PAIRS:
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, "The high end must not be below the low end.")
        return data

    def rows(self) -> list[dict[str, Any]]:
        """The form laid out as the page shows it: label, bound fields, unit and source."""
        guide = ForecastAssumptions()
        return [
            {
                "label": label,
                "fields": [self[name] for name in names],
                "unit": unit,
                "source": SOURCES[source],
                "guide": " – ".join(f"{getattr(guide, n):,}" for n in names),
                "changed": any(
                    self.initial.get(n) is not None and self.initial.get(n) != getattr(guide, n)
                    for n in names
                ),
            }
            for label, names, unit, source in ASSUMPTION_ROWS
        ]
