"""Writes for the LinkedIn integration: connecting, importing, syncing, test sends and launch.

External calls happen here through `client.LinkedIn` only, never inside a database
transaction that holds a row lock longer than it takes to claim work. Every sync is
a `SyncAttempt` (an outbox row) claimed under a lease, so a duplicate delivery, a
retry after a timeout or a worker killed mid-task can't push the same thing twice.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from inmail_studio.accounts.models import ADMIN_ROLES, APPROVE_ROLES, EDIT_ROLES, Membership, User, Workspace
from inmail_studio.ads.conversation_payloads import (
    TreeNotSyncable,
    first_message_ref,
    message_payloads,
    resolve,
)
from inmail_studio.ads.models import Ad, Kind, Revision, Sender, SenderPermission, State
from inmail_studio.dispatch import dispatch

from . import payloads, restli
from .client import SCOPES, Call, LinkedIn, OAuth, Rejected, Secret, TokenGrant, Transient, Unauthorized
from .models import (
    OPEN_STATUSES,
    TEST_SEND_OPEN,
    AdLinkedIn,
    AttemptKind,
    AttemptStatus,
    Campaign,
    ConnectionAction,
    ConnectionEvent,
    ConnectionStatus,
    ConversationStatus,
    LinkedInConnection,
    LinkedInConversation,
    SyncAttempt,
    SyncCall,
    TestSend,
    TestSendStatus,
)
from .selectors import CAMPAIGN_FORMATS, FORMAT_NAMES

log = logging.getLogger(__name__)

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


# --- connection and tokens -------------------------------------------------------------


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


def client_for(workspace: Workspace | int, *, observer: Callable[[Call], None] | None = None) -> LinkedIn:
    """A client authenticated as the workspace's connected member, refreshing the token on a 401."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
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

    return LinkedIn(token=token, refresh=refresh, observer=observer)


def _note_unauthorized(workspace_id: int, error: Unauthorized) -> None:
    connection = LinkedInConnection.objects.filter(workspace_id=workspace_id).first()
    if connection is not None and connection.status == ConnectionStatus.ACTIVE:
        connection_mark(connection, status=ConnectionStatus.REVOKED, detail=error.explain())


# --- accounts, campaigns, senders -----------------------------------------------------


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


def _account_path(workspace: Workspace, sub: str) -> str:
    if not workspace.ad_account_urn:
        raise NotConnected("Choose the workspace's LinkedIn ad account first.")
    return f"adAccounts/{restli.numeric_id(workspace.ad_account_urn)}/{sub}"


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


# --- sync ----------------------------------------------------------------------------


def _due_now(model: type[SyncAttempt] | type[TestSend], pk: int) -> Callable[[], None]:
    """After a failed send to the broker: the row is due at once, so beat sends it when the broker is back."""

    def mark() -> None:
        model.objects.filter(pk=pk).update(lease_until=timezone.now())

    return mark


def _dispatch_sync(attempt_id: int) -> bool:
    """Send the attempt's task (a sync or a launch); never raises for a broker that is down."""
    from .tasks import sync_attempt_task

    return dispatch(sync_attempt_task, attempt_id, on_failure=_due_now(SyncAttempt, attempt_id))


def _dispatch_test_send(test_send_id: int) -> bool:
    from .tasks import test_send_task

    return dispatch(test_send_task, test_send_id, on_failure=_due_now(TestSend, test_send_id))


def _queued_deadline(now: datetime) -> datetime:
    """When a queued job whose message hasn't been taken counts as lost (its message is sent again)."""
    return now + timedelta(seconds=settings.OUTBOX_QUEUED_GRACE_SECONDS)


def retry_countdown(tries: int) -> float:
    """Seconds before the next try: exponential (2, 4, 8 … s) up to the maximum, with full jitter."""
    ceiling = min(float(settings.LINKEDIN_SYNC_RETRY_BACKOFF_MAX), 2.0**tries)
    return random.uniform(min(1.0, ceiling), ceiling)  # noqa: S311 - jitter, not a secret


class RetryLater(Exception):
    """The job met a transient error and stored when it retries; the task sends itself again then."""

    def __init__(self, error: Transient, countdown: float) -> None:
        super().__init__(str(error))
        self.error, self.countdown = error, countdown


def sync_queue(*, ad_id: int, revision_id: int, actor: User | None = None) -> SyncAttempt | None:
    """Queue the sync of an approved revision; the task is sent after commit.

    Called by the review workflow after an approval commits (actor None) and by the
    "Retry" button. Returns None when the revision is no longer the approved one or a
    sync of the ad is already under way.
    """
    from inmail_studio.review import workflow
    from inmail_studio.review.selectors import approved_revision_for

    with transaction.atomic():
        ad = Ad.objects.select_for_update().get(pk=ad_id)
        if actor is not None:
            _require_role(actor, ad.workspace_id, EDIT_ROLES | APPROVE_ROLES, "sync ads")
        revision = approved_revision_for(ad)
        if revision is None or revision.pk != revision_id:
            return None
        if ad.state not in (State.APPROVED, State.SYNC_FAILED):
            return None
        if SyncAttempt.objects.filter(ad=ad, status__in=OPEN_STATUSES).exists():
            return None
        if sync_blocker(ad):
            return None  # stays approved; the panel says what's missing and offers "Sync to LinkedIn"
        workflow.move(ad, State.SYNCING, actor=actor, revision=revision, note="Sync to LinkedIn queued.")
        now = timezone.now()
        attempt = SyncAttempt.objects.create(
            ad=ad,
            revision=revision,
            revision_hash=revision.content_hash,
            requested_by=actor,
            queued_at=now,
            lease_until=_queued_deadline(now),
        )
        transaction.on_commit(partial(_dispatch_sync, attempt.pk))
    return attempt


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


def sync_request(*, ad_id: int, user: User) -> SyncAttempt:
    """ "Sync to LinkedIn" on an approved ad that isn't synced yet, or "Retry" after a failed sync."""
    from inmail_studio.review.selectors import approved_revision_for

    ad = Ad.objects.get(pk=ad_id)
    _require_role(user, ad.workspace_id, EDIT_ROLES | APPROVE_ROLES, "sync ads")
    revision = approved_revision_for(ad)
    if ad.state not in (State.APPROVED, State.SYNC_FAILED) or revision is None:
        raise SyncRefused("Only an approved ad that isn't on LinkedIn yet can be synced.")
    blocker = sync_blocker(ad)
    if blocker:
        raise SyncRefused(blocker)
    attempt = sync_queue(ad_id=ad.pk, revision_id=revision.pk, actor=user)
    if attempt is None:
        raise SyncRefused("A sync of this ad is already under way.")
    return attempt


