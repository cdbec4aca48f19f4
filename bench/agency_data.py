"""The agency-scale data set: 50 workspaces x 2,000 ads x 10 revisions, loaded with PostgreSQL COPY.

    100,000 ads, 1,000,000 revisions, ~125,000 reviews with their decisions, ~250,000 comments,
    ~650,000 audit events, a sync ledger (attempt + 3 calls) for every synced or live ad, and
    30 days of results for every live ad.

It lives in its own database (`inmail_perf_bench` by default, never a test database) and is built
once: the last row written is a marker workspace whose name carries `VERSION`, and a later run
that finds the marker reuses the data (a run that died half-way left no marker, so the database is
rebuilt). Change `VERSION` when the shape of the data changes.

Small things (users, workspaces, senders, personas) go through the ORM; the big tables go through
`COPY ... FROM STDIN` (psycopg's `cursor.copy`), with ids assigned here so rows can point at each
other without reading anything back, inside one transaction with triggers (foreign-key checks and
the audit table's append-only guard) off for the load: the data is consistent by construction.
Builds in about 2-3 minutes on an idle two-core machine.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

VERSION = "agency-v1"
MARKER_SLUG = "agency-bench-marker"
WORKSPACES = 50
ADS_PER_WORKSPACE = 2000
REVISIONS = 10
RESULT_DAYS = 30

# State by `i % 20`: 40% drafts, 15% in review, 10% changes requested, 10% approved,
# 15% synced, 10% live.
_STATES = ["draft"] * 8 + ["in_review"] * 3 + ["changes_requested"] * 2 + ["approved"] * 2
_STATES += ["synced"] * 3 + ["live"] * 2

# Words the ad names and subjects are made of, so a search term matches a realistic few.
_PRODUCTS = [
    "Ledger", "Payroll", "Forecast", "Close", "Treasury", "Audit", "Spend", "Billing", "Revenue",
    "Compliance", "Procure", "Expense", "Tax", "Cashflow", "Budget", "Invoice", "Vendor", "Reconcile",
]  # fmt: skip
_CAMPAIGNS = [
    "webinar", "ebook", "demo", "trial", "event", "report", "survey", "podcast", "guide", "summit",
    "workshop", "checklist", "benchmark", "roundtable", "playbook",
]  # fmt: skip
_QUARTERS = ["Q1", "Q2", "Q3", "Q4"]

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Dataset:
    """What the benchmark needs to know about the loaded data."""

    manager_id: int  # a member (admin) of every workspace, author of nothing: the bench's user
    superuser_id: int  # for the admin's audit trail and export
    workspace_ids: list[int]
    seconds_to_build: float | None  # None when an earlier run's data was reused


def marker_present(cursor: Any) -> bool:
    """Whether a completed build of this VERSION is in the database `cursor` is connected to."""
    cursor.execute("SELECT to_regclass('accounts_workspace') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return False
    cursor.execute("SELECT 1 FROM accounts_workspace WHERE slug = %s AND name = %s", [MARKER_SLUG, VERSION])
    return cursor.fetchone() is not None


def ensure() -> Dataset:
    """The data set, built now unless a complete build of this VERSION is already there."""
    from django.db import connection

    from inmail_studio.accounts.models import User, Workspace

    with connection.cursor() as cursor:
        present = marker_present(cursor)
    took: float | None = None
    if not present:
        if Workspace.objects.exists():
            raise RuntimeError("The agency bench database holds other data; drop it and run again.")
        start = time.perf_counter()
        _build()
        took = time.perf_counter() - start
    workspace_ids = list(
        Workspace.objects.filter(slug__startswith="agency-")
        .exclude(slug=MARKER_SLUG)
        .values_list("pk", flat=True)
    )
    return Dataset(
        manager_id=User.objects.get(username="agency-manager").pk,
        superuser_id=User.objects.get(username="agency-superuser").pk,
        workspace_ids=sorted(workspace_ids),
        seconds_to_build=took,
    )


def _ts(value: datetime) -> str:
    return value.isoformat()


def _build() -> None:
    from django.db import connection, transaction

    from inmail_studio.accounts.models import Membership, Role, User, Workspace
    from inmail_studio.ads.models import Sender, SenderPermission
    from inmail_studio.ads.services import personas_ensure

    rng = random.Random(16)
    with transaction.atomic():
        manager = User.objects.create_user("agency-manager", first_name="Morgan", last_name="Manager")
        User.objects.create_superuser("agency-superuser", email="", password=None)
        workspaces: list[tuple[Workspace, User, User, list[Sender]]] = []
        for w in range(WORKSPACES):
            workspace = Workspace.objects.create(
                name=f"Client {w:02d}",
                slug=f"agency-{w:02d}",
                ad_account_urn=f"urn:li:sponsoredAccount:{9000 + w}",
            )
            author = User.objects.create_user(
                f"agency-author-{w:02d}", first_name="Ann", last_name=f"Author {w}"
            )
            approver = User.objects.create_user(
                f"agency-approver-{w:02d}", first_name="Abe", last_name=f"Approver {w}"
            )
            Membership.objects.bulk_create(
                [
                    Membership(user=manager, workspace=workspace, role=Role.ADMIN),
                    Membership(user=author, workspace=workspace, role=Role.AUTHOR),
                    Membership(user=approver, workspace=workspace, role=Role.APPROVER),
                ]
            )
            senders = Sender.objects.bulk_create(
                Sender(
                    workspace=workspace,
                    urn=f"urn:li:person:agency{w}s{s}",
                    name=f"Sender {s} of client {w}",
                    headline="VP Marketing",
                    permission=SenderPermission.APPROVED,
                )
                for s in range(5)
            )
            personas_ensure(workspace=workspace)
            workspaces.append((workspace, author, approver, senders))

        raw = connection.connection
        assert raw is not None
        with raw.cursor() as cursor:
            # Triggers off for this transaction only: foreign keys are consistent by construction,
            # and checking 3 million of them one by one is most of a load's time.
            cursor.execute("SET LOCAL session_replication_role = replica")
            _copy_all(cursor, workspaces, rng)
            cursor.execute("SET LOCAL session_replication_role = origin")
            for table in (
                "ads_ad",
                "ads_revision",
                "review_review",
                "review_decision",
                "review_comment",
                "review_auditevent",
                "linkedin_adlinkedin",
                "linkedin_syncattempt",
                "linkedin_synccall",
                "guidance_dailyresult",
            ):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                )
        Workspace.objects.create(name=VERSION, slug=MARKER_SLUG)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _event(
    events: list[tuple[Any, ...]],
    ids: _Ids,
    clock: list[datetime],
    ad: int,
    hashes: list[str],
    workspace_id: int,
    action: str,
    frm: str,
    to: str,
    revision: int,
    actor: int,
    comment: str = "",
) -> None:
    """One audit row of `ad`, seven minutes after the one before."""
    clock[0] += timedelta(minutes=7)
    events.append(
        (
            ids(), "", action, frm, to, hashes[revision - 1], comment, "203.0.113.9", _ts(clock[0]),
            actor, ad, (ad - 1) * REVISIONS + revision, workspace_id, None, "",
        )
    )  # fmt: skip


class _Ids:
    def __init__(self) -> None:
        self.next = 0

    def __call__(self) -> int:
        self.next += 1
        return self.next


def _copy(cursor: Any, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _copy_all(cursor: Any, workspaces: list[Any], rng: random.Random) -> None:
    """Generate every big table in one pass over the ads, buffered per table, then COPY each."""
    ad_id, review_id, decision_id, comment_id, event_id = _Ids(), _Ids(), _Ids(), _Ids(), _Ids()
    linked_id, attempt_id, call_id, result_id = _Ids(), _Ids(), _Ids(), _Ids()
    for number, (workspace, author, approver, senders) in enumerate(workspaces, 1):
        if number % 10 == 0:
            print(f"  loading: {number} of {len(workspaces)} workspaces", flush=True)
        # One workspace's rows at a time: a million revisions at once would hold a gigabyte.
        ads: list[tuple[Any, ...]] = []
        revisions: list[tuple[Any, ...]] = []
        reviews: list[tuple[Any, ...]] = []
        decisions: list[tuple[Any, ...]] = []
        comments: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        linked: list[tuple[Any, ...]] = []
        attempts: list[tuple[Any, ...]] = []
        calls: list[tuple[Any, ...]] = []
        results: list[tuple[Any, ...]] = []
        pulls: list[tuple[Any, ...]] = []
        plans: list[tuple[Any, ...]] = []
        for i in range(ADS_PER_WORKSPACE):
            a = ad_id()
            state = _STATES[i % 20]
            product = _PRODUCTS[rng.randrange(len(_PRODUCTS))]
            campaign = _CAMPAIGNS[rng.randrange(len(_CAMPAIGNS))]
            name = f"{product} {campaign} {_QUARTERS[i % 4]} #{i:04d}"
            subject = f"%FIRSTNAME%, the {product.lower()} {campaign} for %COMPANYNAME%"
            body = (
                f"<p>Hi %FIRSTNAME%,</p><p>Our {product} {campaign} shows how teams like "
                f"%COMPANYNAME% close faster.</p><p>Ad {a}.</p>"
            )
            sender = senders[i % len(senders)]
            sender_snapshot = {
                "id": sender.pk,
                "urn": sender.urn,
                "name": sender.name,
                "headline": sender.headline,
                "photo": "",
            }
            created = EPOCH + timedelta(minutes=a * 2)
            updated = created + timedelta(hours=rng.randrange(1, 24 * 90))
            hashes: list[str] = []
            for n in range(1, REVISIONS + 1):
                snapshot = {
                    "v": 1,
                    "kind": "message",
                    "name": name,
                    "sender": sender_snapshot,
                    "subject": subject if n == REVISIONS else f"{subject} (take {n})",
                    "body": body + ("" if n == REVISIONS else f"<p>Draft {n}.</p>"),
                    "footer": "",
                    "cta_kind": "landing_page",
                    "cta_text": "Learn more",
                    "landing_page_url": f"https://example.com/{product.lower()}/{a}",
                    "lead_form_urn": "",
                    "banner": None,
                }
                text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                digest = hashlib.sha256(text.encode()).hexdigest()
                hashes.append(digest)
                revisions.append(
                    (
                        (a - 1) * REVISIONS + n,
                        n,
                        text,
                        digest,
                        _ts(created + timedelta(minutes=n)),
                        a,
                        author.pk,
                    )
                )
            current = (a - 1) * REVISIONS + REVISIONS
            ads.append(
                (
                    a, "message", name, subject, body, "", "landing_page", "Learn more",
                    f"https://example.com/{product.lower()}/{a}", "", state, _ts(created), _ts(updated),
                    author.pk, workspace.pk, None, current, sender.pk,
                )
            )  # fmt: skip

            # The audit trail: a few rounds of submit / changes requested (or withdrawn) on the way.
            clock = [created + timedelta(minutes=15)]
            event = functools.partial(_event, events, event_id, clock, a, hashes, workspace.pk)
            for r in range(2 + i % 3):
                revision = min(REVISIONS, 2 + r)
                event("submitted", "draft", "in_review", revision, author.pk)
                if state == "draft" and r % 2:
                    event("withdrawn", "in_review", "draft", revision, author.pk)
                else:
                    event(
                        "changes_requested",
                        "in_review",
                        "changes_requested",
                        revision,
                        approver.pk,
                        "Tighten it.",
                    )
                    event("edited", "changes_requested", "draft", revision + 1, author.pk)
            if state == "draft":
                continue

            # A closed review of r5 with its decision and a short thread; ads in review also have an
            # open review of their current revision.
            verdict = "changes_requested" if state == "changes_requested" else "approved"
            t = clock[0]
            rid = review_id()
            r5 = (a - 1) * REVISIONS + 5
            reviews.append((rid, _ts(t), verdict, _ts(t + timedelta(hours=1)), a, r5, author.pk))
            decisions.append(
                (decision_id(), verdict, "", _ts(t + timedelta(hours=1)), a, approver.pk, r5, author.pk, rid)
            )
            for k in range(2):
                comments.append(
                    (
                        comment_id(),
                        "",
                        "subject" if k else "",
                        f"Comment {k} on ad {a}",
                        _ts(t),
                        a,
                        approver.pk,
                        r5,
                        rid,
                    )
                )
            event("submitted", "draft", "in_review", 5, author.pk)
            event(verdict, "in_review", verdict, 5, approver.pk)
            if state == "in_review":
                open_id = review_id()
                reviews.append((open_id, _ts(t), "open", None, a, current, author.pk))
                for k in range(2):
                    comments.append(
                        (
                            comment_id(),
                            "",
                            "body" if k else "",
                            f"Open comment {k}",
                            _ts(t),
                            a,
                            approver.pk,
                            current,
                            open_id,
                        )
                    )
                event("submitted", "approved", "in_review", REVISIONS, author.pk)
            if state in ("synced", "live"):
                synced_at = t + timedelta(hours=2)
                creative = f"urn:li:sponsoredCreative:{700000 + a}"
                linked.append(
                    (
                        linked_id(), f"urn:li:sponsoredCampaign:{workspace.pk}", f"urn:li:inMailContent:{a}",
                        creative, f"urn:li:sponsoredCampaign:{workspace.pk}", "", "", hashes[4], _ts(synced_at),
                        False, "", "{}", a,
                    )
                )  # fmt: skip
                at = attempt_id()
                attempts.append(
                    (
                        at, hashes[4], "done", "", f"req-{a}", "", "", 1, None, _ts(t), _ts(t),
                        _ts(synced_at), a, approver.pk, r5, "", "sync", None,
                    )
                )  # fmt: skip
                for step, method, resource in (
                    ("content", "POST", "/adInMailContents"),
                    ("find_creative", "GET", "/adAccounts/creatives"),
                    ("creative", "POST", "/adAccounts/creatives"),
                ):
                    calls.append(
                        (call_id(), step, method, resource, 201, f"req-{a}-{step}", 54, "", "", _ts(t), at)
                    )
            if state == "live":
                first_day = date(2026, 6, 1)
                for d in range(RESULT_DAYS):
                    sends = 400 + rng.randrange(200)
                    opens = sends * rng.randrange(35, 60) // 100
                    clicks = opens * rng.randrange(2, 9) // 100
                    results.append(
                        (
                            result_id(), creative, first_day + timedelta(days=d), sends, opens, clicks, clicks,
                            clicks // 4, Decimal(sends) * Decimal("0.35"), _ts(t), a,
                        )
                    )  # fmt: skip
                pulls.append((a, _ts(t), RESULT_DAYS, "", _ts(t)))
                plans.append((a, "webinar", 50_000, Decimal("0.10"), "a", _ts(t)))

        _copy(cursor, "ads_ad", [
            "id", "kind", "name", "subject", "body", "footer", "cta_kind", "cta_text", "landing_page_url",
            "lead_form_urn", "state", "created_at", "updated_at", "author_id", "workspace_id", "banner_id",
            "current_revision_id", "sender_id",
        ], iter(ads))  # fmt: skip
        _copy(
            cursor,
            "ads_revision",
            ["id", "number", "snapshot", "content_hash", "created_at", "ad_id", "author_id"],
            iter(revisions),
        )
        _copy(
            cursor,
            "review_review",
            ["id", "submitted_at", "status", "closed_at", "ad_id", "revision_id", "submitted_by_id"],
            iter(reviews),
        )
        _copy(cursor, "review_decision", [
            "id", "verdict", "comment", "created_at", "ad_id", "approver_id", "revision_id", "revision_author_id",
            "review_id",
        ], iter(decisions))  # fmt: skip
        _copy(cursor, "review_comment", [
            "id", "stakeholder_name", "field", "body", "created_at", "ad_id", "author_id", "revision_id", "review_id",
        ], iter(comments))  # fmt: skip
        _copy(cursor, "review_auditevent", [
            "id", "stakeholder_name", "action", "from_state", "to_state", "revision_hash", "comment", "ip",
            "created_at", "actor_id", "ad_id", "revision_id", "workspace_id", "share_link_id", "subject",
        ], iter(events))  # fmt: skip
        _copy(cursor, "linkedin_adlinkedin", [
            "id", "campaign_urn", "content_urn", "creative_urn", "creative_campaign_urn", "image_urn",
            "image_sha256", "synced_hash", "synced_at", "content_create_uncertain", "origin_urn", "origin", "ad_id",
        ], iter(linked))  # fmt: skip
        _copy(cursor, "linkedin_syncattempt", [
            "id", "revision_hash", "status", "step", "request_id", "error", "error_code", "tries", "lease_until",
            "queued_at", "started_at", "finished_at", "ad_id", "requested_by_id", "revision_id", "holder", "kind",
            "retry_at",
        ], iter(attempts))  # fmt: skip
        _copy(cursor, "linkedin_synccall", [
            "id", "step", "method", "resource", "http_status", "request_id", "duration_ms", "error", "note", "at",
            "attempt_id",
        ], iter(calls))  # fmt: skip
        _copy(cursor, "guidance_dailyresult", [
            "id", "creative_urn", "day", "sends", "opens", "clicks", "action_clicks", "leads", "spend", "pulled_at",
            "ad_id",
        ], iter(results))  # fmt: skip
        _copy(
            cursor,
            "guidance_resultspull",
            ["ad_id", "pulled_at", "days", "error", "attempted_at"],
            iter(pulls),
        )
        _copy(
            cursor,
            "guidance_adplan",
            ["ad_id", "offer_type", "audience_size", "conversion_rate", "utm_variant", "updated_at"],
            iter(plans),
        )


def counts() -> dict[str, int]:
    """Rows per big table (planner estimates are not good enough for a report: exact counts)."""
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for table in ("ads_ad", "ads_revision", "review_review", "review_comment", "review_auditevent",
                      "linkedin_synccall", "guidance_dailyresult"):  # fmt: skip
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            out[table] = cursor.fetchone()[0]
    return out
