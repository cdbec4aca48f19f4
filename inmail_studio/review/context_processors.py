from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from inmail_studio.accounts.models import User


def review_nav(request: HttpRequest) -> dict[str, Any]:
    """Counts for the navigation (review queue, my drafts) and the bell, computed only if rendered."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}

    def counts() -> Any:
        from inmail_studio.accounts.selectors import current_membership_or_none

        from .selectors import nav_counts

        return nav_counts(user, current_membership_or_none(request))

    return {"review_nav": SimpleLazyObject(counts)}
