"""Sign-in with a brake on password guessing."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError

MAX_FAILURES = 5
LOCKOUT_SECONDS = 15 * 60


def _key(username: str, ip: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}|{ip}".encode()).hexdigest()
    return f"signin-failures:{digest}"


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing a username from one address after five wrong passwords.

    The count lives in the cache (Redis in production) for fifteen minutes from the last
    failure; a successful sign-in clears it.
    """

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        key = _key(username, self.request.META.get("REMOTE_ADDR", "") if self.request else "")
        if (cache.get(key) or 0) >= MAX_FAILURES:
            raise ValidationError(
                "Too many failed sign-ins for this username. Wait 15 minutes, then try again.",
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            cache.set(key, (cache.get(key) or 0) + 1, LOCKOUT_SECONDS)
            raise
        cache.delete(key)
        return cleaned