def _claim(attempt_id: int, holder: str) -> SyncAttempt | None:
    """Take the attempt for this worker under a lease, or None if it is done, someone else holds it,
    or it is a duplicate that came before its retry is due."""
    now = timezone.now()
    with transaction.atomic():
        attempt = (
            # Only the attempt's row: locking the ad too would hold up its editor while a worker claims.
            SyncAttempt.objects.select_for_update(of=("self",))
            .select_related("ad", "revision")
            .filter(pk=attempt_id)
            .first()
        )
        if attempt is None or attempt.status not in OPEN_STATUSES:
            return None
        if attempt.status == AttemptStatus.INFLIGHT and attempt.lease_until and attempt.lease_until > now:
            return None  # a duplicate delivery while another worker holds it
        if (
            attempt.status == AttemptStatus.AWAITING_RETRY
            and attempt.retry_at
            and attempt.retry_at > now + timedelta(seconds=1)
        ):
            return None  # early (a duplicate): the retry's own message, or beat, runs it when it is due
        attempt.status = AttemptStatus.INFLIGHT
        attempt.tries += 1
        attempt.holder = holder[:200]
        attempt.lease_until = now + timedelta(seconds=settings.LINKEDIN_SYNC_LEASE_SECONDS)
        attempt.started_at = attempt.started_at or now
        attempt.save(update_fields=["status", "tries", "holder", "lease_until", "started_at"])
    return attempt


class _Heartbeat:
    """Extends the lease of a job while its worker is alive, at most every third of the lease.

    Called before each step and after each HTTP exchange, so a live worker's lease never runs
    out (one exchange is at most the connect plus read timeouts, well inside a lease) while a
    dead worker's does within one lease.
    """

    def __init__(self, model: type[SyncAttempt] | type[TestSend], pk: int, holder: str, status: str) -> None:
        self.model, self.pk, self.holder, self.status = model, pk, holder[:200], status
        self.last = time.monotonic()

    def __call__(self) -> None:
        lease = settings.LINKEDIN_SYNC_LEASE_SECONDS
        if time.monotonic() - self.last < lease / 3:
            return
        self.last = time.monotonic()
        self.model.objects.filter(pk=self.pk, holder=self.holder, status=self.status).update(
            lease_until=timezone.now() + timedelta(seconds=lease)
        )


class _Ledger:
    """Records every HTTP exchange of an attempt as a SyncCall under the current step.

    Rows are kept in memory and written together (`flush`, at the end of the run or every
    FLUSH_EVERY rows), with the attempt's step and last request id in one update: a row and
    an update per call were most of a sync's own database work.
    """

    FLUSH_EVERY = 20

    def __init__(self, attempt: SyncAttempt) -> None:
        self.attempt = attempt
        self.step = ""
        self.request_id = ""
        self._rows: list[SyncCall] = []
        self._written_step = attempt.step
        self.heartbeat = _Heartbeat(SyncAttempt, attempt.pk, attempt.holder, AttemptStatus.INFLIGHT)

    def enter(self, step: str) -> None:
        self.step = step
        self.heartbeat()

    def __call__(self, call: Call) -> None:
        self.heartbeat()
        if call.request_id:
            self.request_id = call.request_id
        self._add(
            SyncCall(
                attempt=self.attempt,
                step=self.step,
                method=call.method,
                resource=call.resource[:300],
                http_status=call.status,
                request_id=call.request_id,
                duration_ms=call.duration_ms,
                error=call.error,
                at=timezone.now(),
            )
        )

    def note(self, text: str) -> None:
        self._add(SyncCall(attempt=self.attempt, step=self.step, note=text, at=timezone.now()))

    def _add(self, row: SyncCall) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            SyncCall.objects.bulk_create(self._rows)
            self._rows = []
        changed: dict[str, str] = {}
        if self.step and self.step != self._written_step:
            changed["step"] = self._written_step = self.step
        if self.request_id and self.request_id != self.attempt.request_id:
            changed["request_id"] = self.attempt.request_id = self.request_id
        if changed:
            SyncAttempt.objects.filter(pk=self.attempt.pk).update(**changed)


@dataclass
class SyncContext:
    attempt: SyncAttempt
    ad: Ad
    link: AdLinkedIn
    snapshot: dict[str, Any]
    workspace: Workspace
    api: LinkedIn
    ledger: _Ledger


def _step_banner(ctx: SyncContext) -> None:
    """Upload the banner first (initializeUpload, then PUT), unless this very image is on LinkedIn already."""
    banner = ctx.snapshot.get("banner")
    if not banner or ctx.link.image_sha256 == banner["sha256"]:
        return
    from inmail_studio.ads.models import Image

    image = Image.objects.get(pk=banner["id"])
    account = ctx.workspace.ad_account_urn
    owner = image_owner(ctx.api, account, ctx.workspace.pk)
    answer = ctx.api.action(
        "images",
        "initializeUpload",
        payloads.image_upload(owner=owner, account_urn=account, name=image_name(image)),
    )
    with image.file.open("rb") as handle:
        data = handle.read()
    ctx.api.upload(
        answer["uploadUrl"], data, content_type="image/jpeg" if image.format == "JPEG" else "image/png"
    )
    ctx.link.image_urn, ctx.link.image_sha256 = str(answer["image"]), banner["sha256"]
    ctx.link.save(update_fields=["image_urn", "image_sha256"])


def image_owner(api: LinkedIn, account_urn: str, workspace_id: int) -> str:
    """Who owns an ad's image (contract R14): the organization the ad account belongs to (its
    `reference`, R08), else the connected member; the account goes in mediaLibraryMetadata."""
    account = api.get("adAccounts", restli.numeric_id(account_urn))
    reference = str((account or {}).get("reference") or "")
    if reference.startswith(("urn:li:organization:", "urn:li:person:")):
        return reference
    connection = LinkedInConnection.objects.filter(workspace_id=workspace_id).first()
    if connection is not None and connection.member_urn:
        return connection.member_urn
    raise Rejected(
        422,
        "NO_IMAGE_OWNER",
        "LinkedIn names no organization for this ad account and the connected member is unknown; "
        "a workspace admin must reconnect LinkedIn (with openid) before a banner can be uploaded.",
    )


def image_name(image: Any) -> str:
    """The asset name shown in LinkedIn's media library: the name the file was uploaded under."""
    return (str(image.original_name or "") or f"banner-{image.sha256[:12]}")[:200]


def _step_content(ctx: SyncContext) -> None:
    """Create the inMailContent, or bring the existing one to this revision by PARTIAL_UPDATE.

    inMailContents has no finder, so a create whose answer was lost can't be found again:
    it is recorded in the ledger as orphaned (nothing references it) and created anew.
    """
    image_urn = ctx.link.image_urn if ctx.snapshot.get("banner") else None
    account = ctx.workspace.ad_account_urn
    if ctx.link.content_urn:
        ctx.api.partial_update(
            "inMailContents",
            ctx.link.content_urn,
            payloads.content_update(ctx.snapshot, account_urn=account, image_urn=image_urn),
        )
        return
    _create_content(ctx, payloads.content(ctx.snapshot, account_urn=account, image_urn=image_urn))


