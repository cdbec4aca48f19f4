"""The database cost of one sync, counted, never timed (issue 16 asks for under 12 queries per ad; the
ledger is written as each call is made, as DESIGN.md's invariant 6 wants, which costs its own commits)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inmail_studio.ads.models import Ad, State
from inmail_studio.linkedin import services
from inmail_studio.linkedin.models import AdLinkedIn, AttemptStatus, SyncAttempt
from inmail_studio.review.models import AuditEvent

MakeAd = Callable[..., Ad]

LIMIT = 19  # 26 before the claim became one UPDATE and one read


def test_one_sync_of_a_message_ad_has_a_pinned_query_count_and_records_everything(
    make_synced_ready_ad: MakeAd, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Queue without running, so the sync runs alone under the counter (as bench_sync samples it).
    monkeypatch.setattr(services.outbox, "_dispatch_sync", lambda attempt_id: None)
    ad = make_synced_ready_ad()
    attempt = SyncAttempt.objects.get(ad=ad)
    assert attempt.status == AttemptStatus.QUEUED

    with CaptureQueriesContext(connection) as queries:
        services.sync_run(attempt_id=attempt.pk)

    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) <= LIMIT, "\n".join(statements)
    # Nothing was dropped to get there: the ad moved with its audit row, every call is in the
    # ledger under its step, the link holds what LinkedIn holds, the attempt is done.
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    assert AuditEvent.objects.filter(ad=ad, from_state=State.SYNCING, to_state=State.SYNCED).count() == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.DONE and attempt.step == "creative" and attempt.request_id
    assert [(c.step, c.method) for c in attempt.calls.order_by("pk")] == [
        ("content", "POST"),
        ("creative", "GET"),
        ("creative", "POST"),
    ]
    link = AdLinkedIn.objects.get(ad=ad)
    assert link.content_urn and link.creative_urn and link.creative_campaign_urn == link.campaign_urn
    assert link.synced_hash == attempt.revision_hash and not link.content_create_uncertain

    # A second delivery of the same task is one query and changes nothing.
    with CaptureQueriesContext(connection) as again:
        services.sync_run(attempt_id=attempt.pk)
    assert len(again) == 1
