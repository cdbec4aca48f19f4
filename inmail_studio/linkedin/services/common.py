"""What every LinkedIn write shares: the refusals it raises, the URN forms and the role check."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied

from inmail_studio.accounts.models import Membership, User

ACCOUNT_URN = "urn:li:sponsoredAccount:{}"
CAMPAIGN_URN = "urn:li:sponsoredCampaign:{}"


class NotConnected(Exception):
    """The workspace has no usable LinkedIn connection (never connected, revoked or expired)."""


class SyncRefused(Exception):
    """A sync, test send or launch can't start (wrong state, no campaign, limit reached)."""


def _require_role(user: User, workspace_id: int, roles: Iterable[str], doing: str) -> Membership:
    membership = Membership.objects.filter(user=user, workspace_id=workspace_id, role__in=list(roles)).first()
    if membership is None:
        raise PermissionDenied(f"Your role in this workspace doesn't allow you to {doing}.")
    return membership
