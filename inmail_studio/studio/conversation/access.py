"""Who may open a conversation ad's pages, and who may change it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from inmail_studio.accounts.models import Membership, User
from inmail_studio.accounts.selectors import membership_for
from inmail_studio.ads import selectors
from inmail_studio.ads.models import (
    Ad,
    Conversation,
    Kind,
)
from inmail_studio.http import HtmxHttpRequest


def user_of(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def conversation_ad(request: HtmxHttpRequest, ad_id: int) -> tuple[Ad, Membership, Conversation]:
    """The conversation ad if the user belongs to its workspace (else 404), with their membership."""
    ad = selectors.ad_for(user_of(request), ad_id)
    if ad.kind != Kind.CONVERSATION:
        raise Http404("Not a conversation ad.")
    membership = membership_for(user_of(request), ad.workspace_id)
    assert membership is not None
    conversation, _ = Conversation.objects.get_or_create(ad=ad)
    return ad, membership, conversation


def conversation_to_check(request: HtmxHttpRequest, ad_id: int) -> tuple[Ad, Conversation]:
    """The conversation ad for the live check, scoped like `conversation_ad` (404 outside the user's
    workspaces), read in one query with what the check needs (its details for the checklist), not
    the current revision's snapshot nor the membership: the check runs on every pause in typing."""
    ad = get_object_or_404(
        selectors.ads_for(user_of(request))
        .filter(kind=Kind.CONVERSATION)
        .select_related("sender", "banner", "conversation"),
        pk=ad_id,
    )
    try:
        return ad, ad.conversation
    except Conversation.DoesNotExist:
        return ad, Conversation.objects.get_or_create(ad=ad)[0]


def require_edit(membership: Membership) -> None:
    if not membership.can_edit:
        raise PermissionDenied("You need the author role in this workspace to edit ads.")
