"""Senders, ads, banners, sample members and the immutable revisions of every ad."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse

from inmail_studio.accounts.models import Workspace
from inmail_studio.appendonly import AppendOnly

from . import validators


class State(models.TextChoices):
    """Where an ad is in its life. Only `review.workflow` moves an ad between states."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    SYNCING = "syncing", "Syncing"
    SYNC_FAILED = "sync_failed", "Sync failed"
    SYNCED = "synced", "Synced"
    TESTED = "tested", "Tested"
    # The creative is being set ACTIVE on LinkedIn (a task, through the outbox); locked meanwhile.
    LAUNCHING = "launching", "Launching"
    LIVE = "live", "Live"


class Kind(models.TextChoices):
    MESSAGE = "message", "Message ad"
    CONVERSATION = "conversation", "Conversation ad"


class CtaKind(models.TextChoices):
    LANDING_PAGE = "landing_page", "Landing page"
    LEAD_FORM = "lead_form", "Lead gen form"


class SenderPermission(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REVOKED = "revoked", "Revoked"


def _photo_path(instance: Sender, filename: str) -> str:
    return f"senders/{instance.workspace_id}/{filename}"


class Sender(models.Model):
    """A LinkedIn member (or organization) ads can be sent as, with their permission for this workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="senders")
    urn = models.CharField("LinkedIn URN", max_length=120, validators=[validators.validate_sender_urn])
    name = models.CharField("display name", max_length=120)
    headline = models.CharField(max_length=220, blank=True)
    photo = models.ImageField(upload_to=_photo_path, blank=True)
    permission = models.CharField(
        max_length=16, choices=SenderPermission.choices, default=SenderPermission.PENDING
    )
    permission_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "urn"], name="one_sender_per_urn")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_organization(self) -> bool:
        return self.urn.startswith("urn:li:organization:")

    @property
    def can_send(self) -> bool:
        return self.permission == SenderPermission.APPROVED

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split()[:2]).upper()


def _image_path(instance: Image, filename: str) -> str:
    return f"banners/{instance.workspace_id}/{instance.sha256[:2]}/{instance.sha256}.{instance.extension}"


class Image(models.Model):
    """An uploaded banner, checked on upload and never changed afterwards (revisions point at it)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="images")
    file = models.ImageField(upload_to=_image_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    format = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name or self.sha256[:12]

    @property
    def extension(self) -> str:
        return "jpg" if self.format == "JPEG" else "png"


class Persona(models.Model):
    """A sample member whose profile fills the macros in the preview. Editable per workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="personas")
    label = models.CharField(max_length=60)
    first_name = models.CharField(max_length=60, blank=True)
    last_name = models.CharField(max_length=60, blank=True)
    company = models.CharField(max_length=120, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    industry = models.CharField(max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label

    def as_member(self) -> dict[str, str]:
        return {
            "first_name": self.first_name,
            "last_name": self.last_name,
            "company": self.company,
            "job_title": self.job_title,
            "industry": self.industry,
        }


class Ad(models.Model):
    """A message ad or conversation ad being drafted, reviewed and shipped.

    The fields hold the draft as last saved; every save also writes an immutable
    `Revision`, and approvals, syncs and test sends name a revision, never the draft.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="ads")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.MESSAGE)
    name = models.CharField(max_length=300, validators=[validators.validate_ad_name])
    sender = models.ForeignKey(Sender, on_delete=models.PROTECT, null=True, blank=True, related_name="ads")
    subject = models.CharField(max_length=300, blank=True, validators=[validators.validate_subject])
    body = models.TextField(blank=True, validators=[validators.validate_body])
    footer = models.TextField("custom footer", blank=True, validators=[validators.validate_footer])
    cta_kind = models.CharField(
        "call to action", max_length=16, choices=CtaKind.choices, default=CtaKind.LANDING_PAGE
    )
    cta_text = models.CharField(
        "button text", max_length=100, blank=True, validators=[validators.validate_cta_text]
    )
    landing_page_url = models.CharField(
        "landing page URL", max_length=1100, blank=True, validators=[validators.validate_landing_page_url]
    )
    lead_form_urn = models.CharField(
        "lead gen form URN", max_length=120, blank=True, validators=[validators.validate_lead_form_urn]
    )
    banner = models.ForeignKey(Image, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    current_revision = models.ForeignKey(
        "Revision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ads_authored"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            # The drafts list's order, id included, so a page's ids are read from the index alone
            # (inmail_studio.paging.DeferredJoinPaginator).
            models.Index(fields=["workspace", "-updated_at", "-id"], name="ad_workspace_recent"),
            # A workspace's ads in one state (the navigation's counts, the review queue): a few hundred
            # of an agency client's 2,000, without reading the rest.
            models.Index(fields=["workspace", "state"], name="ad_workspace_state"),
            # The drafts search (`icontains` on name or subject) on PostgreSQL; migration 0005 creates
            # these only there (SQLite has no GIN), see its docstring.
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="ad_name_trgm"),
            GinIndex(OpClass(Upper("subject"), name="gin_trgm_ops"), name="ad_subject_trgm"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """The ad's editor: a conversation's tree has its own."""
        return reverse("ads:edit" if self.is_message else "ads:conversation", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        """Live ads can't change; ads in review wait for a decision (or a withdrawal); an ad being
        synced or launched waits for LinkedIn (an edit then would leave LinkedIn with another version)."""
        return self.state in (State.IN_REVIEW, State.LIVE, State.SYNCING, State.LAUNCHING)

    @property
    def is_message(self) -> bool:
        """A message ad (one message and a call to action), as opposed to a conversation ad's tree."""
        return self.kind == Kind.MESSAGE

    @property
    def is_live(self) -> bool:
        """Running on LinkedIn: the one state with results to show and no way back to editing."""
        return self.state == State.LIVE


def content_hash(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Revision(AppendOnly):
    """An immutable snapshot of a whole ad, as saved by one person at one time."""

    append_only_refusal = "Revisions are immutable."

    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    content_hash = models.CharField(max_length=64, db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["ad", "number"], name="revision_number_per_ad")]

    def __str__(self) -> str:
        return f"{self.ad_id} r{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is None:
            self.content_hash = content_hash(self.snapshot)
        super().save(*args, **kwargs)

    @property
    def short_hash(self) -> str:
        return self.content_hash[:10]


# ---------------------------------------------------------------------------
# Conversation ads: a tree of messages and reply buttons (issue 5).
# ---------------------------------------------------------------------------


class MessageKind(models.TextChoices):
    TEXT = "text", "Message"
    FORM = "form", "Lead gen form"


class ButtonAction(models.TextChoices):
    """What a reply button does; each maps to one LinkedIn `replyType` (see `linkedin.payloads.conversation_messages`)."""

    MESSAGE = "message", "Go to a message"
    WEBSITE = "website", "Open a website"
    LEAD_FORM = "lead_form", "Open the lead gen form"
    THANK_YOU = "thank_you", "Thank you (after the form)"
    END = "end", "End the conversation"


class Conversation(models.Model):
    """The tree of a conversation ad. Its messages and buttons are edited in place; every
    change is snapshotted whole into the ad's next revision."""

    ad = models.OneToOneField(Ad, on_delete=models.CASCADE, related_name="conversation")
    lead_gen = models.BooleanField(
        "lead gen campaign",
        default=False,
        help_text="The campaign collects leads: the tree must contain a lead gen form.",
    )
    first_message = models.ForeignKey(
        "ConversationMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Conversation of {self.ad_id}"


class ConversationMessage(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField("label", max_length=60, help_text="Only your team sees this.")
    kind = models.CharField(max_length=8, choices=MessageKind.choices, default=MessageKind.TEXT)
    body = models.TextField(blank=True)
    form_urn = models.CharField(
        "lead gen form URN", max_length=120, blank=True, validators=[validators.validate_lead_form_urn]
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def ref(self) -> str:
        """The message's id in snapshots and trees (stable across revisions)."""
        return f"m{self.pk}"


class ConversationButton(models.Model):
    message = models.ForeignKey(ConversationMessage, on_delete=models.CASCADE, related_name="buttons")
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=100)
    action = models.CharField(max_length=12, choices=ButtonAction.choices, default=ButtonAction.MESSAGE)
    target = models.ForeignKey(
        ConversationMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound"
    )
    url = models.CharField("website URL", max_length=1100, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def ref(self) -> str:
        return f"b{self.pk}"


class TreeEdit(models.Model):
    """One change to a conversation's tree rows (an add, a delete, a move, a relink, a save, an undo).

    Structural changes alter the live rows without writing a revision: the marketer's "Save" writes
    one revision for a working session's edits. These records are the session's undo stack (`before`)
    and the base a form loaded from (`after`), so a save over someone else's unsaved change is still
    caught as a conflict. Only the newest `KEEP` per conversation are kept.
    """

    KEEP = 50

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="edits")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    before = models.JSONField()
    after = models.JSONField()
    # The edit this one took back (an undo); an edit taken back is not offered for undo again.
    undoes = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="undone_by"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "number"], name="tree_edit_number_per_conversation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id} e{self.number}"


class EditPresence(models.Model):
    """Who has an ad's editor open: one row per browser tab, refreshed by the editor's heartbeat.

    A row not refreshed within `settings.EDIT_PRESENCE_SECONDS` no longer counts (the tab closed,
    the laptop slept); old rows are deleted as new heartbeats come in.
    """

    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    tab = models.CharField(max_length=40)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ad", "user", "tab"], name="one_presence_per_tab")]
        indexes = [models.Index(fields=["ad", "seen_at"], name="presence_ad_seen")]

    def __str__(self) -> str:
        return f"{self.user_id} on ad {self.ad_id} ({self.tab})"
