"""The sandbox's own state: what LinkedIn would hold for the parts of the Marketing API we use.

These tables belong to the imitation of LinkedIn, not to InMail Studio: the app
never reads them, it talks to them over HTTP like it talks to LinkedIn.
Entities whose shape we do not need to query on (inMailContents, conversation
messages) are kept as the JSON LinkedIn would return, next to the few columns
the sandbox filters by.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

Row = TypeVar("Row")


def unique_or_none(rows: models.QuerySet[Any, Row]) -> Row | None:
    """The one row a lookup by a unique key finds, or None.

    `get()` rather than `first()`: a unique key leaves nothing to order, and `first()`'s ORDER BY is
    compiled anew on every call (a sandbox call is mostly Django building its queries' SQL, and this
    is a tenth of a lookup's CPU)."""
    try:
        return rows.get()
    except ObjectDoesNotExist:
        return None


def account_urn(pk: int) -> str:
    return f"urn:li:sponsoredAccount:{pk}"


def campaign_urn(pk: int) -> str:
    return f"urn:li:sponsoredCampaign:{pk}"


class Member(models.Model):
    """A LinkedIn member: can consent to OAuth, hold account roles, send and receive InMails."""

    slug = models.SlugField(unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    headline = models.CharField(max_length=300, blank=True)
    photo = models.BinaryField(blank=True, default=b"")

    class Meta:
        ordering = ["first_name", "last_name"]

    def __str__(self) -> str:
        return self.name

    @property
    def urn(self) -> str:
        return f"urn:li:person:{self.slug}"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class AdAccount(models.Model):
    """A sponsored account; its primary key is the number in `urn:li:sponsoredAccount:N`."""

    id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=255)
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(max_length=20, default="ACTIVE")
    type = models.CharField(max_length=20, default="BUSINESS")
    # The organization (or person) the account belongs to: an image's owner for this account's ads.
    reference = models.CharField(max_length=200, default="urn:li:organization:1")

    def __str__(self) -> str:
        return self.name

    @property
    def urn(self) -> str:
        return account_urn(self.id)


class AccountRole(models.Model):
    """A member's role on an ad account (LinkedIn's adAccountUsers). VIEWER can read, not write."""

    class Role(models.TextChoices):
        ACCOUNT_BILLING_ADMIN = "ACCOUNT_BILLING_ADMIN"
        ACCOUNT_MANAGER = "ACCOUNT_MANAGER"
        CAMPAIGN_MANAGER = "CAMPAIGN_MANAGER"
        CREATIVE_MANAGER = "CREATIVE_MANAGER"
        VIEWER = "VIEWER"

    account = models.ForeignKey(AdAccount, on_delete=models.CASCADE, related_name="roles")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "member"], name="sandbox_one_role_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.role} on {self.account}"

    @property
    def can_write(self) -> bool:
        return self.role != self.Role.VIEWER


class SenderPermission(models.Model):
    """Whether a member agreed to have Message Ads sent in their name from an account.

    `state` as adInMailMemberSenderPermissions answers it (contract row R13): REQUESTED until the
    member accepts LinkedIn's email, then APPROVED, or DECLINED; REVOKED once withdrawn.
    """

    class State(models.TextChoices):
        APPROVED = "APPROVED"
        REQUESTED = "REQUESTED"
        DECLINED = "DECLINED"
        REVOKED = "REVOKED"

    account = models.ForeignKey(AdAccount, on_delete=models.CASCADE, related_name="sender_permissions")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="sender_permissions")
    state = models.CharField(max_length=20, choices=State.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "member"], name="sandbox_one_permission_per_sender")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.state} on {self.account}"


class LeadForm(models.Model):
    """A lead gen form of an account (`urn:li:adForm:N`), as leadForms?q=owner lists it (row R37)."""

    class State(models.TextChoices):
        DRAFT = "DRAFT"
        PUBLISHED = "PUBLISHED"
        ARCHIVED = "ARCHIVED"

    id = models.BigIntegerField(primary_key=True)
    account = models.ForeignKey(AdAccount, on_delete=models.CASCADE, related_name="lead_forms")
    name = models.CharField(max_length=255)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PUBLISHED)

    def __str__(self) -> str:
        return self.name

    @property
    def urn(self) -> str:
        return f"urn:li:adForm:{self.id}"


class Campaign(models.Model):
    account = models.ForeignKey(AdAccount, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=255)
    type = models.CharField(max_length=40, default="SPONSORED_INMAILS")
    format = models.CharField(max_length=40, default="SPONSORED_INMAIL")
    status = models.CharField(max_length=20, default="DRAFT")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def urn(self) -> str:
        return campaign_urn(self.pk)


class InMailContent(models.Model):
    """An adInMailContent; `data` holds the writable fields exactly as LinkedIn returns them."""

    account = models.ForeignKey(AdAccount, on_delete=models.CASCADE, related_name="inmail_contents")
    data = models.JSONField(default=dict)
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    modified_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.urn

    @property
    def urn(self) -> str:
        return f"urn:li:adInMailContent:{self.pk}"


