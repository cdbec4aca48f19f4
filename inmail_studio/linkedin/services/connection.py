"""Connecting a workspace to LinkedIn: storing and refreshing tokens, disconnecting, scopes, the client."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from inmail_studio.accounts.models import ADMIN_ROLES, User, Workspace
from inmail_studio.ads.models import Ad
from inmail_studio.linkedin import restli
from inmail_studio.linkedin.client import (
    SCOPES,
    Call,
    LinkedIn,
    OAuth,
    Rejected,
    Secret,
    TokenGrant,
    Transient,
    Unauthorized,
)
from inmail_studio.linkedin.models import (
    AdLinkedIn,
    ConnectionAction,
    ConnectionEvent,
    ConnectionStatus,
    LinkedInConnection,
)
from inmail_studio.linkedin.services.common import NotConnected, _require_role

log = logging.getLogger(__name__)


def _urn_of(kind: str, entity: dict[str, Any]) -> str:
    raw = str(entity.get("id", ""))
    return raw if raw.startswith("urn:") else kind.format(raw)


@sensitive_variables("grant")
def _grant_keep(connection: LinkedInConnection, grant: TokenGrant, *, now: datetime) -> None:
    """Put a grant's tokens on the connection (not saved). A grant without a refresh token keeps the
    one the connection has; one without a refresh lifetime keeps the connection's refresh expiry."""
    connection.set_tokens(
        access=grant.access_token,
        expires_at=now + timedelta(seconds=grant.expires_in),
        refresh=grant.refresh_token,
        refresh_expires_at=(
            now + timedelta(seconds=grant.refresh_token_expires_in)
            if grant.refresh_token_expires_in
            else connection.refresh_expires_at
        ),
    )


@sensitive_variables("grant")
def connection_store(
    *, workspace: Workspace, admin: User, grant: TokenGrant, ip: str | None = None
) -> LinkedInConnection:
    """Keep the tokens of a fresh OAuth grant (encrypted) as the workspace's connection.

    Who the member is comes from OpenID Connect's userinfo (contract R06) when the grant holds
    openid; /rest/me needs r_basicprofile, which the app does not ask for.
    """
    _require_role(admin, workspace.pk, ADMIN_ROLES, "connect LinkedIn")
    now = timezone.now()
    connection = LinkedInConnection.objects.filter(workspace=workspace).first() or LinkedInConnection(
        workspace=workspace
    )
    connection.refresh_token_ciphertext = ""
    connection.refresh_expires_at = None
    _grant_keep(connection, grant, now=now)
    connection.scopes = " ".join(grant.scopes)
    connection.status = ConnectionStatus.ACTIVE
    connection.status_detail = ""
    connection.connected_by = admin
    connection.connected_at = now
    connection.member_name, connection.member_urn = admin.display_name, ""
    member = member_identify(grant.access_token, grant.scopes)
    if member is not None:
        connection.member_urn, name = member
        connection.member_name = (name or connection.member_name)[:200]
    with transaction.atomic():
        connection.save()
        ConnectionEvent.objects.create(
            workspace=workspace,
            actor=admin,
            action=ConnectionAction.CONNECTED,
            member_urn=connection.member_urn,
            detail=f"Granted: {connection.scopes or '(no scopes)'}",
            ip=ip,
        )
    return connection


@sensitive_variables("token")
def member_identify(token: Secret, scopes: Iterable[str]) -> tuple[str, str] | None:
    """(urn:li:person:{sub}, name) from OpenID Connect's userinfo, or None without openid or on failure."""
    if "openid" not in set(scopes):
        return None
    try:
        info = LinkedIn(token=token).userinfo()
    except (Transient, Rejected):
        return None
    sub = str(info.get("sub") or "")
    if not sub:
        return None
    urn = sub if sub.startswith("urn:") else f"urn:li:person:{sub}"
    name = str(info.get("name") or f"{info.get('given_name', '')} {info.get('family_name', '')}").strip()
    return urn, name


