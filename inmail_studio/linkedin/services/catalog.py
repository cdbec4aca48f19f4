"""What the workspace picks from its LinkedIn account: the ad account, campaigns and senders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from inmail_studio.accounts.models import ADMIN_ROLES, APPROVE_ROLES, EDIT_ROLES, User, Workspace
from inmail_studio.ads.models import Ad, Sender, SenderPermission, State
from inmail_studio.linkedin.client import (
    LinkedIn,
)
from inmail_studio.linkedin.models import (
    AdLinkedIn,
    Campaign,
)
from inmail_studio.linkedin.selectors import CAMPAIGN_FORMATS, FORMAT_NAMES
from inmail_studio.linkedin.services.common import ACCOUNT_URN, CAMPAIGN_URN, _require_role
from inmail_studio.linkedin.services.connection import _account_path, _urn_of, client_for
from inmail_studio.linkedin.services.sync import sync_queue


@dataclass(frozen=True)
class AdAccount:
    urn: str
    name: str
    status: str


def accounts_available(*, workspace: Workspace) -> list[AdAccount]:
    """The ad accounts the connected member can access (contract R07, cursor paging)."""
    elements = client_for(workspace).search("adAccounts", "search")
    return [
        AdAccount(_urn_of(ACCOUNT_URN, e), str(e.get("name", "")), str(e.get("status", ""))) for e in elements
    ]


def account_choose(*, workspace_id: int, admin: User, account_urn: str) -> Workspace:
    """Point the workspace at one of the member's ad accounts, then import its campaigns and senders."""
    _require_role(admin, workspace_id, ADMIN_ROLES, "choose the ad account")
    workspace = Workspace.objects.get(pk=workspace_id)
    chosen = next((a for a in accounts_available(workspace=workspace) if a.urn == account_urn), None)
    if chosen is None:
        raise ValidationError("Choose one of the ad accounts the connected member can access.")
    Workspace.objects.filter(pk=workspace_id).update(
        ad_account_urn=chosen.urn, ad_account_name=chosen.name[:255]
    )
    workspace.ad_account_urn, workspace.ad_account_name = chosen.urn, chosen.name[:255]
    campaigns_import(workspace=workspace)
    senders_import(workspace=workspace)
    return workspace


def campaigns_import(*, workspace: Workspace) -> list[Campaign]:
    """List the account's message-ad campaigns from LinkedIn and keep them for the campaign picker (R10)."""
    elements = client_for(workspace).search(
        _account_path(workspace, "adCampaigns"),
        "search",
        {"search": {"type": {"values": ["SPONSORED_INMAILS"]}}},
    )
    now = timezone.now()
    seen = []
    for element in elements:
        if element.get("type") not in (None, "SPONSORED_INMAILS"):
            continue
        urn = _urn_of(CAMPAIGN_URN, element)
        seen.append(urn)
        Campaign.objects.update_or_create(
            workspace=workspace,
            urn=urn,
            defaults={
                "name": str(element.get("name", urn))[:255],
                "status": str(element.get("status", "")),
                "format": str(element.get("format", "")),
                "refreshed_at": now,
            },
        )
    Campaign.objects.filter(workspace=workspace).exclude(urn__in=seen).delete()
    return list(Campaign.objects.filter(workspace=workspace))


# adInMailMemberSenderPermissions' `state` as ours (contract R13): REQUESTED waits for the member's
# email consent; APPROVED may send (ACCEPTED read the same way, as the versioned schema's values are
# unconfirmed); anything else (DECLINED, REVOKED, unknown) can't send.
PERMISSION_STATES = {
    "APPROVED": SenderPermission.APPROVED,
    "ACCEPTED": SenderPermission.APPROVED,
    "REQUESTED": SenderPermission.PENDING,
    "PENDING": SenderPermission.PENDING,
}


def permission_of(element: dict[str, Any]) -> str:
    """Our permission for one sender permission element, from its `state`."""
    return str(PERMISSION_STATES.get(str(element.get("state", "")).upper(), SenderPermission.REVOKED))


def sender_permissions(workspace: Workspace, api: LinkedIn | None = None) -> list[dict[str, Any]]:
    """The account's sender permissions as LinkedIn lists them (R13, index paging)."""
    return (api or client_for(workspace)).finder(
        "adInMailMemberSenderPermissions", "account", {"account": workspace.ad_account_urn}
    )


def senders_import(*, workspace: Workspace) -> list[Sender]:
    """Senders and their permission state from the account's sender permissions.

    A sender whose permission is no longer listed, or listed as anything but approved or
    requested, becomes revoked, so every draft using them is flagged before anyone syncs.
    """
    elements = sender_permissions(workspace)
    now = timezone.now()
    listed: dict[str, tuple[str, dict[str, Any]]] = {}
    for element in elements:
        urn = str(element.get("member") or "")
        if urn:
            listed[urn] = (permission_of(element), element)
    senders: list[Sender] = []
    for urn, (permission, _element) in listed.items():
        # The permission names only the member (no decoration is asked for); an admin can rename
        # the sender in the app.
        name = urn.rsplit(":", 1)[-1].replace("-", " ").title()
        # get_or_create, not filter-then-create: two admins refreshing at once both find the sender
        # (the second create meets the unique constraint, and get_or_create reads the first one's row).
        sender, created = Sender.objects.get_or_create(
            workspace=workspace,
            urn=urn,
            defaults={"name": name[:120], "permission": permission, "permission_updated_at": now},
        )
        if not created and sender.permission != permission:
            Sender.objects.filter(pk=sender.pk).update(permission=permission, permission_updated_at=now)
            sender.permission = permission
        senders.append(sender)
    Sender.objects.filter(workspace=workspace, urn__startswith="urn:li:person:").exclude(
        urn__in=list(listed)
    ).exclude(permission=SenderPermission.REVOKED).update(
        permission=SenderPermission.REVOKED, permission_updated_at=now
    )
    return senders


def campaign_choose(*, ad_id: int, user: User, campaign_urn: str) -> AdLinkedIn:
    ad = Ad.objects.get(pk=ad_id)
    _require_role(user, ad.workspace_id, EDIT_ROLES | APPROVE_ROLES, "choose the campaign")
    chosen = Campaign.objects.filter(workspace_id=ad.workspace_id, urn=campaign_urn).first()
    if campaign_urn and chosen is None:
        raise ValidationError("Choose one of the ad account's campaigns.")
    if chosen is not None and chosen.format and chosen.format != CAMPAIGN_FORMATS.get(ad.kind, chosen.format):
        # LinkedIn refuses a message ad's creative in a conversation campaign, and the other way round.
        raise ValidationError(
            f"“{chosen.name}” is a {FORMAT_NAMES.get(chosen.format, chosen.format)} campaign; "
            f"this {ad.get_kind_display().lower()} needs a {FORMAT_NAMES[CAMPAIGN_FORMATS[ad.kind]]} campaign."
        )
    if ad.state == State.LIVE:
        raise ValidationError("A live ad stays in its campaign.")
    link, _ = AdLinkedIn.objects.get_or_create(ad=ad)
    link.campaign_urn = campaign_urn
    link.save(update_fields=["campaign_urn"])
    if campaign_urn and ad.state == State.APPROVED:
        # The approval was waiting for a campaign: sync now.
        from inmail_studio.review.selectors import approved_revision_for

        revision = approved_revision_for(ad)
        if revision is not None:
            sync_queue(ad_id=ad.pk, revision_id=revision.pk, actor=user)
    return link
