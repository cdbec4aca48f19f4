"""Writes of the approval workflow: submit, withdraw, decide, comment, share, notify.

Each service checks the actor's role, locks the ad's row, checks the state and the
revision the actor saw, moves the ad through `workflow.move` (which writes the audit
row), and queues notifications for after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from inmail_studio.accounts.models import APPROVE_ROLES, EDIT_ROLES, Membership, User
from inmail_studio.ads import copies, limits, snapshots
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.conversation import validation as conversation_validation
from inmail_studio.ads.conversation.tree import empty_tree
from inmail_studio.ads.models import Ad, CtaKind, Kind, Revision, State
from inmail_studio.ads.selectors import ads_for
from inmail_studio.single_line import validate_single_line

from . import signals, workflow
from .models import (
    Action,
    AuditEvent,
    Comment,
    Decision,
    Notification,
    Review,
    ReviewStatus,
    ShareKind,
    ShareLink,
    Verdict,
)
from .notifications import notify
from .workflow import IllegalMove, StaleState

COMMENT_FIELDS: dict[str, str] = dict(snapshots.FIELDS)
SHARE_LINK_DAYS = 7
SHARE_LINK_MAX_DAYS = 30
RECIPIENT_MAX = 120
# Comments are read by people, in threads, timelines and emails: a bound keeps every page that shows them cheap.
COMMENT_MAX = 5000
_SHARE_SALT = "inmail_studio.review.share"


class NotReady(ValidationError):
    """The draft can't be submitted yet; `messages` says what to fix."""


class ShareLinkRefused(Exception):
    """The share link is unknown, tampered with, expired, revoked, or for another revision."""

    def __init__(self, message: str, *, status: int = 404) -> None:
        super().__init__(message)
        self.status = status


class ShareLinkUsed(ShareLinkRefused):
    """The sign-off link already recorded its one decision."""

    def __init__(self, link: ShareLink) -> None:
        verdict = "signed off" if link.used_verdict == Verdict.APPROVED else "asked for changes"
        when = timezone.localtime(link.used_at).strftime("%-d %B %Y, %H:%M") if link.used_at else ""
        super().__init__(
            f"This link was already used: {link.recipient} {verdict} on {when}. A sign-off link records "
            "one decision; ask the person who shared it for a new link to decide again.",
            status=409,
        )


# ---------------------------------------------------------------- lookups and checks


def _locked_ad(user: User, ad_id: int) -> Ad:
    """The ad under a row lock, if the user is a member of its workspace (else 404)."""
    ad = ads_for(user).select_for_update().filter(pk=ad_id).first()
    if ad is None:
        raise Http404("No such ad.")
    return ad


def _require_role(user: User, ad: Ad, roles: Iterable[str], doing: str) -> None:
    if not Membership.objects.filter(user=user, workspace_id=ad.workspace_id, role__in=list(roles)).exists():
        raise PermissionDenied(f"Your role in this workspace doesn't allow you to {doing}.")


def _open_review(ad: Ad) -> Review | None:
    return Review.objects.select_related("revision").filter(ad=ad, status=ReviewStatus.OPEN).first()


def _current_revision(ad: Ad) -> Revision:
    if ad.current_revision_id is None:
        raise IllegalMove("Save the draft first.")
    return Revision.objects.get(pk=ad.current_revision_id)


def _what_happened(ad: Ad) -> str:
    """The last move of this ad in words, for someone whose action came too late."""
    event = (
        AuditEvent.objects.filter(ad=ad)
        .exclude(from_state=F("to_state"))
        .select_related("actor", "revision")
        .first()
    )
    if event is None:
        return f"it is {State(ad.state).label.lower()} now"
    when = timezone.localtime(event.created_at).strftime("%H:%M:%S")
    revision = f" r{event.revision.number}" if event.revision else ""
    return f"{event.who} {event.get_action_display()}{revision} at {when}"