@dataclass(frozen=True)
class Disconnected:
    """What disconnecting did: which tokens LinkedIn revoked, and why any could not be."""

    revoked: tuple[str, ...]
    failed: tuple[str, ...]

    @property
    def message(self) -> str:
        if not self.failed:
            both = " and ".join(self.revoked) if self.revoked else "no"
            return (
                f"LinkedIn is disconnected: LinkedIn revoked the {both} token{'s' if len(self.revoked) > 1 else ''}, "
                "so they no longer work anywhere, and they are deleted here."
            )
        return (
            "LinkedIn is disconnected and its tokens are deleted here, but LinkedIn did not confirm revoking "
            f"them ({'; '.join(self.failed)}). Remove InMail Studio under LinkedIn's Settings › Data privacy "
            "› Permitted services to be sure they stop working."
        )


@sensitive_variables("access", "refresh")
def connection_disconnect(*, workspace_id: int, admin: User, ip: str | None = None) -> Disconnected:
    """Revoke both tokens at LinkedIn (contract R05), delete the connection, record who did it.

    The tokens are deleted here even when LinkedIn can't be reached; the answer says so.
    """
    _require_role(admin, workspace_id, ADMIN_ROLES, "disconnect LinkedIn")
    connection = LinkedInConnection.objects.filter(workspace_id=workspace_id).first()
    if connection is None:
        return Disconnected(revoked=(), failed=())
    access, refresh = connection.access_token, connection.refresh_token
    revoked: list[str] = []
    failed: list[str] = []
    oauth = OAuth()
    for kind, token in (("refresh", refresh), ("access", access)):
        if token is None:
            continue
        try:
            oauth.revoke(token=token)
        except (Transient, Rejected) as error:
            failed.append(f"{kind} token: {error.explain()}")
        else:
            revoked.append(kind)
    with transaction.atomic():
        member_urn = connection.member_urn
        LinkedInConnection.objects.filter(pk=connection.pk).delete()
        ConnectionEvent.objects.create(
            workspace_id=workspace_id,
            actor=admin,
            action=ConnectionAction.DISCONNECTED,
            member_urn=member_urn,
            detail=(
                f"Revoked at LinkedIn: {', '.join(revoked) or 'none'}."
                + (f" Not revoked: {'; '.join(failed)}" if failed else "")
            )[:1000],
            ip=ip,
        )
    return Disconnected(revoked=tuple(revoked), failed=tuple(failed))


# The scopes each feature needs (contract: the scope column of the rows it calls).
FEATURE_SCOPES: dict[str, tuple[str, str]] = {
    "rw_ads": ("sync, test send and launch", "creating and changing ads"),
    "r_ads": ("reading campaigns and senders", "reading the ad account"),
    "r_ads_reporting": ("results", "reading results (ad analytics)"),
    "openid": ("test-send recipient", "knowing which member is connected"),
    "profile": ("member name", "showing the connected member's name"),
}


def missing_scopes(connection: LinkedInConnection | None) -> list[str]:
    """The scopes the app asks for (client.SCOPES) that this connection was not granted."""
    if connection is None or not connection.scopes.strip():
        return []  # nothing recorded: unknown, not missing (the readiness check asks LinkedIn)
    granted = set(connection.scopes.replace(",", " ").split())
    return [scope for scope in SCOPES if scope not in granted]


def feature_unavailable(workspace_id: int, scope: str) -> str:
    """Why a feature that needs `scope` can't run for this workspace, or "" when it can."""
    connection = LinkedInConnection.objects.filter(workspace_id=workspace_id).first()
    if connection is None or scope not in missing_scopes(connection):
        return ""
    what = FEATURE_SCOPES.get(scope, (scope, scope))[1]
    return (
        f"LinkedIn wasn't asked for {scope} ({what}) when this workspace was connected. "
        f"A workspace admin must reconnect LinkedIn to grant {scope}."
    )


def connection_mark(connection: LinkedInConnection, *, status: str, detail: str) -> None:
    LinkedInConnection.objects.filter(pk=connection.pk).update(status=status, status_detail=detail[:300])
    connection.status, connection.status_detail = status, detail[:300]