def _create_content(ctx: SyncContext, body: dict[str, Any]) -> str:
    """Create the inMailContent, keeping track of creates whose answer may have been lost.

    The row is marked uncertain before the call; only a request that left and got no answer
    at all leaves the mark, so the next try notes the possible orphan in the ledger.
    """
    if ctx.link.content_create_uncertain:
        ctx.ledger.note(
            "An earlier create of this ad's message content lost its answer. LinkedIn may hold an "
            "unused copy (orphaned, never referenced by a creative); it is created again."
        )
    AdLinkedIn.objects.filter(pk=ctx.link.pk).update(content_create_uncertain=True)
    try:
        urn = ctx.api.create("inMailContents", body, urn_type="adInMailContent")
    except Transient as error:
        # Only a request that left and got no answer at all may have created something.
        if not (error.sent and error.status is None):
            AdLinkedIn.objects.filter(pk=ctx.link.pk).update(
                content_create_uncertain=ctx.link.content_create_uncertain
            )
        raise
    except Rejected:
        AdLinkedIn.objects.filter(pk=ctx.link.pk).update(
            content_create_uncertain=ctx.link.content_create_uncertain
        )
        raise
    ctx.link.content_urn, ctx.link.content_create_uncertain = urn, False
    ctx.link.save(update_fields=["content_urn", "content_create_uncertain"])
    return urn


def _find_creative(ctx: SyncContext, campaign_urn: str) -> str | None:
    elements = ctx.api.search(
        _account_path(ctx.workspace, "creatives"),
        "criteria",
        {"campaigns": [campaign_urn], "contentReferences": [ctx.link.content_urn]},
    )
    for element in elements:
        if (element.get("content") or {}).get("reference") == ctx.link.content_urn:
            return str(element["id"])
    return None


def _step_creative(ctx: SyncContext) -> None:
    """A DRAFT creative in the chosen campaign, never a second one: look it up before creating."""
    campaign = ctx.link.campaign_urn
    if ctx.link.creative_urn and ctx.link.creative_campaign_urn == campaign:
        return
    urn = _find_creative(ctx, campaign)
    if urn:
        ctx.ledger.note(f"Found the creative {urn} already in the campaign; not creating another.")
    else:
        urn = ctx.api.create(
            _account_path(ctx.workspace, "creatives"),
            payloads.creative(
                campaign_urn=campaign,
                content_urn=ctx.link.content_urn,
                name=payloads.creative_name(ad_id=ctx.ad.pk, ad_name=ctx.snapshot.get("name", "")),
                snapshot=ctx.snapshot,
            ),
            urn_type="sponsoredCreative",
        )
    ctx.link.creative_urn, ctx.link.creative_campaign_urn = urn, campaign
    ctx.link.save(update_fields=["creative_urn", "creative_campaign_urn"])


# --- conversation ads: conversation, messages leaves first, first message, content ---------------
#
# LinkedIn deletes neither conversations nor messages, and `conversationAds` has no finder. So each
# conversation a sync creates is a LinkedInConversation row written *before* the create (status
# "creating") and given its URN the moment LinkedIn answers; each message's URN is written into
# the row as it is learned. A retry reads the row and continues where the last run stopped.


def _conversation_tree(ctx: SyncContext) -> tuple[dict[str, Any], str]:
    """The revision's tree and its hash, or a rejection a marketer can act on (never reaches LinkedIn)."""
    tree = ctx.snapshot.get("tree") or {}
    try:
        return tree, payloads.conversation_tree_hash(tree)
    except TreeNotSyncable as error:
        raise Rejected(
            422, "TREE_NOT_SYNCABLE", f"The conversation can't be sent to LinkedIn: {error}"
        ) from error


def _conversation_current(ctx: SyncContext, tree_hash: str) -> LinkedInConversation | None:
    """The conversation holding this very tree that the sync builds on (None before it is created)."""
    return (
        LinkedInConversation.objects.filter(ad=ctx.ad, tree_hash=tree_hash)
        .exclude(urn="")
        .exclude(status=ConversationStatus.ORPHANED)
        .order_by("-pk")
        .first()
    )


def _conversation_orphan(ctx: SyncContext, record: LinkedInConversation, why: str) -> None:
    LinkedInConversation.objects.filter(pk=record.pk).update(status=ConversationStatus.ORPHANED, note=why)
    ctx.ledger.note(why)


def _step_conversation(ctx: SyncContext) -> None:
    """Create the sponsoredConversation for this tree, unless a conversation with this tree exists.

    A create whose answer was lost can't be looked up (no finder): the row it left is recorded
    as an orphan (LinkedIn may hold an empty, unused conversation) and a new one is created.
    An unfinished conversation of another tree is orphaned too: its messages can't be changed.
    """
    _, tree_hash = _conversation_tree(ctx)
    for record in LinkedInConversation.objects.filter(
        ad=ctx.ad, status__in=[ConversationStatus.CREATING, ConversationStatus.BUILDING]
    ):
        if record.status == ConversationStatus.CREATING:
            _conversation_orphan(
                ctx,
                record,
                "An earlier create of the conversation lost its answer and LinkedIn offers no way to look "
                "conversations up. LinkedIn may hold an empty conversation from it (orphaned: no message, "
                "never referenced by an ad); a new conversation is created.",
            )
        elif record.tree_hash != tree_hash:
            _conversation_orphan(
                ctx,
                record,
                f"The conversation {record.urn} was left unfinished for an earlier revision; it stays on "
                "LinkedIn unused (conversations can't be deleted) and this revision gets its own.",
            )
    if _conversation_current(ctx, tree_hash) is not None:
        return
    record = LinkedInConversation.objects.create(ad=ctx.ad, attempt=ctx.attempt, tree_hash=tree_hash)
    try:
        urn = ctx.api.create(
            "conversationAds",
            payloads.conversation(account_urn=ctx.workspace.ad_account_urn),
            urn_type="sponsoredConversation",
        )
    except Transient as error:
        # Only a request that left and got no answer at all may have created something.
        if not (error.sent and error.status is None):
            record.delete()
        raise
    except Rejected:
        record.delete()
        raise
    LinkedInConversation.objects.filter(pk=record.pk).update(urn=urn, status=ConversationStatus.BUILDING)
    ctx.ledger.note(f"Created the conversation {urn}.")


def _messages_resource(conversation_urn: str) -> str:
    return f"conversationAds/{restli.key(conversation_urn)}/sponsoredMessageContents"


def _messages_on_linkedin(ctx: SyncContext, conversation_urn: str) -> list[dict[str, Any]]:
    """Every message of a conversation (GET_ALL, index paging; contract R33)."""
    return ctx.api.get_all(_messages_resource(conversation_urn))


def _message_urn(conversation_urn: str, value: str) -> str:
    """A message's URN from a batch answer's id, which may be the bare number M."""
    return f"urn:li:sponsoredMessageContent:({conversation_urn},{value})" if value.isdigit() else value


def _lost_and_found(
    on_linkedin: list[dict[str, Any]], body: dict[str, Any], urns: dict[str, str]
) -> str | None:
    """The URN of a message LinkedIn created from `body` whose answer was lost, if it exists.

    Identical messages (two "Thanks!" leaves) are interchangeable, so any match not yet claimed
    by another message of the tree will do.
    """
    wanted = payloads.message_identity(body)
    claimed = set(urns.values())
    for element in on_linkedin:
        urn = str(element.get("id", ""))
        if urn and urn not in claimed and payloads.message_identity(element) == wanted:
            return urn
    return None