def submission_problems(ad: Ad, *, revision: Revision | None = None) -> list[str]:
    """What stops this draft from being submitted, in words the author can act on.

    A conversation ad is judged on the tree of `revision` (the one submission would pin; the
    current one by default): any error of the conversation validator blocks it, warnings don't.
    Its calls to action live on its buttons, so the message ad's body, CTA and landing page
    checks don't apply to it.
    """
    problems: list[str] = []
    is_conversation = ad.kind == Kind.CONVERSATION
    try:
        # A conversation's footer has its own, larger limit, checked below.
        ad.full_clean(exclude=["footer"] if is_conversation else None)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            label = COMMENT_FIELDS.get(field, field.replace("_", " ").capitalize())
            problems.extend(f"{label}: {m}" for m in messages)
    if ad.sender_id is None:
        problems.append("Choose a sender.")
    elif not ad.sender.can_send:  # type: ignore[union-attr]
        problems.append(
            f"{ad.sender.name} hasn't approved sending for this ad account yet "  # type: ignore[union-attr]
            f"(permission {ad.sender.get_permission_display().lower()})."  # type: ignore[union-attr]
        )
    if not ad.subject.strip():
        problems.append("Write a subject.")
    if ad.kind == Kind.MESSAGE:
        if not ad.body.strip():
            problems.append("Write the message body.")
        if not ad.cta_text.strip():
            problems.append("Write the call-to-action button text.")
        if ad.cta_kind == CtaKind.LANDING_PAGE and not ad.landing_page_url:
            problems.append("Set a landing page URL, or choose a lead gen form.")
        if ad.cta_kind == CtaKind.LEAD_FORM and not ad.lead_form_urn:
            problems.append("Set the lead gen form, or choose a landing page.")
    if is_conversation:
        footer = limits.measure_plain(limits.CONVERSATION_FOOTER, ad.footer)
        if not footer.ok:
            problems.append(footer.message)
        if revision is None and ad.current_revision_id is not None:
            revision = Revision.objects.get(pk=ad.current_revision_id)
        tree = (revision.snapshot.get("tree") if revision is not None else None) or empty_tree()
        problems.extend(f"Conversation: {p.message}" for p in conversation_validation.errors(tree))
    return problems


def _within_comment_limit(*texts: str, refusal: type[ValidationError] = ValidationError) -> None:
    longest = max((len(t) for t in texts), default=0)
    if longest > COMMENT_MAX:
        raise refusal([f"A comment has {longest:,} characters; write at most {COMMENT_MAX:,}."])


def _approvers(ad: Ad, *, excluding: int | None) -> list[User]:
    users = User.objects.filter(
        memberships__workspace_id=ad.workspace_id, memberships__role__in=list(APPROVE_ROLES), is_active=True
    )
    if excluding is not None:
        users = users.exclude(pk=excluding)
    return list(users)


def _author_side(ad: Ad, review: Review | None) -> list[User]:
    ids = {ad.author_id}
    if review is not None:
        ids.add(review.submitted_by_id)
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _tell_author_side(ad: Ad, review: Review, approver: User, decided: str) -> None:
    """Tell the ad's author (and whoever submitted it) what the approver decided, linking to the editor."""
    notify(
        recipients=_author_side(ad, review),
        ad=ad,
        message=f"{approver.display_name} {decided} “{ad.name}” (r{review.revision.number}).",
        url=_editor_url(ad),
        actor=approver,
    )


def _review_url(ad: Ad) -> str:
    return reverse("review:detail", args=[ad.pk])


def _editor_url(ad: Ad) -> str:
    return reverse("ads:edit", args=[ad.pk])


# ---------------------------------------------------------------- transitions


