"""A workspace's LinkedIn connection, what each ad is on LinkedIn, and the ledger of every sync and test send."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from inmail_studio.accounts.models import Workspace
from inmail_studio.ads.models import Ad, Revision
from inmail_studio.appendonly import AppendOnly

from . import encryption
from .client import Secret

# The campaign format each kind of ad needs, and what the pages call each format.
CAMPAIGN_FORMATS = {"message": "SPONSORED_INMAIL", "conversation": "SPONSORED_MESSAGE"}
FORMAT_NAMES = {"SPONSORED_INMAIL": "message ad", "SPONSORED_MESSAGE": "conversation ad"}


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", "Connected"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class LinkedInConnection(models.Model):
    """The OAuth grant a workspace admin gave, tokens encrypted at rest (see `encryption`)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="linkedin_connection")
    member_urn = models.CharField(max_length=120, blank=True)
    member_name = models.CharField(max_length=200, blank=True)
    access_token_ciphertext = models.TextField(editable=False)
    refresh_token_ciphertext = models.TextField(blank=True, editable=False)
    expires_at = models.DateTimeField()
    refresh_expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=16, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE
    )
    status_detail = models.CharField(max_length=300, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    connected_at = models.DateTimeField(default=timezone.now)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"LinkedIn connection of {self.workspace} ({self.get_status_display()})"

    def __repr__(self) -> str:
        return f"<LinkedInConnection workspace={self.workspace_id} status={self.status}>"

    @property
    def access_token(self) -> Secret:
        return encryption.decrypt(self.access_token_ciphertext)

    @property
    def refresh_token(self) -> Secret | None:
        return encryption.decrypt(self.refresh_token_ciphertext) if self.refresh_token_ciphertext else None

    def set_tokens(
        self,
        *,
        access: Secret,
        expires_at: datetime,
        refresh: Secret | None,
        refresh_expires_at: datetime | None,
    ) -> None:
        self.access_token_ciphertext = encryption.encrypt(access)
        self.expires_at = expires_at
        if refresh:
            self.refresh_token_ciphertext = encryption.encrypt(refresh)
            self.refresh_expires_at = refresh_expires_at

    @property
    def usable(self) -> bool:
        return self.status == ConnectionStatus.ACTIVE and self.expires_at > timezone.now()

    @property
    def needs_reconnect(self) -> bool:
        return not self.usable and not self.can_refresh

    @property
    def can_refresh(self) -> bool:
        return (
            self.status != ConnectionStatus.REVOKED
            and bool(self.refresh_token_ciphertext)
            and (self.refresh_expires_at is None or self.refresh_expires_at > timezone.now())
        )


class Campaign(models.Model):
    """A SPONSORED_INMAILS campaign of the workspace's ad account, listed from LinkedIn."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="linkedin_campaigns")
    urn = models.CharField(max_length=120)
    name = models.CharField(max_length=255)
    status = models.CharField(max_length=32, blank=True)
    format = models.CharField(max_length=32, blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "urn"], name="one_campaign_per_urn")]

    def __str__(self) -> str:
        return self.name


class AdLinkedIn(models.Model):
    """What an ad is on LinkedIn: its campaign, content, creative and banner image, and where it came from."""

    ad = models.OneToOneField(Ad, on_delete=models.CASCADE, related_name="linkedin")
    campaign_urn = models.CharField(max_length=120, blank=True)
    content_urn = models.CharField(max_length=120, blank=True)
    creative_urn = models.CharField(max_length=120, blank=True)
    creative_campaign_urn = models.CharField(max_length=120, blank=True)
    image_urn = models.CharField(max_length=200, blank=True)
    image_sha256 = models.CharField(max_length=64, blank=True)
    synced_hash = models.CharField(max_length=64, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    # Set when a content create may have reached LinkedIn without us learning its URN.
    content_create_uncertain = models.BooleanField(default=False)
    # For drafts imported from LinkedIn: the source entity, read-only.
    origin_urn = models.CharField(max_length=120, blank=True)
    origin = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"LinkedIn state of ad {self.ad_id}"


class AttemptStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    INFLIGHT = "inflight", "In flight"
    AWAITING_RETRY = "awaiting_retry", "Waiting to retry"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


OPEN_STATUSES = (AttemptStatus.QUEUED, AttemptStatus.INFLIGHT, AttemptStatus.AWAITING_RETRY)


class AttemptKind(models.TextChoices):
    SYNC = "sync", "Sync"
    LAUNCH = "launch", "Launch"


class SyncAttempt(models.Model):
    """One job of one revision on LinkedIn (a sync, or a launch): an outbox row claimed under a lease,
    with its HTTP exchanges in `calls`.

    `lease_until` is the attempt's own deadline, whatever its status: for a queued attempt, when
    its message counts as lost; in flight, the end of the worker's lease (a heartbeat extends it
    while the worker is alive); waiting to retry, `retry_at` plus a grace. Past it, beat sends the
    attempt again (`services.requeue_stuck`). `holder` names the worker holding the lease, so a
    worker that starts again under the same name takes back what it held when it died.
    """

    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="sync_attempts")
    kind = models.CharField(max_length=8, choices=AttemptKind.choices, default=AttemptKind.SYNC)
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    revision_hash = models.CharField(max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=AttemptStatus.choices, default=AttemptStatus.QUEUED)
    step = models.CharField(max_length=32, blank=True)
    request_id = models.CharField(max_length=120, blank=True)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=80, blank=True)
    tries = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    holder = models.CharField(max_length=200, blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at", "-pk"]
        indexes = [models.Index(fields=["status", "lease_until"], name="attempt_status_lease")]
        constraints = [
            # One open job per ad: a second approval, a retry or a launch can't run beside the first.
            models.UniqueConstraint(
                fields=["ad"],
                condition=models.Q(status__in=["queued", "inflight", "awaiting_retry"]),
                name="one_open_sync_per_ad",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} of ad {self.ad_id} r{self.revision_hash[:10]} ({self.status})"

    @property
    def duration_ms(self) -> int | None:
        if self.started_at and self.finished_at:
            return int((self.finished_at - self.started_at).total_seconds() * 1000)
        return None


class SyncCall(models.Model):
    """One HTTP exchange within an attempt (or a note such as an orphaned content)."""

    attempt = models.ForeignKey(SyncAttempt, on_delete=models.CASCADE, related_name="calls")
    step = models.CharField(max_length=32)
    method = models.CharField(max_length=8, blank=True)
    resource = models.CharField(max_length=300, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=120, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.method} {self.resource} → {self.http_status}"


class TestSendStatus(models.TextChoices):
    __test__ = False  # not a pytest class, despite the name

    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # The call may have reached LinkedIn (a lost answer, a worker killed mid-call) and LinkedIn has
    # no way to ask whether a test arrived: never sent again automatically; the person decides.
    UNCERTAIN = "uncertain", "Possibly sent"


TEST_SEND_OPEN = (TestSendStatus.QUEUED, TestSendStatus.SENDING)


class TestSend(models.Model):
    """A `sendTestInMail` of a synced revision to the connected member's inbox: an outbox row.

    Claimed under a lease like a sync attempt (`lease_until` is its deadline, `retry_at` when a
    retry may run, `holder` the worker). `call_started_at` is set just before the call leaves and
    cleared when its outcome is known: a row found with it set after its worker vanished may
    have been delivered, so it becomes "possibly sent" instead of being sent a second time.
    """

    __test__ = False  # not a pytest class, despite the name

    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="test_sends")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    revision_hash = models.CharField(max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recipient_urn = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=16, choices=TestSendStatus.choices, default=TestSendStatus.QUEUED)
    error = models.TextField(blank=True)
    request_id = models.CharField(max_length=120, blank=True)
    tries = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    holder = models.CharField(max_length=200, blank=True)
    call_started_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "lease_until"], name="testsend_status_lease")]

    def __str__(self) -> str:
        return f"test send of ad {self.ad_id} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status not in TEST_SEND_OPEN


class ConversationStatus(models.TextChoices):
    CREATING = "creating", "Being created"
    BUILDING = "building", "Messages being created"
    READY = "ready", "Ready"
    REPLACED = "replaced", "Replaced by a newer conversation"
    ORPHANED = "orphaned", "Orphaned (unused on LinkedIn)"


class LinkedInConversation(models.Model):
    """A `sponsoredConversation` a sync created (or may have created) for a conversation ad.

    LinkedIn can delete neither conversations nor messages, so an edited tree gets a fresh
    conversation and the old row stays as the record of what LinkedIn still holds. `messages`
    maps each message of the tree (`m12`) to the URN LinkedIn gave it, written as each is
    learned, so a retry continues where the last run stopped; `pending_ref` names the message
    whose create may have reached LinkedIn without an answer (looked up before creating again).
    """

    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="linkedin_conversations")
    attempt = models.ForeignKey(
        SyncAttempt, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    urn = models.CharField(max_length=120, blank=True)
    tree_hash = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=ConversationStatus.choices, default=ConversationStatus.CREATING
    )
    messages = models.JSONField(default=dict, blank=True)
    pending_ref = models.CharField(max_length=40, blank=True)
    first_message_urn = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.urn or 'conversation being created'} of ad {self.ad_id} ({self.status})"


class ConnectionAction(models.TextChoices):
    CONNECTED = "connected", "connected LinkedIn"
    DISCONNECTED = "disconnected", "disconnected LinkedIn"


class ConnectionEvent(AppendOnly):
    """The LinkedIn connection's audit trail: who connected or disconnected it, when, from where,
    and (on disconnect) which tokens LinkedIn confirmed revoking. Append-only, like the ads' trail."""

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=ConnectionAction.choices)
    member_urn = models.CharField(max_length=120, blank=True)
    detail = models.TextField(blank=True)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    append_only_refusal = "The LinkedIn connection's audit trail is append-only."

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        who = self.actor.display_name if self.actor_id is not None else "InMail Studio"  # type: ignore[union-attr]
        return f"{who} {self.get_action_display()}"