def _step_messages(ctx: SyncContext) -> None:
    """Create the messages leaves first, in BATCH_CREATE calls (contract R31): each batch holds the
    messages whose buttons point only at messages LinkedIn already holds.

    The batch in flight is recorded (`pending_ref = "batch:N"`) before the call; when its answer
    was lost, the next try looks each of its messages up among the conversation's messages before
    creating what is still missing, so a retry never leaves duplicates.
    """
    tree, tree_hash = _conversation_tree(ctx)
    record = _conversation_current(ctx, tree_hash)
    if record is None:  # pragma: no cover - the conversation step ran just before
        raise Transient("The conversation isn't created yet.", sent=False)
    if record.status in (ConversationStatus.READY, ConversationStatus.REPLACED):
        return
    names = {m["id"]: m.get("name") or m["id"] for m in tree.get("messages", [])}
    urns: dict[str, str] = dict(record.messages)
    resource = _messages_resource(record.urn)
    for number, batch in enumerate(payloads.message_batches(message_payloads(tree))):
        todo = [item for item in batch if item.ref not in urns]
        if not todo:
            continue
        marker = f"batch:{number}"
        if record.pending_ref == marker:
            on_linkedin = _messages_on_linkedin(ctx, record.urn)
            still = []
            for item in todo:
                found = _lost_and_found(on_linkedin, resolve(item.body, urns), urns)
                if found:
                    urns[item.ref] = found
                    ctx.ledger.note(
                        f"“{names.get(item.ref)}” was created before but its answer was lost; found it as "
                        f"{found}, not creating another."
                    )
                else:
                    still.append(item)
            record.messages = urns
            record.save(update_fields=["messages"])
            todo = still
            if not todo:
                LinkedInConversation.objects.filter(pk=record.pk).update(pending_ref="")
                record.pending_ref = ""
                continue
        bodies = [resolve(item.body, urns) for item in todo]
        record.pending_ref = marker
        record.save(update_fields=["pending_ref"])
        try:
            created = ctx.api.batch_create(resource, bodies)
        except Transient as error:
            if not (error.sent and error.status is None):
                LinkedInConversation.objects.filter(pk=record.pk).update(pending_ref="")
            raise
        except Rejected:
            LinkedInConversation.objects.filter(pk=record.pk).update(pending_ref="")
            raise
        for item, value in zip(todo, created, strict=True):
            urns[item.ref] = _message_urn(record.urn, value)
            ctx.ledger.note(f"Created “{names.get(item.ref)}” ({item.ref}) as {urns[item.ref]}.")
        record.messages, record.pending_ref = urns, ""
        record.save(update_fields=["messages", "pending_ref"])


def _step_first_message(ctx: SyncContext) -> None:
    """Point the conversation at its first message (PARTIAL_UPDATE, harmless to repeat); it is then ready."""
    tree, tree_hash = _conversation_tree(ctx)
    record = _conversation_current(ctx, tree_hash)
    if record is None or record.status in (ConversationStatus.READY, ConversationStatus.REPLACED):
        return
    first_urn = record.messages[first_message_ref(tree)]
    if record.first_message_urn != first_urn:
        ctx.api.partial_update("conversationAds", record.urn, {"firstMessageContent": first_urn})
    LinkedInConversation.objects.filter(pk=record.pk).update(
        first_message_urn=first_urn, status=ConversationStatus.READY
    )


def _step_conversation_content(ctx: SyncContext) -> None:
    """Create the inMailContent whose guidedReplies hold the conversation, or point the existing one at it.

    As for message ads, a create whose answer was lost can't be found again (no finder): it is
    recorded as orphaned and created anew. Once the content points at this conversation, any
    earlier one is recorded as replaced (it stays on LinkedIn, unused).
    """
    _, tree_hash = _conversation_tree(ctx)
    record = _conversation_current(ctx, tree_hash)
    if record is None:  # pragma: no cover - the conversation step ran just before
        raise Transient("The conversation isn't created yet.", sent=False)
    image_urn = ctx.link.image_urn if ctx.snapshot.get("banner") else None
    account = ctx.workspace.ad_account_urn
    if ctx.link.content_urn:
        ctx.api.partial_update(
            "inMailContents",
            ctx.link.content_urn,
            payloads.conversation_content_update(
                ctx.snapshot, account_urn=account, conversation_urn=record.urn, image_urn=image_urn
            ),
        )
    else:
        urn = _create_content(
            ctx,
            payloads.conversation_content(
                ctx.snapshot, account_urn=account, conversation_urn=record.urn, image_urn=image_urn
            ),
        )
        ctx.ledger.note(f"Created the message content {urn} for the conversation {record.urn}.")
    if record.status == ConversationStatus.REPLACED:  # an earlier tree came back: its conversation is reused
        LinkedInConversation.objects.filter(pk=record.pk).update(
            status=ConversationStatus.READY, replaced_at=None
        )
    earlier = list(
        LinkedInConversation.objects.filter(ad=ctx.ad, status=ConversationStatus.READY).exclude(pk=record.pk)
    )
    for old in earlier:
        LinkedInConversation.objects.filter(pk=old.pk).update(
            status=ConversationStatus.REPLACED, replaced_at=timezone.now()
        )
        ctx.ledger.note(
            f"The ad now uses the conversation {record.urn}; the earlier {old.urn} stays on LinkedIn "
            "unused (LinkedIn can't delete conversations or messages)."
        )


# The steps of a sync, per kind of ad, in order. Each is idempotent given what AdLinkedIn records.
STEPS: dict[str, tuple[tuple[str, Callable[[SyncContext], None]], ...]] = {
    Kind.MESSAGE: (("banner", _step_banner), ("content", _step_content), ("creative", _step_creative)),
    Kind.CONVERSATION: (
        ("banner", _step_banner),
        ("conversation", _step_conversation),
        ("messages", _step_messages),
        ("first_message", _step_first_message),
        ("content", _step_conversation_content),
        ("creative", _step_creative),
    ),
}


def _finish(attempt_id: int, *, status: str, error: str = "", code: str = "") -> None:
    SyncAttempt.objects.filter(pk=attempt_id).update(
        status=status,
        error=error,
        error_code=code,
        finished_at=timezone.now(),
        lease_until=None,
        retry_at=None,
    )


# Each kind of job: the state the ad is in while it runs, where it goes on success, and on failure.
JOB_STATES: dict[str, tuple[State, State, State]] = {
    AttemptKind.SYNC: (State.SYNCING, State.SYNCED, State.SYNC_FAILED),
    AttemptKind.LAUNCH: (State.LAUNCHING, State.LIVE, State.TESTED),
}