@transaction.atomic
def submit(*, ad_id: int, actor: User, ip: str | None = None, comment: str = "") -> Ad:
    """Pin the current revision and put the ad in review, if it is ready to go out."""
    _within_comment_limit(comment.strip(), refusal=NotReady)
    ad = _locked_ad(actor, ad_id)
    _require_role(actor, ad, EDIT_ROLES, "submit ads for review")
    if not workflow.can_move(ad.state, State.IN_REVIEW):
        raise IllegalMove(
            f"Only a draft can be submitted; this ad is {State(ad.state).label.lower()}"
            + (" and waits for a decision." if ad.state == State.IN_REVIEW else ".")
        )
    if not ad.is_message:
        # A conversation's adds, deletes and relinks wait for a save (one revision a working session);
        # "Submit for review" means what is on screen, so unsaved changes to the tree are saved first,
        # as the editor's script does before it submits (this is the path without it).
        ad_services.ad_content_saved(ad=ad, editor=actor)
    revision = _current_revision(ad)
    problems = submission_problems(ad, revision=revision)
    if problems:
        raise NotReady(problems)
    review = Review.objects.create(ad=ad, revision=revision, submitted_by=actor)
    workflow.move(
        ad, State.IN_REVIEW, actor=actor, revision=revision, note=comment, ip=ip, action=Action.SUBMITTED
    )
    if comment.strip():
        Comment.objects.create(ad=ad, review=review, revision=revision, author=actor, body=comment.strip())
    notify(
        recipients=_approvers(ad, excluding=revision.author_id),
        ad=ad,
        message=f"{actor.display_name} asks you to review “{ad.name}” (r{revision.number}).",
        url=_review_url(ad),
        actor=actor,
    )
    return ad


@transaction.atomic
def withdraw(*, ad_id: int, actor: User, ip: str | None = None) -> Ad:
    """Take an ad back out of review, ending the review; it is a draft again."""
    ad = _locked_ad(actor, ad_id)
    _require_role(actor, ad, EDIT_ROLES, "withdraw ads from review")
    review = _open_review(ad)
    if ad.state != State.IN_REVIEW or review is None:
        raise IllegalMove(f"Only an ad in review can be withdrawn; {_what_happened(ad)}.")
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.WITHDRAWN, closed_at=timezone.now())
    workflow.move(ad, State.DRAFT, actor=actor, revision=review.revision, ip=ip, action=Action.WITHDRAWN)
    return ad


def _deciding(actor: User, ad_id: int, revision_hash: str, doing: str) -> tuple[Ad, Review]:
    """Lock the ad and return the open review the approver saw, or explain why not."""
    ad = _locked_ad(actor, ad_id)
    _require_role(actor, ad, APPROVE_ROLES, doing)
    review = _open_review(ad)
    if ad.state != State.IN_REVIEW or review is None:
        if Review.objects.filter(ad=ad, revision__content_hash=revision_hash).exists():
            raise StaleState(f"This ad is no longer in review: {_what_happened(ad)}.")
        raise IllegalMove(
            f"Only an ad in review can be decided on; this one is {State(ad.state).label.lower()}."
        )
    if review.revision.content_hash != revision_hash:
        raise StaleState(
            f"The draft changed after you opened it: r{review.revision.number} is in review now. "
            "Nothing was recorded; look at the new revision and decide again."
        )
    if review.revision.author_id == actor.pk:
        raise PermissionDenied("You wrote this revision, so someone else has to review it.")
    return ad, review


def _decide(
    *, ad: Ad, review: Review, actor: User, verdict: Verdict, comment: str, ip: str | None, action: str
) -> Decision:
    decision = Decision.objects.create(
        review=review,
        ad=ad,
        revision=review.revision,
        revision_author_id=review.revision.author_id,
        approver=actor,
        verdict=verdict,
        comment=comment,
    )
    Review.objects.filter(pk=review.pk).update(status=verdict.value, closed_at=timezone.now())
    to = State.APPROVED if verdict == Verdict.APPROVED else State.CHANGES_REQUESTED
    workflow.move(ad, to, actor=actor, revision=review.revision, note=comment, ip=ip, action=action)
    return decision


