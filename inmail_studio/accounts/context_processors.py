from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .models import Membership, User


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's workspaces and the one they are working in, for the navigation bar.

    Read only if a template shows them: a fragment (the live preview on every keystroke, any htmx
    partial) renders no navigation and so makes no query for it.
    """
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    from .selectors import current_membership_or_none

    def memberships() -> list[Membership]:
        current_membership_or_none(request)
        return getattr(request, "_memberships", [])

    return {
        "nav_membership": SimpleLazyObject(lambda: current_membership_or_none(request)),
        "nav_memberships": SimpleLazyObject(memberships),
    }