def _fail(attempt: SyncAttempt, *, message: str, code: str) -> None:
    """The attempt fails and the ad leaves its working state in one transaction, so a crash between
    the two writes can't leave the ad "syncing" (or "launching") with nothing doing it."""
    from inmail_studio.review import workflow

    working, _, failed = JOB_STATES[attempt.kind]
    with transaction.atomic():
        _finish(attempt.pk, status=AttemptStatus.FAILED, error=message, code=code)
        ad = Ad.objects.select_for_update().get(pk=attempt.ad_id)
        if ad.state == working:
            workflow.move(ad, failed, actor=None, revision=attempt.revision, note=message)


def _succeed(attempt: SyncAttempt, *, note: str, link: AdLinkedIn | None = None) -> None:
    from inmail_studio.review import workflow

    working, done, _ = JOB_STATES[attempt.kind]
    with transaction.atomic():
        ad = Ad.objects.select_for_update().get(pk=attempt.ad_id)
        if link is not None:
            AdLinkedIn.objects.filter(pk=link.pk).update(
                synced_hash=attempt.revision_hash, synced_at=timezone.now()
            )
        _finish(attempt.pk, status=AttemptStatus.DONE)
        if ad.state == working:
            workflow.move(ad, done, actor=None, revision=attempt.revision, note=note)


def _retry_or_give_up(attempt: SyncAttempt, error: Transient) -> None:
    """Store when the attempt tries again (its own deadline) and raise RetryLater for the task, or,
    after the last try, fail it so the panel shows why and a Retry button."""
    if attempt.tries > settings.LINKEDIN_SYNC_MAX_RETRIES:
        _fail(
            attempt,
            message=f"LinkedIn kept failing after {attempt.tries} tries: {error.explain()}",
            code="GAVE_UP",
        )
        return
    countdown = retry_countdown(attempt.tries)
    retry_at = timezone.now() + timedelta(seconds=countdown)
    SyncAttempt.objects.filter(pk=attempt.pk, status=AttemptStatus.INFLIGHT).update(
        status=AttemptStatus.AWAITING_RETRY,
        error=error.explain(),
        retry_at=retry_at,
        # Should the retry's message be lost (its worker killed), beat sends it again after this.
        lease_until=retry_at + timedelta(seconds=settings.OUTBOX_QUEUED_GRACE_SECONDS),
        holder="",
    )
    raise RetryLater(error, countdown)


def _refusal(ad: Ad, error: Rejected | NotConnected) -> tuple[str, str]:
    if isinstance(error, Unauthorized):
        _note_unauthorized(ad.workspace_id, error)
    if isinstance(error, Rejected):
        return error.explain(), error.code
    return str(error), "NOT_CONNECTED"


def sync_run(*, attempt_id: int, holder: str = "in-process") -> None:
    """Do the work of a queued attempt (a sync, or a launch). Raises RetryLater for the task to retry.

    Safe to call twice or after a crash: the claim ignores finished attempts, live leases and
    early duplicates, and each step skips what AdLinkedIn says LinkedIn already holds.
    """
    from inmail_studio.review.selectors import approved_revision_for

    attempt = _claim(attempt_id, holder)
    if attempt is None:
        return
    if attempt.kind == AttemptKind.LAUNCH:
        _launch_run(attempt)
        return
    ad = Ad.objects.select_related("workspace").get(pk=attempt.ad_id)
    approved = approved_revision_for(ad)
    if approved is None or approved.pk != attempt.revision_id or ad.state != State.SYNCING:
        _finish(attempt.pk, status=AttemptStatus.SKIPPED, error="The revision is no longer the approved one.")
        return
    ledger = _Ledger(attempt)
    link, _ = AdLinkedIn.objects.get_or_create(ad=ad)
    try:
        if not link.campaign_urn:
            raise Rejected(422, "NO_CAMPAIGN", "Choose the LinkedIn campaign for this ad, then retry.")
        ctx = SyncContext(
            attempt=attempt,
            ad=ad,
            link=link,
            snapshot=attempt.revision.snapshot,
            workspace=ad.workspace,
            api=client_for(ad.workspace, observer=ledger),
            ledger=ledger,
        )
        for name, step in STEPS[ad.kind]:
            ledger.enter(name)
            step(ctx)
    except Transient as error:
        ledger.flush()
        _retry_or_give_up(attempt, error)
        return
    except (Rejected, NotConnected) as error:
        ledger.flush()
        message, code = _refusal(ad, error)
        _fail(attempt, message=message, code=code)
        return
    ledger.flush()
    _succeed(attempt, note="Synced to LinkedIn.", link=link)


def _launch_run(attempt: SyncAttempt) -> None:
    """Set the synced creative ACTIVE. Idempotent: a creative LinkedIn already shows ACTIVE (an earlier
    try whose answer was lost) is success without a second PATCH."""
    from inmail_studio.review.selectors import approved_revision_for

    ad = Ad.objects.select_related("workspace").get(pk=attempt.ad_id)
    approved = approved_revision_for(ad)
    if approved is None or approved.pk != attempt.revision_id or ad.state != State.LAUNCHING:
        _finish(attempt.pk, status=AttemptStatus.SKIPPED, error="The ad is no longer waiting to launch.")
        return
    link = AdLinkedIn.objects.filter(ad=ad).first()
    ledger = _Ledger(attempt)
    ledger.enter("launch")
    try:
        if link is None or not link.creative_urn or link.synced_hash != attempt.revision_hash:
            raise Rejected(
                409, "NOT_SYNCED", "The approved revision isn't on LinkedIn; sync it, then launch."
            )
        api = client_for(ad.workspace, observer=ledger)
        creatives = _account_path(ad.workspace, "creatives")
        creative = api.get(creatives, link.creative_urn)
        if isinstance(creative, dict) and creative.get("intendedStatus") == "ACTIVE":
            ledger.note("The creative is already ACTIVE on LinkedIn (an earlier try's answer was lost).")
        else:
            api.partial_update(creatives, link.creative_urn, {"intendedStatus": "ACTIVE"})
    except Transient as error:
        ledger.flush()
        _retry_or_give_up(attempt, error)
        return
    except (Rejected, NotConnected) as error:
        ledger.flush()
        message, code = _refusal(ad, error)
        _fail(attempt, message=f"Not launched: {message}", code=code)
        return
    ledger.flush()
    _succeed(attempt, note="Launched on LinkedIn (creative ACTIVE).")


def sync_give_up(*, attempt_id: int, error: str) -> None:
    """The task died on something unexpected: the attempt fails with a Retry button, never stays open."""
    attempt = SyncAttempt.objects.select_related("revision").filter(pk=attempt_id).first()
    if attempt is None or attempt.status not in OPEN_STATUSES:
        return
    log.error("%s of ad %s stopped on an unexpected error: %s", attempt.kind, attempt.ad_id, error)
    _fail(
        attempt,
        message=f"The {attempt.get_kind_display().lower()} stopped on an unexpected error; retry it.",
        code="UNEXPECTED",
    )


