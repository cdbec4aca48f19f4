"""Reads of the approval workflow, scoped by workspace membership.

The queue, the review page and the navigation counts run a fixed number of queries
whatever the number of ads, revisions or comments (asserted in tests/review/test_queries.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from inmail_studio.accounts.models import APPROVE_ROLES, Membership, User
from inmail_studio.ads import snapshots
from inmail_studio.ads.conversation.tree import PathList, TreeChange, compare_trees, paths
from inmail_studio.ads.models import Ad, Kind, Revision, State

from .models import AuditEvent, Comment, Decision, Notification, Review, ReviewStatus, ShareLink, Verdict
from .workflow import APPROVED_STATES, AWAITING_DECISION, FINAL, SUBMITTABLE

ATTENTION_STATES = (State.DRAFT, State.CHANGES_REQUESTED)
THREAD_LIMIT = 200
# The fields of a conversation ad outside its tree; its calls to action are on its buttons.
CONVERSATION_FIELDS = frozenset({"name", "sender", "subject", "footer"})


def approved_revision_for(ad: Ad) -> Revision | None:
    """The revision whose approval currently applies, or None (never approved, or voided by an edit).

    The LinkedIn sync sends exactly this revision, never whatever the draft holds now.
    """
    if ad.state not in APPROVED_STATES or ad.current_revision_id is None:
        return None
    decision = (
        Decision.objects.filter(ad_id=ad.pk, verdict=Verdict.APPROVED)
        .select_related("revision")
        .order_by("-created_at", "-pk")
        .first()
    )
    if decision is None or decision.revision_id != ad.current_revision_id:
        return None
    return decision.revision


def approved_revision_id_of(ad_field: str = "ad_id") -> Subquery:
    """The revision id of the ad's latest approval, as a subquery on `ad_field` (the query-free half of
    `approved_revision_for`, for a caller that also checks the state and the current revision)."""
    return Subquery(
        Decision.objects.filter(ad_id=OuterRef(ad_field), verdict=Verdict.APPROVED)
        .order_by("-created_at", "-pk")
        .values("revision_id")[:1]
    )


def review_queue(user: User, *, workspace_id: int) -> QuerySet[Review]:
    """Open reviews waiting for this approver, oldest first; never their own revisions."""
    if not Membership.objects.filter(
        user=user, workspace_id=workspace_id, role__in=list(APPROVE_ROLES)
    ).exists():
        return Review.objects.none()
    return (
        # An open review's ad is in review (`workflow.move` closes it on the way out); saying so lets
        # PostgreSQL start from the workspace's few hundred ads in review (index ad_workspace_state)
        # instead of every open review of every workspace (15,000 at agency scale).
        Review.objects.filter(
            status=ReviewStatus.OPEN, ad__workspace_id=workspace_id, ad__state=State.IN_REVIEW
        )
        .exclude(revision__author=user)
        # The studio's queue adds what the score column reads (`studio.selectors.review_queue`).
        .select_related("ad", "revision", "submitted_by")
        # The queue shows names and hashes; leave the pinned snapshot and the draft's fields in the
        # database (the score reads the ad's current revision, which is the pinned one while in review).
        .defer("revision__snapshot", "ad__body", "ad__footer")
        .order_by("submitted_at", "pk")
    )


def my_drafts(user: User, *, workspace_id: int) -> QuerySet[Ad]:
    """The user's own ads in this workspace, the ones that need them first."""
    return (
        Ad.objects.filter(workspace_id=workspace_id, author=user)
        .exclude(state=State.LIVE)
        .select_related("sender", "current_revision")
        .order_by(
            # Changes requested first, then drafts, then everything waiting on others.
            Case(
                When(state=State.CHANGES_REQUESTED, then=Value(0)),
                When(state=State.DRAFT, then=Value(1)),
                default=Value(2),
            ),
            "-updated_at",
            "-pk",
        )
    )


@dataclass(frozen=True)
class NavCounts:
    queue: int = 0
    drafts: int = 0
    unread: int = 0