@transaction.atomic
def approve(
    *, ad_id: int, approver: User, revision_hash: str, comment: str = "", ip: str | None = None
) -> Ad:
    """Approve exactly the revision the approver saw (named by its hash)."""
    comment = comment.strip()
    _within_comment_limit(comment)
    ad, review = _deciding(approver, ad_id, revision_hash, "approve ads")
    _decide(
        ad=ad,
        review=review,
        actor=approver,
        verdict=Verdict.APPROVED,
        comment=comment,
        ip=ip,
        action=Action.APPROVED_WITH_COMMENT if comment else Action.APPROVED,
    )
    if comment:
        Comment.objects.create(ad=ad, review=review, revision=review.revision, author=approver, body=comment)
    # The approved revision goes to LinkedIn (`linkedin.apps` listens): its sync attempt (the outbox
    # row) is written in this very transaction, its task sent after the commit. It waits if no
    # campaign is chosen yet.
    signals.approved.send(sender=Ad, ad=ad, revision_id=review.revision_id, approver=approver)
    _tell_author_side(ad, review, approver, "approved")
    return ad


@transaction.atomic
def request_changes(
    *,
    ad_id: int,
    approver: User,
    revision_hash: str,
    comment: str = "",
    field_comments: Mapping[str, str] | None = None,
    ip: str | None = None,
) -> Ad:
    """Send the ad back to its author with at least one comment (general or on a field)."""
    comment = comment.strip()
    by_field = {f: text.strip() for f, text in (field_comments or {}).items() if text and text.strip()}
    _within_comment_limit(comment, *by_field.values())
    unknown = set(by_field) - set(COMMENT_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown field: {', '.join(sorted(unknown))}.")
    if not comment and not by_field:
        raise ValidationError("Say what needs to change: a comment is required when requesting changes.")
    ad, review = _deciding(approver, ad_id, revision_hash, "request changes")
    summary = comment or "; ".join(f"{COMMENT_FIELDS[f]}: {text}" for f, text in by_field.items())
    _decide(
        ad=ad,
        review=review,
        actor=approver,
        verdict=Verdict.CHANGES_REQUESTED,
        comment=summary,
        ip=ip,
        action=Action.CHANGES_REQUESTED,
    )
    rows = (
        [Comment(ad=ad, review=review, revision=review.revision, author=approver, body=comment)]
        if comment
        else []
    )
    rows += [
        Comment(ad=ad, review=review, revision=review.revision, author=approver, field=f, body=text)
        for f, text in by_field.items()
    ]
    Comment.objects.bulk_create(rows)
    _tell_author_side(ad, review, approver, "requested changes to")
    return ad


@transaction.atomic
def comment_add(*, ad_id: int, author: User, body: str, field: str = "", ip: str | None = None) -> Comment:
    """Add to an ad's review thread, optionally about one field."""
    body = body.strip()
    if not body:
        raise ValidationError("Write a comment first.")
    _within_comment_limit(body)
    if field and field not in COMMENT_FIELDS:
        raise ValidationError("Choose one of the ad's fields, or none.")
    ad = _locked_ad(author, ad_id)
    _require_role(author, ad, EDIT_ROLES | APPROVE_ROLES, "comment on ads")
    review = Review.objects.filter(ad=ad).select_related("revision").first()
    revision = review.revision if review else _current_revision(ad)
    comment = Comment.objects.create(
        ad=ad, review=review, revision=revision, author=author, field=field, body=body
    )
    workflow.record(ad, action=Action.COMMENTED, actor=author, revision=revision, comment=body, ip=ip)
    return comment


@transaction.atomic
def duplicate(*, ad_id: int, actor: User, ip: str | None = None) -> Ad:
    """Copy an ad (typically a live one, which can't change) into a new draft, noted on the original."""
    source = _locked_ad(actor, ad_id)
    _require_role(actor, source, EDIT_ROLES, "write ads")
    copy = copies.ad_duplicate(ad_id=source.pk, author=actor)
    workflow.record(
        source,
        action=Action.DUPLICATED,
        actor=actor,
        revision=_current_revision(source),
        comment=f"New draft “{copy.name}”",
        ip=ip,
    )
    return copy


# ---------------------------------------------------------------- share links


@dataclass(frozen=True)
class SharedLink:
    link: ShareLink
    token: str


def share_token(link: ShareLink) -> str:
    """The signed token that names one link and the revision it shows.

    The same link always has the same token: its expiry and revocation live on the row, so the
    signature carries no timestamp (a timestamped one changed every second, and the address people
    copy from the Share page with it)."""
    return signing.Signer(salt=_SHARE_SALT).sign_object(
        {"l": link.pk, "r": link.revision.content_hash}, compress=True
    )


@transaction.atomic
def share_link_create(
    *,
    ad_id: int,
    creator: User,
    recipient: str,
    kind: str = ShareKind.PREVIEW,
    days: int = SHARE_LINK_DAYS,
    ip: str | None = None,
) -> SharedLink:
    """A link to the ad's current revision (the one in review, while it is in review)."""
    recipient = recipient.strip()
    if not recipient:
        raise ValidationError("Say who the link is for; their name appears in the timeline.")
    try:
        validate_single_line(recipient)
    except ValidationError:
        raise ValidationError("Who the link is for must be one line: remove the line break.") from None
    if len(recipient) > RECIPIENT_MAX:
        raise ValidationError(
            f"Who the link is for: at most {RECIPIENT_MAX} characters ({len(recipient)} now)."
        )
    if kind not in ShareKind.values:
        raise ValidationError("Choose preview or sign-off.")
    if not 1 <= days <= SHARE_LINK_MAX_DAYS:
        raise ValidationError(f"A link can last from 1 to {SHARE_LINK_MAX_DAYS} days.")
    ad = _locked_ad(creator, ad_id)
    _require_role(creator, ad, EDIT_ROLES | APPROVE_ROLES, "share ads")
    revision = _current_revision(ad)
    link = ShareLink.objects.create(
        ad=ad,
        revision=revision,
        kind=kind,
        recipient=recipient,
        created_by=creator,
        expires_at=timezone.now() + timedelta(days=days),
    )
    workflow.record(
        ad,
        action=Action.SHARE_LINK_CREATED,
        actor=creator,
        revision=revision,
        comment=f"{link.get_kind_display()} link for {link.recipient}, valid {days} days",
        ip=ip,
        share_link=link,
    )
    return SharedLink(link=link, token=share_token(link))


@transaction.atomic
def share_link_revoke(*, link_id: int, actor: User, ip: str | None = None) -> ShareLink:
    link = ShareLink.objects.select_for_update().filter(pk=link_id, ad__in=ads_for(actor)).first()
    if link is None:
        raise Http404("No such link.")
    ad = Ad.objects.get(pk=link.ad_id)
    _require_role(actor, ad, EDIT_ROLES | APPROVE_ROLES, "revoke share links")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = actor
        link.save(update_fields=["revoked_at", "revoked_by"])
        workflow.record(
            ad,
            action=Action.SHARE_LINK_REVOKED,
            actor=actor,
            revision=Revision.objects.get(pk=link.revision_id),
            comment=f"Link for {link.recipient}",
            ip=ip,
            share_link=link,
        )
    return link


def share_link_resolve(token: str) -> ShareLink:
    """The link a token names, or ShareLinkRefused saying why it can't be used."""
    try:
        payload = signing.Signer(salt=_SHARE_SALT).unsign_object(token)
    except signing.BadSignature:
        raise ShareLinkRefused("This link is not valid. Ask for a new one.") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("l"), int):
        raise ShareLinkRefused("This link is not valid. Ask for a new one.")
    link = ShareLink.objects.select_related("revision", "ad").filter(pk=payload["l"]).first()
    if link is None or link.revision.content_hash != payload.get("r"):
        raise ShareLinkRefused("This link is not valid. Ask for a new one.")
    if link.revoked_at is not None:
        raise ShareLinkRefused(
            "This link was revoked. Ask the person who shared it for a new one.", status=410
        )
    if link.expires_at <= timezone.now():
        raise ShareLinkRefused(
            "This link has expired. Ask the person who shared it for a new one.", status=410
        )
    return link