class Creative(models.Model):
    class Status(models.TextChoices):
        DRAFT = "DRAFT"
        ACTIVE = "ACTIVE"
        PAUSED = "PAUSED"
        ARCHIVED = "ARCHIVED"
        CANCELED = "CANCELED"

    account = models.ForeignKey(AdAccount, on_delete=models.CASCADE, related_name="creatives")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="creatives")
    content_reference = models.CharField(max_length=200, db_index=True)
    name = models.CharField(max_length=255, blank=True)
    # leadgenCallToAction: the lead form a lead-gen ad opens, and its button label.
    leadgen_form = models.CharField(max_length=200, blank=True)
    leadgen_label = models.CharField(max_length=40, blank=True)
    intended_status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    modified_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.urn

    @property
    def urn(self) -> str:
        return f"urn:li:sponsoredCreative:{self.pk}"

    # The account's and the campaign's URNs from the keys this row holds, so answering with a
    # creative doesn't join those rows.
    @property
    def account_urn(self) -> str:
        return account_urn(self.account_id)

    @property
    def campaign_urn(self) -> str:
        return campaign_urn(self.campaign_id)


class Conversation(models.Model):
    """A sponsoredConversation: the tree of a Conversation Ad."""

    account = models.ForeignKey(AdAccount, on_delete=models.CASCADE, related_name="conversations")
    first_message = models.ForeignKey(
        "ConversationMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.urn

    @property
    def urn(self) -> str:
        return f"urn:li:sponsoredConversation:{self.pk}"


class ConversationMessage(models.Model):
    """A sponsoredMessageContent, numbered within its conversation."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    number = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "number"], name="sandbox_message_number")
        ]

    def __str__(self) -> str:
        return self.urn

    @property
    def urn(self) -> str:
        return f"urn:li:sponsoredMessageContent:({self.conversation.urn},{self.number})"


class Image(models.Model):
    class Status(models.TextChoices):
        WAITING_UPLOAD = "WAITING_UPLOAD"
        AVAILABLE = "AVAILABLE"

    key = models.CharField(max_length=40, unique=True)
    owner = models.CharField(max_length=200)
    # mediaLibraryMetadata.associatedAccount: the ad account whose ads may use the image.
    associated_account = models.CharField(max_length=200, blank=True)
    upload_token = models.CharField(max_length=64, unique=True)
    upload_expires_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING_UPLOAD)
    content = models.BinaryField(blank=True, default=b"")
    content_type = models.CharField(max_length=40, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.urn

    @property
    def urn(self) -> str:
        return f"urn:li:image:{self.key}"


class AuthorizationCode(models.Model):
    code_hash = models.CharField(max_length=64, unique=True)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=200)
    redirect_uri = models.CharField(max_length=2000)
    scope = models.CharField(max_length=200)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Authorization code for {self.member_id}"


class Token(models.Model):
    """An access or refresh token; only the SHA-256 of the token itself is stored."""

    class Kind(models.TextChoices):
        ACCESS = "access"
        REFRESH = "refresh"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text="The token's last characters, to tell tokens apart.")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="tokens")
    client_id = models.CharField(max_length=200)
    scope = models.CharField(max_length=200)
    refresh = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="access_tokens"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} token …{self.hint} for {self.member}"

    @property
    def scopes(self) -> set[str]:
        return set(self.scope.replace(",", " ").split())


class InboxMessage(models.Model):
    """A test InMail as it arrived in a member's inbox: the content frozen at the moment of sending."""

    recipient = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="test_messages")
    content_urn = models.CharField(max_length=200)
    campaign_urn = models.CharField(max_length=200)
    creative_urn = models.CharField(max_length=200)
    snapshot = models.JSONField(default=dict)
    conversation = models.JSONField(default=dict, blank=True)
    sent_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"Test of {self.content_urn} to {self.recipient}"


class FaultConfig(models.Model):
    """The faults every REST call suffers unless its request says otherwise (a singleton, pk=1)."""

    latency_ms = models.PositiveIntegerField(default=0)
    error_rate = models.FloatField(default=0.0, help_text="Share of calls answered 500 or 503.")
    throttle_rate = models.FloatField(default=0.0, help_text="Share of calls answered 429.")
    hang_rate = models.FloatField(
        default=0.0, help_text="Share of calls that hang past the client's timeout."
    )
    drop_rate = models.FloatField(
        default=0.0, help_text="Share of creates that commit, then lose the connection."
    )
    seed = models.CharField(max_length=40, blank=True)
    queue = models.CharField(
        max_length=500,
        blank=True,
        help_text="Outcomes for the next calls, in order, one per call: 500, 503, 429, hang, drop or ok.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Sandbox faults"

    @classmethod
    def current(cls) -> FaultConfig:
        config, _ = cls.objects.get_or_create(pk=1)
        return config
