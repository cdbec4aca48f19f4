"""The approval workflow's records: reviews pinned to a revision, decisions, comments,
share links, notifications and the append-only audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from inmail_studio.accounts.models import Workspace
from inmail_studio.ads.models import Ad, Revision, State
from inmail_studio.appendonly import AppendOnly


class Action(models.TextChoices):
    """What an audit row records. Moves name the transition; the rest leave the state alone."""

    SUBMITTED = "submitted", "submitted for review"
    WITHDRAWN = "withdrawn", "withdrew from review"
    APPROVED = "approved", "approved"
    APPROVED_WITH_COMMENT = "approved_with_comment", "approved with a comment"
    CHANGES_REQUESTED = "changes_requested", "requested changes"
    APPROVAL_VOIDED = "approval_voided", "edited, voiding the approval"
    EDITED = "edited", "edited after changes were requested"
    COMMENTED = "commented", "commented"
    SHARE_LINK_CREATED = "share_link_created", "created a share link"
    SHARE_LINK_REVOKED = "share_link_revoked", "revoked a share link"
    STAKEHOLDER_APPROVED = "stakeholder_approved", "signed off"
    STAKEHOLDER_CHANGES_REQUESTED = "stakeholder_changes_requested", "asked for changes"
    DUPLICATED = "duplicated", "duplicated as a new draft"
    MOVED = "moved", "moved"
    # The LinkedIn jobs: queued by a person, carried out by InMail Studio's worker for them.
    SYNC_QUEUED = "sync_queued", "asked for a sync to LinkedIn"
    SYNCED = "synced", "synced to LinkedIn"
    SYNC_FAILED = "sync_failed", "sync to LinkedIn failed"
    TEST_SENT = "test_sent", "sent a test message"
    LAUNCH_QUEUED = "launch_queued", "asked LinkedIn to launch"
    LAUNCHED = "launched", "launched on LinkedIn"
    LAUNCH_FAILED = "launch_failed", "launch on LinkedIn failed"
    # The workspace's own events: no ad, the member or invitation they concern is `subject`.
    MEMBER_INVITED = "member_invited", "invited a member"
    INVITATION_ACCEPTED = "invitation_accepted", "accepted an invitation and joined"
    INVITATION_WITHDRAWN = "invitation_withdrawn", "withdrew an invitation"
    ROLE_CHANGED = "role_changed", "changed a member's role"
    MEMBER_REMOVED = "member_removed", "removed a member"


WORKSPACE_ACTIONS = frozenset(
    {
        Action.MEMBER_INVITED,
        Action.INVITATION_ACCEPTED,
        Action.INVITATION_WITHDRAWN,
        Action.ROLE_CHANGED,
        Action.MEMBER_REMOVED,
    }
)


class AuditEvent(AppendOnly):
    """One thing that happened to an ad: who (a user, a stakeholder through a share link, or
    the system when both are empty), what, from which state to which, on which revision.

    Or one thing that happened to the workspace itself (a member invited, joining, a role
    changed, a member removed): then `ad` is empty, the states are blank, and `subject` names
    the member or invited address, so the workspace's trail stays one list in one table.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.PROTECT, related_name="+")
    ad = models.ForeignKey(Ad, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events")
    # Whom a workspace event concerns, as they were named then (a member's name and email, an address).
    subject = models.CharField(max_length=400, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stakeholder_name = models.CharField(max_length=120, blank=True)
    # For work InMail Studio did itself (a sync, a test send, a launch): the person who asked for it.
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The share link a stakeholder acted through (their name is the recipient the link was made for).
    share_link = models.ForeignKey(
        "ShareLink", on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    action = models.CharField(max_length=40, choices=Action.choices)
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    revision_hash = models.CharField(max_length=64, blank=True)
    comment = models.TextField(blank=True)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    append_only_refusal = "Audit events are append-only."

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["ad", "created_at"], name="audit_ad_time"),
            # One workspace's trail newest first, its date range (the admin's date hierarchy) and its
            # export: at agency scale (a million events, 20,000 a workspace) the time index alone
            # read most of the table to find one workspace's first and last event (0.8 s).
            models.Index(fields=["workspace", "-created_at", "-id"], name="audit_workspace_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ad__isnull=False) | Q(action__in=sorted(WORKSPACE_ACTIONS)),
                name="audit_ad_unless_workspace_event",
            )
        ]

    def __str__(self) -> str:
        if self.ad_id is None:
            return f"{self.who} {self.get_action_display()} ({self.subject})"
        return f"{self.who} {self.get_action_display()} ({self.from_state} → {self.to_state})"

    @property
    def who(self) -> str:
        if self.actor_id is not None:
            return self.actor.display_name  # type: ignore[union-attr]
        if self.stakeholder_name:
            link = f" #{self.share_link_id}" if self.share_link_id else ""
            return f"{self.stakeholder_name} (via share link{link})"
        if self.on_behalf_of_id is not None:
            return f"InMail Studio, for {self.on_behalf_of.display_name}"  # type: ignore[union-attr]
        return "InMail Studio"

    @property
    def is_move(self) -> bool:
        return self.from_state != self.to_state

    @property
    def concerns(self) -> str:
        """What the event happened to, in words: the ad (id and name) or the member it concerns."""
        if self.ad_id is None:
            return self.subject
        return f"{self.ad_id} {self.ad.name}"  # type: ignore[union-attr]


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Review(models.Model):
    """One submission: the revision it pins, who submitted it, and how it ended."""

    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="reviews")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="reviews")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            # Wagtail's rule: one active workflow per object.
            models.UniqueConstraint(fields=["ad"], condition=Q(status="open"), name="one_open_review_per_ad"),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="review_queue")]

    def __str__(self) -> str:
        return f"Review of {self.ad_id} r{self.revision_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        """Still waiting for a decision."""
        return self.status == ReviewStatus.OPEN


class Verdict(models.TextChoices):
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class Decision(models.Model):
    """An approver's verdict on a review's pinned revision.

    The database refuses a decision by the revision's own author, and a second decision on
    the same review, so neither a UI bug nor a race can get round the rules.
    """

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="decision")
    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="decisions")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    revision_author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(approver=F("revision_author")), name="approver_is_not_revision_author"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verdict} r{self.revision_id} by {self.approver_id}"


class Comment(models.Model):
    """A remark in a review's thread, optionally about one field of the ad."""

    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="review_comments")
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stakeholder_name = models.CharField(max_length=120, blank=True)
    field = models.CharField(max_length=40, blank=True)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ad", "created_at"], name="comment_ad_time")]

    def __str__(self) -> str:
        return self.body[:40]

    @property
    def who(self) -> str:
        if self.author_id is not None:
            return self.author.display_name  # type: ignore[union-attr]
        return f"{self.stakeholder_name} (via share link)"