STAKEHOLDER_COMMENT_MAX = 5000


@transaction.atomic
def stakeholder_decide(
    *, token: str, verdict: str, revision_hash: str, comment: str = "", ip: str | None = None
) -> ShareLink:
    """The decision of a sign-off link's recipient, recorded under their name and with the link.

    The link names its recipient when it is made, and records one decision: a second attempt
    (a replay, a second tab, a forwarded link) is refused with ShareLinkUsed and rings nobody.
    A sign-off is recorded beside the review; it does not replace the approver's decision.
    Asking for changes sends an ad that is in review on this very revision back to its author.
    """
    link = share_link_resolve(token)
    if link.kind != ShareKind.SIGNOFF:
        raise ShareLinkRefused("This link is for viewing only.", status=403)
    if revision_hash != link.revision.content_hash:
        raise ShareLinkRefused("This sign-off names another revision than the link shows.", status=409)
    comment = comment.strip()
    if verdict not in Verdict.values:
        raise ValidationError("Choose approve or request changes.")
    if verdict == Verdict.CHANGES_REQUESTED and not comment:
        raise ValidationError("Say what needs to change.")
    if len(comment) > STAKEHOLDER_COMMENT_MAX:
        raise ValidationError(
            f"The comment has {len(comment):,} characters; write at most {STAKEHOLDER_COMMENT_MAX:,}."
        )
    # The link's row lock makes "decides once" hold under parallel submits: the second waits, then sees it used.
    link = ShareLink.objects.select_for_update().select_related("revision", "ad").get(pk=link.pk)
    if link.used_at is not None:
        raise ShareLinkUsed(link)
    name = link.recipient
    ad = Ad.objects.select_for_update().get(pk=link.ad_id)
    review = Review.objects.filter(ad=ad).select_related("revision").first()
    if comment:
        Comment.objects.create(
            ad=ad, review=review, revision=link.revision, stakeholder_name=name, body=comment
        )
    if verdict == Verdict.CHANGES_REQUESTED:
        if review and review.status == ReviewStatus.OPEN and review.revision_id == link.revision_id:
            Review.objects.filter(pk=review.pk).update(
                status=ReviewStatus.CHANGES_REQUESTED, closed_at=timezone.now()
            )
            workflow.move(
                ad,
                State.CHANGES_REQUESTED,
                actor=None,
                stakeholder_name=name,
                share_link=link,
                revision=link.revision,
                note=comment,
                ip=ip,
                action=Action.STAKEHOLDER_CHANGES_REQUESTED,
            )
        else:
            workflow.record(
                ad,
                action=Action.STAKEHOLDER_CHANGES_REQUESTED,
                actor=None,
                stakeholder_name=name,
                share_link=link,
                revision=link.revision,
                comment=comment,
                ip=ip,
            )
        message = f"{name} asked for changes to “{ad.name}” (r{link.revision.number}) through a share link."
    else:
        workflow.record(
            ad,
            action=Action.STAKEHOLDER_APPROVED,
            actor=None,
            stakeholder_name=name,
            share_link=link,
            revision=link.revision,
            comment=comment,
            ip=ip,
        )
        message = f"{name} signed off “{ad.name}” (r{link.revision.number}) through a share link."
    link.used_at, link.used_verdict = timezone.now(), verdict
    link.save(update_fields=["used_at", "used_verdict"])
    notify(
        recipients=[*_author_side(ad, review), User.objects.get(pk=link.created_by_id)],
        ad=ad,
        message=message,
        url=reverse("review:timeline", args=[ad.pk]),
    )
    return link


# ---------------------------------------------------------------- notifications


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