def token_refresh(*, connection_id: int) -> Secret | None:
    """Swap the refresh token for a new access token; mark the connection when LinkedIn refuses.

    Locked so two workers refreshing at once don't both spend the same refresh token.
    """
    with transaction.atomic():
        connection = LinkedInConnection.objects.select_for_update().get(pk=connection_id)
        if connection.refreshed_at and connection.refreshed_at > timezone.now() - timedelta(seconds=5):
            return connection.access_token  # another worker refreshed it a moment ago
        refresh = connection.refresh_token
        if refresh is None or not connection.can_refresh:
            connection_mark(
                connection,
                status=ConnectionStatus.EXPIRED,
                detail="The LinkedIn token expired; reconnect LinkedIn.",
            )
            return None
        try:
            grant = OAuth().refresh(refresh_token=refresh)
        except Rejected as error:
            connection_mark(
                connection,
                status=ConnectionStatus.REVOKED,
                detail=f"LinkedIn refused to renew the connection ({error.code}); reconnect LinkedIn.",
            )
            return None
        now = timezone.now()
        _grant_keep(connection, grant, now=now)
        connection.refreshed_at = now
        connection.status = ConnectionStatus.ACTIVE
        connection.status_detail = ""
        connection.save()
        return grant.access_token


def tokens_refresh_due() -> int:
    """Refresh every connection whose access token expires within LINKEDIN_REFRESH_AHEAD_SECONDS."""
    horizon = timezone.now() + timedelta(seconds=settings.LINKEDIN_REFRESH_AHEAD_SECONDS)
    refreshed = 0
    for connection in LinkedInConnection.objects.filter(
        status=ConnectionStatus.ACTIVE, expires_at__lte=horizon
    ):
        try:
            if token_refresh(connection_id=connection.pk):
                refreshed += 1
        except Transient:
            log.warning("LinkedIn token refresh for workspace %s failed for now", connection.workspace_id)
    return refreshed


def client_for(
    workspace: Workspace | int,
    *,
    observer: Callable[[Call], None] | None = None,
    before_send: Callable[[], None] | None = None,
) -> LinkedIn:
    """A client authenticated as the workspace's connected member, refreshing the token on a 401."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    connection: LinkedInConnection | None
    if isinstance(workspace, Workspace) and Workspace.linkedin_connection.is_cached(workspace):
        # read with the workspace (select_related): no second query for it
        connection = getattr(workspace, "linkedin_connection", None)
    else:
        connection = LinkedInConnection.objects.filter(workspace_id=workspace_id).first()
    if connection is None or connection.status == ConnectionStatus.REVOKED:
        raise NotConnected("This workspace isn't connected to LinkedIn. A workspace admin must connect it.")
    token = connection.access_token
    if not connection.usable:
        fresh = token_refresh(connection_id=connection.pk)
        if fresh is None:
            raise NotConnected("The LinkedIn connection expired. A workspace admin must reconnect LinkedIn.")
        token = fresh

    def refresh() -> Secret | None:
        return token_refresh(connection_id=connection.pk)

    return LinkedIn(token=token, refresh=refresh, observer=observer, before_send=before_send)


def _note_unauthorized(workspace_id: int, error: Unauthorized) -> None:
    connection = LinkedInConnection.objects.filter(workspace_id=workspace_id).first()
    if connection is not None and connection.status == ConnectionStatus.ACTIVE:
        connection_mark(connection, status=ConnectionStatus.REVOKED, detail=error.explain())


def _account_path(workspace: Workspace, sub: str) -> str:
    if not workspace.ad_account_urn:
        raise NotConnected("Choose the workspace's LinkedIn ad account first.")
    return f"adAccounts/{restli.numeric_id(workspace.ad_account_urn)}/{sub}"


def sync_blocker(ad: Ad) -> str:
    """Why an approved ad can't be synced yet (no connection, no account, no campaign), or ""."""
    connection = LinkedInConnection.objects.filter(workspace_id=ad.workspace_id).first()
    if connection is None or connection.status != ConnectionStatus.ACTIVE:
        return "Connect the workspace to LinkedIn first."
    if "rw_ads" in missing_scopes(connection):
        return feature_unavailable(ad.workspace_id, "rw_ads")
    if not Workspace.objects.filter(pk=ad.workspace_id).exclude(ad_account_urn="").exists():
        return "Choose the workspace's LinkedIn ad account first."
    if not AdLinkedIn.objects.filter(ad_id=ad.pk).exclude(campaign_urn="").exists():
        return "Choose the LinkedIn campaign for this ad first."
    return ""
