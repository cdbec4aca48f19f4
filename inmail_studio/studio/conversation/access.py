"""Who may open a conversation ad's pages, and who may change it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

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


def require_edit(membership: Membership) -> None:
    if not membership.can_edit:
        raise PermissionDenied("You need the author role in this workspace to edit ads.")
