"""Reads for the LinkedIn integration, scoped by workspace membership like every other read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from inmail_studio.accounts.models import Membership
from inmail_studio.ads.models import Ad, Revision, State
from inmail_studio.review import workflow
from inmail_studio.review.selectors import approved_revision_for

# The campaign format each kind of ad runs in.
from . import payloads, services, versions
from .models import (
    CAMPAIGN_FORMATS,
    OPEN_STATUSES,
    AdLinkedIn,
    AttemptKind,
    AttemptStatus,
    Campaign,
    LinkedInConnection,
    SyncAttempt,
    TestSend,
    TestSendStatus,
)
from .services import sync_blocker, test_sends_today, why_no_test_send

# Where a development inbox shows a test message: the sandbox registers its page here when it is
# installed (`sandbox.apps`), since no room imports the sandbox (import-linter's contract).
TEST_MESSAGE_PAGES: list[Callable[..., str]] = []


def connection_of(workspace_id: int) -> LinkedInConnection | None:
    return LinkedInConnection.objects.filter(workspace_id=workspace_id).first()


@dataclass(frozen=True)
class Notice:
    """Something only a workspace admin can fix, shown in the banner and on the LinkedIn page."""

    kind: str  # "reconnect", "scopes" or "version"
    title: str
    text: str
    urgent: bool = True


def admin_notices(membership: Membership | None, *, today: date | None = None) -> list[Notice]:
    """What an admin must act on: a dead connection, permissions the app now needs but the
    connection lacks, and an API version LinkedIn refuses or sunsets within 60 days."""
    if membership is None or not membership.can_admin:
        return []
    notices: list[Notice] = []
    connection = connection_of(membership.workspace_id)
    if connection is not None and (connection.status != "active" or connection.needs_reconnect):
        notices.append(
            Notice(
                "reconnect",
                "LinkedIn needs reconnecting.",
                connection.status_detail
                or "The connection expired or was revoked; syncs and test sends stop until it is renewed.",
            )
        )
    elif connection is not None:
        missing = services.missing_scopes(connection)
        if missing:
            features = "; ".join(
                f"{services.FEATURE_SCOPES[s][1]} needs {s}" for s in missing if s in services.FEATURE_SCOPES
            )
            notices.append(
                Notice(
                    "scopes",
                    f"Reconnect LinkedIn to grant {', '.join(missing)}.",
                    f"The connection was made before the app asked for {', '.join(missing)} ({features}). "
                    "Reconnect and allow every permission LinkedIn asks for.",
                    urgent="rw_ads" in missing or "r_ads" in missing,
                )
            )
    if connection is not None:
        standing = versions.standing(settings.LINKEDIN_API_VERSION, today or timezone.now().date())
        if standing.warn:
            notices.append(
                Notice(
                    "version",
                    "LinkedIn API version: " + ("refused" if not standing.ok else "sunsetting soon"),
                    standing.message,
                    urgent=not standing.ok,
                )
            )
    return notices


def attempts_of(ad: Ad, *, limit: int = 50) -> list[SyncAttempt]:
    return list(
        SyncAttempt.objects.filter(ad=ad)
        .select_related("requested_by")
        .prefetch_related("calls")
        .order_by("-queued_at", "-pk")[:limit]
    )


@dataclass
class Panel:
    """Everything the ad page's LinkedIn panel shows."""

    ad: Ad
    membership: Membership
    connection: LinkedInConnection | None
    link: AdLinkedIn | None
    campaigns: list[Campaign]
    attempt: SyncAttempt | None
    launch: SyncAttempt | None
    test_send: TestSend | None
    test_sends_today: int
    test_send_limit: int
    has_sent_test: bool
    approved: Revision | None = None

    @property
    def connected(self) -> bool:
        return (
            self.connection is not None
            and self.connection.status == "active"
            and bool(self.ad.workspace.ad_account_urn)
        )

    @property
    def busy(self) -> bool:
        """Something is running: the panel polls until it ends."""
        working = self.ad.state in (State.SYNCING, State.LAUNCHING) or any(
            job is not None and job.status in OPEN_STATUSES for job in (self.attempt, self.launch)
        )
        sending = self.test_send is not None and not self.test_send.finished
        return working or sending

    @property
    def working(self) -> bool:
        """The ad's state claims a LinkedIn job (a sync or a launch) is under way."""
        return self.ad.state in workflow.WORK_STATES

    @property
    def on_linkedin(self) -> bool:
        """The approved revision is on LinkedIn (synced, tested, launching or live)."""
        return self.ad.state in workflow.ON_LINKEDIN

    @property
    def launching(self) -> bool:
        return self.ad.state == State.LAUNCHING

    @property
    def sync_failed(self) -> bool:
        return self.ad.state == State.SYNC_FAILED

    @property
    def waiting_to_sync(self) -> bool:
        """Approved, and no sync asked for yet."""
        return self.ad.state == State.APPROVED

    @property
    def live(self) -> bool:
        """Final (live): LinkedIn accepts no change to it."""
        return self.ad.state in workflow.FINAL

    @property
    def campaign_locked(self) -> bool:
        """The campaign can't change: the ad is final, or a sync or launch is under way."""
        return self.live or self.working

    @property
    def test_sendable(self) -> bool:
        """The ad is in a state whose move is a test send (synced, tested): the test section shows."""
        return self.ad.state in workflow.TEST_SENDABLE

    @property
    def job(self) -> SyncAttempt | None:
        """The sync or launch under way (the ad's state says which)."""
        return self.launch if self.ad.state == State.LAUNCHING else self.attempt

    @property
    def job_waiting(self) -> bool:
        """The job under way waits (for its retry, or for a worker): offer "Retry now"."""
        return _waiting(self.job, running=AttemptStatus.INFLIGHT)

    @property
    def test_send_waiting(self) -> bool:
        return _waiting(self.test_send, running="sending")

    @property
    def launch_failed(self) -> bool:
        """The last launch failed (the ad is back to tested): the Launch button retries it."""
        return (
            self.ad.state == State.TESTED
            and self.launch is not None
            and self.launch.status == AttemptStatus.FAILED
        )

    @property
    def sync_blocker(self) -> str:
        return sync_blocker(self.ad)

    @property
    def campaign_name(self) -> str:
        urn = self.link.campaign_urn if self.link else ""
        return next((c.name for c in self.campaigns if c.urn == urn), urn)

    @property
    def test_recipient(self) -> str:
        """Who test messages go to: the member who connected LinkedIn, by name (their URN if unknown)."""
        connection = self.connection
        urn = (self.test_send.recipient_urn if self.test_send else "") or (
            connection.member_urn if connection else ""
        )
        if connection is not None and connection.member_name and connection.member_urn == urn:
            return connection.member_name
        return urn or "the member who connected LinkedIn"

    @property
    def test_message_url(self) -> str:
        """In development, the sandbox inbox's page of the test message just sent ("" otherwise)."""
        send = self.test_send
        if (
            not settings.LINKEDIN_SANDBOX
            or send is None
            or send.status != TestSendStatus.SENT
            or not self.link
        ):
            return ""
        for page_of in TEST_MESSAGE_PAGES:
            url = page_of(recipient_urn=send.recipient_urn, creative_urn=self.link.creative_urn)
            if url:
                return url
        return ""

    @property
    def can_sync_actions(self) -> bool:
        return self.membership.can_edit or self.membership.can_approve

    @property
    def test_send_refusal(self) -> str:
        """Why "Send test" would be refused now (the service's own message), or ""."""
        send = self.test_send
        return why_no_test_send(
            self.ad,
            revision=self.approved,
            link=self.link,
            open_send=send if send is not None and not send.finished else None,
            sends_today=self.test_sends_today,
        )

    @property
    def can_send_test(self) -> bool:
        """The button is offered when the service would accept: a test still queued is only offered
        again ("Retry now") once it waits (for its retry, or for a worker)."""
        send = self.test_send
        just_queued = send is not None and not send.finished and not self.test_send_waiting
        return self.can_sync_actions and not self.test_send_refusal and not just_queued

    @property
    def can_launch(self) -> bool:
        return self.membership.can_approve and self.ad.state == State.TESTED and self.has_sent_test

    @property
    def can_retry_job(self) -> bool:
        if self.job is not None and self.job.kind == AttemptKind.LAUNCH:
            return self.membership.can_approve
        return self.can_sync_actions

    @property
    def placeholder_warning(self) -> str:
        """The ad's current revision sends members to a placeholder address (example.com)."""
        from inmail_studio.ads import placeholders

        revision = self.ad.current_revision
        found = placeholders.in_snapshot(revision.snapshot) if revision is not None else []
        return placeholders.message(found) if found else ""

    @property
    def sender_warning(self) -> str:
        sender = self.ad.sender
        if sender is None or sender.can_send:
            return ""
        if sender.permission == "revoked":
            return f"{sender.name} withdrew permission to send ads for this account; LinkedIn will refuse this ad."
        return f"{sender.name} hasn't approved sending ads for this account yet; LinkedIn will refuse this ad until they do."