def _release_dead_incarnations(worker: str, now: datetime) -> None:
    """A worker starting under a name (`celery@host`) takes back the leases an earlier process of that
    name held: that process is dead (Celery runs one node of a name at a time)."""
    name = worker.partition("/")[0]
    earlier = Q(holder__startswith=f"{name}/") & ~Q(holder=worker)
    gone = now - timedelta(seconds=1)
    SyncAttempt.objects.filter(earlier, status=AttemptStatus.INFLIGHT).update(lease_until=gone)
    TestSend.objects.filter(earlier, status=TestSendStatus.SENDING).update(lease_until=gone)


def requeue_stuck(*, worker: str = "") -> int:
    """Send again every job whose own deadline passed (beat runs this every few seconds), and mend
    ads whose state claims work that no open attempt is doing.

    `worker` is set when a worker starts (the `worker_ready` signal): it takes back what its dead
    predecessor held, and every queued job is sent again at once, since its message may have been
    reserved by that predecessor. Duplicates are harmless: the claim lets one worker in, once.
    """
    now = timezone.now()
    if worker:
        _release_dead_incarnations(worker, now)
    overdue = Q(lease_until__lt=now) | Q(lease_until__isnull=True)
    attempts = SyncAttempt.objects.filter(status__in=OPEN_STATUSES).filter(
        overdue | Q(status=AttemptStatus.QUEUED) if worker else overdue
    )
    attempt_ids = list(attempts.values_list("pk", flat=True))
    # A lease that ran out is a dead worker's: the attempt is queued again.
    SyncAttempt.objects.filter(pk__in=attempt_ids, status=AttemptStatus.INFLIGHT, lease_until__lt=now).update(
        status=AttemptStatus.QUEUED, holder=""
    )
    _test_sends_settle_dead(now)
    sends = TestSend.objects.filter(status=TestSendStatus.QUEUED).filter(
        overdue | Q(retry_at__lte=now) | Q(retry_at__isnull=True) if worker else overdue
    )
    send_ids = list(sends.values_list("pk", flat=True))
    jobs = [(SyncAttempt, pk, _dispatch_sync) for pk in attempt_ids] + [
        (TestSend, pk, _dispatch_test_send) for pk in send_ids
    ]
    sent = 0
    for model, pk, send in jobs:
        # A fresh deadline first, so the next tick doesn't send it again while its message waits.
        model.objects.filter(pk=pk).update(lease_until=_queued_deadline(now))
        if not send(pk):
            # Broker down (logged, and this row is due again): the rest wait for the next tick.
            break
        sent += 1
    repaired = repair_orphaned_states()
    if jobs or repaired:
        log.info(
            "Outbox: sent %d of %d due LinkedIn jobs and test sends again, mended %d ads%s",
            sent,
            len(jobs),
            repaired,
            f" (worker {worker} started)" if worker else "",
        )
    return sent


