"""Reads scoped to what a user may see. Every query that reaches a user starts here."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from .models import Membership, Role, User


def membership_for(user: User, workspace_id: int) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, workspace_id=workspace_id).first()


SESSION_KEY = "workspace_id"


class NoWorkspace(Http404):
    """A signed-in user who belongs to no workspace: the 404 page says what to do."""


def current_membership_or_none(request: HttpRequest) -> Membership | None:
    """The membership of the workspace the user is working in (chosen in the nav).

    Falls back to the user's first workspace, so a user with one workspace never has to
    choose. Computed once per request: the navigation and the view share it.
    """
    if hasattr(request, "_membership"):
        return request._membership
    user = request.user
    membership: Membership | None = None
    memberships: list[Membership] = []
    if isinstance(user, User) and user.is_authenticated:
        memberships = list(Membership.objects.filter(user=user).select_related("workspace"))
        chosen = request.session.get(SESSION_KEY)
        membership = next((m for m in memberships if m.workspace_id == chosen), None) or (
            memberships[0] if memberships else None
        )
    request._membership = membership  # type: ignore[attr-defined]
    request._memberships = memberships  # type: ignore[attr-defined]
    return membership


def current_membership(request: HttpRequest) -> Membership:
    """Like `current_membership_or_none`, but a user without a workspace gets a 404 page saying so."""
    membership = current_membership_or_none(request)
    if membership is None:
        raise NoWorkspace("You are not a member of any workspace yet. Ask a workspace admin to invite you.")
    return membership


__all__ = [
    "Role",
    "current_membership",
    "current_membership_or_none",
    "membership_for",
]