# A queued job not taken within this long is waiting for a worker (or a broker that is down).
WAITING_AFTER = timedelta(seconds=5)


def _waiting(job: SyncAttempt | TestSend | None, *, running: str) -> bool:
    if job is None or job.status == running or job.finished_at is not None:
        return False
    if job.retry_at is not None:  # a retry is scheduled
        return True
    queued = job.queued_at if isinstance(job, SyncAttempt) else job.created_at
    return queued < timezone.now() - WAITING_AFTER


def panel_for(ad: Ad, membership: Membership) -> Panel:

    link = AdLinkedIn.objects.filter(ad=ad).first()
    test_send = TestSend.objects.filter(ad=ad).order_by("-created_at", "-pk").first()
    approved = approved_revision_for(ad)
    return Panel(
        ad=ad,
        membership=membership,
        connection=connection_of(ad.workspace_id),
        link=link,
        campaigns=list(
            Campaign.objects.filter(
                workspace_id=ad.workspace_id, format__in=["", CAMPAIGN_FORMATS.get(ad.kind, "")]
            )
        ),
        attempt=SyncAttempt.objects.filter(ad=ad, kind=AttemptKind.SYNC)
        .order_by("-queued_at", "-pk")
        .first(),
        launch=SyncAttempt.objects.filter(ad=ad, kind=AttemptKind.LAUNCH)
        .order_by("-queued_at", "-pk")
        .first(),
        test_send=test_send,
        test_sends_today=test_sends_today(ad),
        test_send_limit=settings.LINKEDIN_TEST_SENDS_PER_DAY,
        has_sent_test=approved is not None
        and TestSend.objects.filter(ad=ad, revision=approved, status=TestSendStatus.SENT).exists(),
        approved=approved,
    )


def payload_for(ad: Ad) -> dict[str, Any]:
    """ "Show API payload": the approved revision if there is one, else the current draft."""

    revision = approved_revision_for(ad) or ad.current_revision
    link = AdLinkedIn.objects.filter(ad=ad).first()
    snapshot = revision.snapshot if revision else {}
    banner = snapshot.get("banner")
    image_urn = link.image_urn if link and banner and link.image_sha256 == banner.get("sha256") else None
    return {
        "revision": revision,
        "approved": revision is not None and revision == approved_revision_for(ad),
        **payloads.preview(
            snapshot,
            account_urn=ad.workspace.ad_account_urn,
            campaign_urn=link.campaign_urn if link else "",
            ad_id=ad.pk,
            content_urn=link.content_urn if link else None,
            image_urn=image_urn,
        ),
    }