def nav_counts(user: User, membership: Membership | None) -> NavCounts:
    """Review queue size (approvers), own drafts needing attention, unread notifications: two queries."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
    if membership is None:
        return NavCounts(unread=unread)
    # Only the states either count looks at: the workspace's few hundred of them through the index
    # ad_workspace_state, not its every ad (2,000 for an agency's client) on every page.
    counts = Ad.objects.filter(
        workspace_id=membership.workspace_id, state__in=[State.IN_REVIEW, *ATTENTION_STATES]
    ).aggregate(
        queue=Count("pk", filter=Q(state=State.IN_REVIEW) & ~Q(current_revision__author=user)),
        drafts=Count("pk", filter=Q(author=user, state__in=ATTENTION_STATES)),
    )
    return NavCounts(
        queue=counts["queue"] if membership.can_approve else 0, drafts=counts["drafts"], unread=unread
    )


def notifications_for(user: User, *, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).select_related("ad")[:limit])


@dataclass
class ReviewPage:
    """Everything the review page shows about one ad."""

    ad: Ad
    revision: Revision
    review: Review | None
    baseline: Revision | None  # the last approved revision before this one, None = first submission
    # "approved", or "reviewed" (never approved; changes were requested on it), or "resubmitted"
    # (changes were requested on this very revision, sent again unchanged), or "" (first submission)
    baseline_kind: str
    changes: list[snapshots.FieldChange]
    comments: list[Comment]
    signoffs: list[AuditEvent]
    field_comments: dict[str, list[Comment]] = field(default_factory=dict)
    # Conversation ads: every path of the revision as transcripts, and its tree against the baseline's.
    paths: PathList | None = None
    tree_changes: list[TreeChange] = field(default_factory=list)

    @property
    def changed_count(self) -> int:
        return sum(c.changed for c in self.changes)

    @property
    def is_conversation(self) -> bool:
        return self.paths is not None

    @property
    def awaiting_decision(self) -> bool:
        """A reviewer may decide now: the review is open and the ad waits for a decision."""
        return self.review is not None and self.review.is_open and self.ad.state in AWAITING_DECISION


def review_page(ad: Ad) -> ReviewPage:
    """The revision under review (or the latest submitted one), its diff and its thread."""
    review = (
        Review.objects.filter(ad_id=ad.pk)
        .select_related("revision", "revision__author", "submitted_by")
        .first()
    )
    revision = review.revision if review else ad.current_revision
    assert revision is not None
    baseline_decision = (
        Decision.objects.filter(ad_id=ad.pk, verdict=Verdict.APPROVED, revision__number__lt=revision.number)
        .select_related("revision")
        .order_by("-revision__number", "-pk")
        .first()
    )
    baseline_kind = "approved" if baseline_decision else ""
    if baseline_decision is None:
        # Never approved: a resubmission is still compared with what the reviewer sent back.
        baseline_decision = (
            Decision.objects.filter(ad_id=ad.pk, revision__number__lt=revision.number)
            .select_related("revision")
            .order_by("-revision__number", "-pk")
            .first()
        )
        baseline_kind = "reviewed" if baseline_decision else ""
        if baseline_decision is None and Decision.objects.filter(ad_id=ad.pk).exists():
            # Sent back, then resubmitted as it was: not a first submission, nothing to compare.
            baseline_kind = "resubmitted"
    baseline = baseline_decision.revision if baseline_decision else None
    comments = list(
        Comment.objects.filter(ad_id=ad.pk)
        .select_related("author", "revision")
        .order_by("-created_at", "-pk")[:THREAD_LIMIT]
    )[::-1]
    signoffs = list(
        AuditEvent.objects.filter(
            ad_id=ad.pk,
            revision_id=revision.pk,
            action__in=["stakeholder_approved", "stakeholder_changes_requested"],
        )[:20]
    )
    by_field: dict[str, list[Comment]] = {}
    for comment in comments:
        if comment.field and (review is None or comment.review_id == review.pk):
            by_field.setdefault(comment.field, []).append(comment)
    changes = snapshots.compare(baseline.snapshot if baseline else None, revision.snapshot)
    conversation: dict[str, Any] = {}
    if revision.snapshot.get("kind") == Kind.CONVERSATION:
        tree = revision.snapshot.get("tree")
        changes = [c for c in changes if c.field in CONVERSATION_FIELDS]
        conversation = {
            "paths": paths(tree or {}),
            "tree_changes": compare_trees(baseline.snapshot.get("tree"), tree) if baseline else [],
        }
    return ReviewPage(
        ad=ad,
        revision=revision,
        review=review,
        baseline=baseline,
        baseline_kind=baseline_kind,
        changes=changes,
        comments=comments,
        signoffs=signoffs,
        field_comments=by_field,
        **conversation,
    )


def field_comments_for(ad: Ad) -> dict[str, list[Comment]]:
    """Comments attached to a field in the ad's latest review, for the editor to show beside each field."""
    latest = Review.objects.filter(ad_id=ad.pk).values_list("pk", flat=True).first()
    if latest is None:
        return {}
    by_field: dict[str, list[Comment]] = {}
    for comment in Comment.objects.filter(review_id=latest).exclude(field="").select_related("author"):
        by_field.setdefault(comment.field, []).append(comment)
    return by_field


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    who: str
    what: str
    revision_number: int | None
    revision_hash: str
    comment: str = ""
    from_state: str = ""
    to_state: str = ""
    kind: str = "event"

    @property
    def from_label(self) -> str:
        return State(self.from_state).label if self.from_state else ""

    @property
    def to_label(self) -> str:
        return State(self.to_state).label if self.to_state else ""


