"""Reads of ads, always scoped to the workspaces the user belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from inmail_studio.accounts.models import Membership, User

from .models import Ad, Revision


def ads_for(user: User, *, roles: Iterable[str] | None = None) -> QuerySet[Ad]:
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return Ad.objects.filter(workspace_id__in=memberships.values("workspace_id"))


def ad_for(user: User, ad_id: int) -> Ad:
    """The ad if the user is a member of its workspace, else 404 (never 403: don't confirm it exists)."""
    return get_object_or_404(
        ads_for(user).select_related("workspace", "sender", "banner", "current_revision", "author"), pk=ad_id
    )


def drafts_list(
    user: User, *, workspace_id: int, q: str = "", state: str = "", sender_id: int | None = None
) -> QuerySet[Ad]:
    ads = ads_for(user).filter(workspace_id=workspace_id)
    if q:
        ads = ads.filter(Q(name__icontains=q) | Q(subject__icontains=q))
    if state:
        ads = ads.filter(state=state)
    if sender_id:
        ads = ads.filter(sender_id=sender_id)
    return ads.select_related("sender", "author", "current_revision").order_by("-updated_at", "-pk")


def revisions_of(ad: Ad) -> QuerySet[Revision]:
    return ad.revisions.select_related("author").order_by("-number")


@dataclass(frozen=True)
class Presence:
    """Who else has an ad's editor open right now."""

    others: list[str]  # other people, by name
    another_tab: bool  # this user, in another tab

    @property
    def names(self) -> str:
        if len(self.others) <= 2:
            return " and ".join(self.others)
        return f"{', '.join(self.others[:-1])} and {self.others[-1]}"


def presence_on(ad: Ad, user: User, *, tab: str = "") -> Presence:
    """The people (and this user's other tabs) whose editor of `ad` beat within EDIT_PRESENCE_SECONDS."""
    from django.conf import settings
    from django.utils import timezone

    from .models import EditPresence

    since = timezone.now() - timedelta(seconds=settings.EDIT_PRESENCE_SECONDS)
    rows = EditPresence.objects.filter(ad=ad, seen_at__gte=since).select_related("user").order_by("seen_at")
    others: dict[int, str] = {}
    another_tab = False
    for row in rows:
        if row.user_id == user.pk:
            another_tab = another_tab or (bool(tab) and row.tab != tab)
        else:
            others.setdefault(row.user_id, row.user.display_name)
    return Presence(others=list(others.values()), another_tab=another_tab)