class ShareKind(models.TextChoices):
    PREVIEW = "preview", "Preview only"
    SIGNOFF = "signoff", "Preview and sign-off"


class ShareLink(models.Model):
    """A signed, expiring, revocable link to one revision for someone without an account."""

    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="share_links")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ShareKind.choices, default=ShareKind.PREVIEW)
    recipient = models.CharField("who it is for", max_length=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A sign-off link records one decision, by the recipient it was made for; then it only shows.
    used_at = models.DateTimeField(null=True, blank=True)
    used_verdict = models.CharField(max_length=20, choices=Verdict.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}"


class Notification(models.Model):
    """An in-app notification (the bell); the same event may also go out by email."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_notifications"
    )
    ad = models.ForeignKey(Ad, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.message


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutgoingEmail(models.Model):
    """One review email: an outbox row written with the notification, sent by a Celery task after commit.

    A mail relay that is down or hangs (EMAIL_TIMEOUT) delays the email, never loses it: the task
    retries with backoff, beat sends again any row whose deadline (`lease_until`) passed, and the
    last failure is logged and kept here. Delivery is at least once: SMTP can't say whether a
    message whose answer was lost arrived, and a second copy of a notification is better than none.
    """

    notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails"
    )
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=EmailStatus.choices, default=EmailStatus.QUEUED)
    tries = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    holder = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "lease_until"], name="email_status_lease")]

    def __str__(self) -> str:
        return f"email to {self.to} ({self.status})"