def timeline_for(ad: Ad, *, limit: int = 500) -> list[TimelineEntry]:
    """Who did what and when, newest first: every saved revision and every audit event."""
    entries = [
        TimelineEntry(
            at=r.created_at,
            who=r.author.display_name,
            what=f"saved revision {r.number}",
            revision_number=r.number,
            revision_hash=r.content_hash,
            kind="revision",
        )
        for r in Revision.objects.filter(ad_id=ad.pk).select_related("author").order_by("-number")[:limit]
    ]
    entries += [
        TimelineEntry(
            at=e.created_at,
            who=e.who,
            what=e.get_action_display(),
            revision_number=e.revision.number if e.revision else None,
            revision_hash=e.revision_hash,
            comment=e.comment,
            from_state=e.from_state if e.is_move else "",
            to_state=e.to_state if e.is_move else "",
            kind=e.action,
        )
        for e in AuditEvent.objects.filter(ad_id=ad.pk).select_related("actor", "revision")[:limit]
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def share_links_of(ad: Ad) -> list[ShareLink]:
    return list(ShareLink.objects.filter(ad_id=ad.pk).select_related("revision", "created_by")[:100])


def share_link_status(link: ShareLink, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if link.revoked_at:
        return "revoked"
    return "expired" if link.expires_at <= now else "active"


def audit_rows(queryset: QuerySet[AuditEvent]) -> Any:
    """Audit events as CSV rows (header first), for the admin's export."""
    yield [
        "time",
        "workspace",
        "ad",
        "actor",
        "stakeholder",
        "action",
        "from",
        "to",
        "revision hash",
        "comment",
        "ip",
        "share link",
    ]
    # Plain tuples of the joined columns, not model instances: an agency workspace's trail is tens of
    # thousands of rows, and building four models per row made the export ~3,000 rows a second.
    rows = queryset.values_list(
        "created_at",
        "workspace__name",
        "ad_id",
        "ad__name",
        "subject",
        "actor__username",
        "stakeholder_name",
        "action",
        "from_state",
        "to_state",
        "revision_hash",
        "comment",
        "ip",
        "share_link_id",
        "share_link__recipient",
    )
    for (
        created_at,
        workspace,
        ad_id,
        ad_name,
        subject,
        actor,
        stakeholder,
        action,
        from_state,
        to_state,
        revision_hash,
        comment,
        ip,
        link_id,
        recipient,
    ) in rows.iterator(chunk_size=2000):
        yield [
            created_at.isoformat(),
            workspace,
            f"{ad_id} {ad_name}" if ad_id is not None else subject,  # AuditEvent.concerns, without the model
            actor or "",
            stakeholder,
            action,
            from_state,
            to_state,
            revision_hash,
            comment,
            ip or "",
            f"#{link_id} for {recipient}" if link_id else "",
        ]


@dataclass(frozen=True)
class Moves:
    """The review moves a page may offer for an ad, read from the workflow's table (no state names in
    templates): `{% review_moves ad as moves %}`."""

    ad: Ad

    @property
    def can_submit(self) -> bool:
        return self.ad.state in SUBMITTABLE

    @property
    def can_withdraw(self) -> bool:
        return self.ad.state in AWAITING_DECISION

    @property
    def can_duplicate(self) -> bool:
        return self.ad.state in FINAL

    @property
    def changes_requested(self) -> bool:
        """A reviewer asked for changes: the comments wait for an answer."""
        return self.ad.state == State.CHANGES_REQUESTED


def moves_for(ad: Ad) -> Moves:
    return Moves(ad)