def repair_orphaned_states() -> int:
    """Ads "syncing" or "launching" with no open attempt (a crash of an older version between the
    attempt's end and the ad's move, or a row removed by hand) go where a failed job leaves them,
    with a Retry button, instead of waiting forever."""
    from inmail_studio.review import workflow

    open_jobs = SyncAttempt.objects.filter(status__in=OPEN_STATUSES).values("ad_id")
    mended = 0
    for ad_id in (
        Ad.objects.filter(state__in=list(workflow.WORK_STATES))
        .exclude(pk__in=open_jobs)
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            ad = Ad.objects.select_for_update().get(pk=ad_id)
            working = State(ad.state)
            if (
                working not in workflow.WORK_STATES
                or SyncAttempt.objects.filter(ad=ad, status__in=OPEN_STATUSES).exists()
            ):
                continue
            revision = ad.current_revision or Revision.objects.filter(ad=ad).order_by("-number").first()
            if revision is None:  # pragma: no cover - an ad in a LinkedIn state always has a revision
                continue
            doing = "sync" if working == State.SYNCING else "launch"
            workflow.move(
                ad,
                workflow.WORK_STATES[working],
                actor=None,
                revision=revision,
                note=f"The {doing} stopped without finishing (nothing was working on it any more); retry it.",
            )
            mended += 1
    return mended


def job_retry_now(*, ad_id: int, user: User) -> SyncAttempt:
    """ "Retry now" on a sync or launch that waits (for its retry, or for a broker that was down)."""
    ad = Ad.objects.get(pk=ad_id)
    _require_role(user, ad.workspace_id, EDIT_ROLES | APPROVE_ROLES, "sync ads")
    now = timezone.now()
    with transaction.atomic():
        attempt = SyncAttempt.objects.select_for_update().filter(ad=ad, status__in=OPEN_STATUSES).first()
        if attempt is None:
            raise SyncRefused("Nothing is waiting for LinkedIn on this ad.")
        if attempt.kind == AttemptKind.LAUNCH:
            _require_role(user, ad.workspace_id, APPROVE_ROLES, "launch ads")
        if attempt.status == AttemptStatus.INFLIGHT and attempt.lease_until and attempt.lease_until > now:
            raise SyncRefused("LinkedIn is being called for this ad right now.")
        SyncAttempt.objects.filter(pk=attempt.pk).update(
            status=AttemptStatus.QUEUED if attempt.status == AttemptStatus.INFLIGHT else attempt.status,
            retry_at=now if attempt.retry_at else None,
            lease_until=_queued_deadline(now),
        )
        transaction.on_commit(partial(_dispatch_sync, attempt.pk))
    return attempt


def sync_or_retry(*, ad_id: int, user: User) -> SyncAttempt:
    """The panel's Retry button: a waiting job is retried now, a failed or waiting sync is queued."""
    if SyncAttempt.objects.filter(ad_id=ad_id, status__in=OPEN_STATUSES).exists():
        return job_retry_now(ad_id=ad_id, user=user)
    return sync_request(ad_id=ad_id, user=user)


# --- test send and launch ----------------------------------------------------------------


def test_sends_today(ad: Ad) -> int:
    start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    return TestSend.objects.filter(ad=ad, created_at__gte=start).count()


def test_send_request(*, ad_id: int, user: User) -> TestSend:
    """Queue a `sendTestInMail` of the synced revision, within the daily limit per ad.

    A test still queued (waiting for its retry, or for a broker that was down) is sent now
    instead of a second one being added.
    """
    from inmail_studio.review.selectors import approved_revision_for

    now = timezone.now()
    with transaction.atomic():
        ad = Ad.objects.select_for_update().get(pk=ad_id)
        _require_role(user, ad.workspace_id, EDIT_ROLES | APPROVE_ROLES, "send test messages")
        if ad.state not in (State.SYNCED, State.TESTED):
            raise SyncRefused("Only a synced ad can be sent as a test.")
        revision = approved_revision_for(ad)
        link = AdLinkedIn.objects.filter(ad=ad).first()
        if (
            revision is None
            or link is None
            or link.synced_hash != revision.content_hash
            or not link.creative_urn
        ):
            raise SyncRefused("The approved revision isn't on LinkedIn yet; sync it first.")
        waiting = TestSend.objects.filter(ad=ad, status__in=TEST_SEND_OPEN).first()
        if waiting is not None:
            if waiting.status == TestSendStatus.SENDING:
                raise SyncRefused("A test message is already on its way.")
            TestSend.objects.filter(pk=waiting.pk).update(retry_at=None, lease_until=_queued_deadline(now))
            transaction.on_commit(partial(_dispatch_test_send, waiting.pk))
            return waiting
        limit = settings.LINKEDIN_TEST_SENDS_PER_DAY
        if test_sends_today(ad) >= limit:
            raise SyncRefused(f"This ad has had its {limit} test messages for today; try again tomorrow.")
        connection = LinkedInConnection.objects.filter(workspace_id=ad.workspace_id).first()
        send = TestSend.objects.create(
            ad=ad,
            revision=revision,
            revision_hash=revision.content_hash,
            requested_by=user,
            recipient_urn=connection.member_urn if connection else "",
            created_at=now,
            lease_until=_queued_deadline(now),
        )
        transaction.on_commit(partial(_dispatch_test_send, send.pk))
    return send


POSSIBLY_SENT = (
    "LinkedIn may have delivered this test ({why}), and LinkedIn offers no way to ask whether it "
    "arrived, so it is not sent again by itself. Look in the inbox of the connected member: if it "
    "is there, say so; if not, send it again."
)


def _settle_uncertain(send_id: int, *, why: str) -> None:
    TestSend.objects.filter(pk=send_id).update(
        status=TestSendStatus.UNCERTAIN,
        error=POSSIBLY_SENT.format(why=why),
        finished_at=timezone.now(),
        lease_until=None,
        retry_at=None,
    )


def _test_sends_settle_dead(now: datetime) -> None:
    """Test sends whose worker vanished: one that never reached its call is queued again, one that
    may have reached LinkedIn becomes "possibly sent" (never sent a second time by itself)."""
    dead = TestSend.objects.filter(status=TestSendStatus.SENDING, lease_until__lt=now)
    for send_id in dead.filter(call_started_at__isnull=False).values_list("pk", flat=True):
        _settle_uncertain(send_id, why="the worker sending it stopped while LinkedIn was answering")
    dead.filter(call_started_at__isnull=True).update(status=TestSendStatus.QUEUED, holder="", lease_until=now)


def test_send_run(*, test_send_id: int, holder: str = "in-process") -> None:
    """Call sendTestInMail once for a queued test send. Raises RetryLater when LinkedIn answered with a
    transient error (so nothing was sent); a call whose answer never came is never repeated."""
    from inmail_studio.review import workflow

    now = timezone.now()
    lease = timedelta(seconds=settings.LINKEDIN_SYNC_LEASE_SECONDS)
    with transaction.atomic():
        send = (
            TestSend.objects.select_for_update(of=("self",))
            .select_related("ad", "revision")
            .get(pk=test_send_id)
        )
        if send.status not in TEST_SEND_OPEN:
            return
        if send.status == TestSendStatus.SENDING:
            if send.lease_until and send.lease_until > now:
                return  # a duplicate delivery while another worker holds it
            if send.call_started_at is not None:
                _settle_uncertain(send.pk, why="the worker sending it stopped while LinkedIn was answering")
                return
        elif send.retry_at and send.retry_at > now + timedelta(seconds=1):
            return  # early (a duplicate): the retry's own message, or beat, runs it when it is due
        send.tries += 1
        TestSend.objects.filter(pk=send.pk).update(
            status=TestSendStatus.SENDING,
            tries=send.tries,
            holder=holder[:200],
            lease_until=now + lease,
            retry_at=None,
            call_started_at=None,
        )
    ad = Ad.objects.select_related("workspace").get(pk=send.ad_id)
    link = AdLinkedIn.objects.get(ad=ad)
    heartbeat = _Heartbeat(TestSend, send.pk, holder, TestSendStatus.SENDING)
    seen: list[str] = []

    def remember(call: Call) -> None:
        heartbeat()
        # The request id of the last answer, for the ledger's test-send rows (support can trace it).
        if call.request_id:
            seen.append(call.request_id)

    try:
        api = client_for(ad.workspace, observer=remember)
        # From here the message may reach the member: a crash before the outcome is written leaves
        # this mark, and the test becomes "possibly sent" instead of being sent again.
        TestSend.objects.filter(pk=send.pk).update(call_started_at=timezone.now())
        api.action(
            "inMailContents",
            "sendTestInMail",
            payloads.test_send(
                content_urn=link.content_urn,
                campaign_urn=link.creative_campaign_urn,
                creative_urn=link.creative_urn,
                account_urn=ad.workspace.ad_account_urn,
            ),
        )
    except Transient as error:
        request_id = seen[-1] if seen else ""
        if error.sent and error.status is None:
            TestSend.objects.filter(pk=send.pk).update(request_id=request_id)
            _settle_uncertain(send.pk, why="its answer was lost on the way back")
            return
        if send.tries > settings.LINKEDIN_SYNC_MAX_RETRIES:
            TestSend.objects.filter(pk=send.pk).update(
                status=TestSendStatus.FAILED,
                error=f"LinkedIn kept failing after {send.tries} tries: {error.explain()}",
                finished_at=timezone.now(),
                request_id=request_id,
                call_started_at=None,
                lease_until=None,
            )
            return
        countdown = retry_countdown(send.tries)
        retry_at = timezone.now() + timedelta(seconds=countdown)
        TestSend.objects.filter(pk=send.pk).update(
            status=TestSendStatus.QUEUED,
            error=error.explain(),
            request_id=request_id,
            call_started_at=None,
            holder="",
            retry_at=retry_at,
            lease_until=retry_at + timedelta(seconds=settings.OUTBOX_QUEUED_GRACE_SECONDS),
        )
        raise RetryLater(error, countdown) from error
    except (Rejected, NotConnected) as error:
        message, _ = _refusal(ad, error)
        TestSend.objects.filter(pk=send.pk).update(
            status=TestSendStatus.FAILED,
            error=message,
            finished_at=timezone.now(),
            request_id=seen[-1] if seen else "",
            call_started_at=None,
            lease_until=None,
        )
        return
    with transaction.atomic():
        TestSend.objects.filter(pk=send.pk).update(
            status=TestSendStatus.SENT,
            error="",
            finished_at=timezone.now(),
            request_id=seen[-1] if seen else "",
            lease_until=None,
        )
        current = Ad.objects.select_for_update().get(pk=ad.pk)
        if current.state in (State.SYNCED, State.TESTED):
            workflow.move(
                current, State.TESTED, actor=None, revision=send.revision, note="Test message sent."
            )


def test_send_give_up(*, test_send_id: int, error: str) -> None:
    """The task died on something unexpected: the send ends, as "possibly sent" if its call had left."""
    send = TestSend.objects.filter(pk=test_send_id, status__in=TEST_SEND_OPEN).first()
    if send is None:
        return
    log.error("Test send %s stopped on an unexpected error: %s", test_send_id, error)
    if send.call_started_at is not None:
        _settle_uncertain(send.pk, why="it stopped on an unexpected error while LinkedIn was answering")
        return
    TestSend.objects.filter(pk=send.pk).update(
        status=TestSendStatus.FAILED,
        error="The test send stopped on an unexpected error; send it again.",
        finished_at=timezone.now(),
        lease_until=None,
    )


def test_send_confirm(*, ad_id: int, user: User) -> TestSend:
    """ "It arrived": the person saw a "possibly sent" test in the member's inbox; it counts as sent."""
    from inmail_studio.review import workflow

    with transaction.atomic():
        ad = Ad.objects.select_for_update().get(pk=ad_id)
        _require_role(user, ad.workspace_id, EDIT_ROLES | APPROVE_ROLES, "send test messages")
        send = (
            TestSend.objects.select_related("revision")
            .filter(ad=ad, status=TestSendStatus.UNCERTAIN)
            .order_by("-created_at", "-pk")
            .first()
        )
        if send is None:
            raise SyncRefused("No test message of this ad is waiting for your confirmation.")
        TestSend.objects.filter(pk=send.pk).update(
            status=TestSendStatus.SENT, error="", confirmed_by=user, finished_at=timezone.now()
        )
        if ad.state in (State.SYNCED, State.TESTED):
            workflow.move(
                ad,
                State.TESTED,
                actor=user,
                revision=send.revision,
                note=f"Test message confirmed as received by {user.display_name}.",
            )
    return send


def launch(*, ad_id: int, approver: User, ip: str | None = None) -> Ad:
    """Queue the launch (approvers only, after a sent test): the ad is "launching", and locked, until
    the task has set the creative ACTIVE on LinkedIn; then it is live.

    Under the ad's row lock, so a double click or a second approver gets a clear refusal and
    LinkedIn one PATCH; an author's save waits for the lock and then finds the ad locked.
    """
    from inmail_studio.review import workflow
    from inmail_studio.review.selectors import approved_revision_for

    with transaction.atomic():
        ad = Ad.objects.select_for_update().get(pk=ad_id)
        _require_role(approver, ad.workspace_id, APPROVE_ROLES, "launch ads")
        if ad.state == State.LAUNCHING:
            raise SyncRefused("This ad is being launched; it is live as soon as LinkedIn confirms.")
        if ad.state == State.LIVE:
            raise SyncRefused("This ad is live already.")
        revision = approved_revision_for(ad)
        if ad.state != State.TESTED or revision is None:
            raise SyncRefused("Only a synced ad that has had a test message can be launched.")
        if not TestSend.objects.filter(ad=ad, revision=revision, status=TestSendStatus.SENT).exists():
            raise SyncRefused("Send a test message of this revision before launching.")
        link = AdLinkedIn.objects.filter(ad=ad).first()
        if link is None or link.synced_hash != revision.content_hash or not link.creative_urn:
            raise SyncRefused("The approved revision isn't on LinkedIn yet; sync it first.")
        blocker = sync_blocker(ad)
        if blocker:
            raise SyncRefused(blocker)
        if SyncAttempt.objects.filter(ad=ad, status__in=OPEN_STATUSES).exists():
            raise SyncRefused("LinkedIn is still busy with this ad; try again in a moment.")
        workflow.move(
            ad,
            State.LAUNCHING,
            actor=approver,
            revision=revision,
            ip=ip,
            note="Launch queued: setting the creative ACTIVE on LinkedIn.",
        )
        now = timezone.now()
        attempt = SyncAttempt.objects.create(
            ad=ad,
            kind=AttemptKind.LAUNCH,
            revision=revision,
            revision_hash=revision.content_hash,
            requested_by=approver,
            queued_at=now,
            lease_until=_queued_deadline(now),
        )
        transaction.on_commit(partial(_dispatch_sync, attempt.pk))
    return ad


# --- import ---------------------------------------------------------------------------


def contents_import(*, workspace_id: int, admin: User) -> list[Ad]:
    """Existing message ads of the account become drafts, with where they came from kept read-only.

    inMailContents has no finder, so they are found through the account's creatives.
    Contents already imported (or synced from here) are skipped.
    """
    from inmail_studio.ads import services as ad_services

    _require_role(admin, workspace_id, ADMIN_ROLES | EDIT_ROLES, "import ads")
    workspace = Workspace.objects.get(pk=workspace_id)
    campaigns = campaigns_import(workspace=workspace)
    if not campaigns:
        return []
    api = client_for(workspace)
    creatives = api.search(
        _account_path(workspace, "creatives"), "criteria", {"campaigns": [c.urn for c in campaigns]}
    )
    by_content: dict[str, dict[str, Any]] = {}
    for creative in creatives:
        reference = str((creative.get("content") or {}).get("reference", ""))
        if reference.startswith("urn:li:adInMailContent:"):
            by_content.setdefault(reference, creative)
    known = set(
        AdLinkedIn.objects.filter(ad__workspace=workspace).values_list("content_urn", flat=True)
    ) | set(AdLinkedIn.objects.filter(ad__workspace=workspace).values_list("origin_urn", flat=True))
    wanted = [urn for urn in by_content if urn not in known]
    contents = api.batch_get("inMailContents", wanted) if wanted else {}
    imported: list[Ad] = []
    for urn in wanted:
        entity = contents.get(urn)
        if not entity:
            continue
        sub = entity.get("subContent") or {}
        if "guidedReplies" in sub:
            continue  # conversation ads are imported by their own mapping, not as message ads
        regular = sub.get("regular") or sub.get("form") or {}
        sender = None
        if entity.get("sender"):
            sender, _ = Sender.objects.get_or_create(
                workspace=workspace,
                urn=str(entity["sender"]),
                defaults={"name": str(entity["sender"]).rsplit(":", 1)[-1][:120]},
            )
        fields = {
            "name": str(entity.get("name") or f"Imported {urn}")[:255],
            "sender": sender,
            "subject": str(entity.get("subject", "")),
            "body": str(entity.get("htmlBody", "")),
            "footer": str(entity.get("customFooter", "")),
            "cta_kind": "lead_form" if "form" in sub else "landing_page",
            "cta_text": str(regular.get("callToActionText", "")),
            "landing_page_url": str(regular.get("callToActionLandingPageUrl", "")),
        }
        if "form" in sub:
            # The form a lead-gen ad opens is named on its creative (or, by some accounts, the content).
            creative_form = (by_content[urn].get("leadgenCallToAction") or {}).get("destination")
            fields["lead_form_urn"] = str(creative_form or regular.get("leadGenerationForm") or "")
        try:
            with transaction.atomic():
                ad = ad_services.ad_create(workspace=workspace, author=admin, fields=fields)
                creative = by_content[urn]
                AdLinkedIn.objects.create(
                    ad=ad,
                    origin_urn=urn,
                    origin={
                        "content": urn,
                        "creative": creative.get("id"),
                        "campaign": creative.get("campaign"),
                        "status": creative.get("intendedStatus"),
                        "imported_at": timezone.now().isoformat(),
                        "imported_by": admin.display_name,
                    },
                )
        except (ValidationError, IntegrityError) as error:
            log.info("Skipped importing %s: %s", urn, error)
            continue
        imported.append(ad)
    return imported
