from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Membership, User


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's workspaces and the one they are working in, for the navigation bar."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    from .selectors import current_membership_or_none

    membership = current_membership_or_none(request)
    memberships: list[Membership] = getattr(request, "_memberships", [])
    return {"nav_membership": membership, "nav_memberships": memberships}
