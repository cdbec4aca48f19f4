from __future__ import annotations

from django import forms

from .faults import OUTCOMES
from .models import FaultConfig

RATE_HELP = "Between 0 and 1, e.g. 0.1 for one call in ten."


class FaultForm(forms.ModelForm):
    class Meta:
        model = FaultConfig
        fields = ["latency_ms", "error_rate", "throttle_rate", "hang_rate", "drop_rate", "seed", "queue"]
        labels = {
            "latency_ms": "Added latency (ms)",
            "error_rate": "500/503 rate",
            "throttle_rate": "429 rate",
            "hang_rate": "Hang rate",
            "drop_rate": "Commit-then-drop rate (creates)",
            "seed": "Random seed",
            "queue": "Next outcomes",
        }

    def _rate(self, name: str) -> float:
        value = self.cleaned_data[name]
        if value is None or not 0 <= value <= 1:
            raise forms.ValidationError(RATE_HELP)
        return float(value)

    def clean_error_rate(self) -> float:
        return self._rate("error_rate")

    def clean_throttle_rate(self) -> float:
        return self._rate("throttle_rate")

    def clean_hang_rate(self) -> float:
        return self._rate("hang_rate")

    def clean_drop_rate(self) -> float:
        return self._rate("drop_rate")

    def clean_queue(self) -> str:
        items = [item.strip().lower() for item in self.cleaned_data["queue"].split(",") if item.strip()]
        wrong = [item for item in items if item not in OUTCOMES]
        if wrong:
            raise forms.ValidationError(f"Unknown outcome {wrong[0]!r}; use {', '.join(OUTCOMES)}.")
        return ",".join(items)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        rates = [data.get(n) or 0 for n in ("error_rate", "throttle_rate", "hang_rate")]
        if sum(float(r) for r in rates) > 1:
            raise forms.ValidationError("The 500/503, 429 and hang rates add up to more than 1.")
        return data
