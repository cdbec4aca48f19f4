"""The database cost of one sync, counted, never timed (issue 16 asks for under 12 queries per ad), and
what it may not cost: the ledger is written as each call is made (DESIGN.md's invariant 6), each row
before the next request leaves, in the same statement as the write that follows the call."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad, State
from inmail_studio.linkedin import services
from inmail_studio.linkedin.client import Call
from inmail_studio.linkedin.models import (
    AdLinkedIn,
    AttemptStatus,
    ConversationStatus,
    LinkedInConnection,
    SyncAttempt,
    SyncCall,
)
from inmail_studio.review.models import AuditEvent

from .conversations import approved_tree, in_use, make_conversation_ad, reachable_count

MakeAd = Callable[..., Ad]

# 26, then 19 once the claim became one UPDATE and one read; 11 with each ledger row written in the
# statement that follows its call and the finish as one transaction without savepoint or re-reads;
# 10 without the creatives finder's call (and its ledger row) after a content created in the same run.
LIMIT = 10
CONVERSATION_LIMIT = 20  # 31 with a statement per ledger row and a re-read of the conversation per step


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
    assert not any(s.startswith("SAVEPOINT") for s in statements)
    # Nothing was dropped to get there: the ad moved with its audit row, every call is in the
    # ledger under its step, the link holds what LinkedIn holds, the attempt is done.
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    assert AuditEvent.objects.filter(ad=ad, from_state=State.SYNCING, to_state=State.SYNCED).count() == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.DONE and attempt.step == "creative" and attempt.request_id
    # No finder call: the content was created by this run, so no creative can refer to it yet.
    assert [(c.step, c.method) for c in attempt.calls.order_by("pk")] == [
        ("content", "POST"),
        ("creative", "POST"),
    ]
    link = AdLinkedIn.objects.get(ad=ad)
    assert link.content_urn and link.creative_urn and link.creative_campaign_urn == link.campaign_urn
    assert link.synced_hash == attempt.revision_hash and not link.content_create_uncertain

    # A second delivery of the same task is one query and changes nothing.
    with CaptureQueriesContext(connection) as again:
        services.sync_run(attempt_id=attempt.pk)
    assert len(again) == 1


def test_one_sync_of_a_conversation_ad_has_a_pinned_query_count_and_records_everything(
    connected: LinkedInConnection,
    workspace: Workspace,
    author: User,
    approver: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services.outbox, "_dispatch_sync", lambda attempt_id: None)
    ad = make_conversation_ad(workspace, author, approver)
    attempt = SyncAttempt.objects.get(ad=ad)
    tree = approved_tree(ad)

    with CaptureQueriesContext(connection) as queries:
        services.sync_run(attempt_id=attempt.pk)

    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) <= CONVERSATION_LIMIT, "\n".join(statements)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.DONE and attempt.step == "creative" and attempt.request_id
    steps = list(dict.fromkeys(c.step for c in attempt.calls.order_by("pk")))
    assert steps == ["conversation", "messages", "first_message", "content", "creative"]
    record = in_use(ad)
    assert record.status == ConversationStatus.READY and len(record.messages) == reachable_count(tree)
    assert record.first_message_urn == record.messages[tree["first"]] and not record.pending_ref
    link = AdLinkedIn.objects.get(ad=ad)
    assert link.content_urn and link.creative_urn and link.synced_hash == attempt.revision_hash


def test_every_call_is_in_the_ledger_before_the_next_request_leaves(
    make_synced_ready_ad: MakeAd, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services.outbox, "_dispatch_sync", lambda attempt_id: None)
    ad = make_synced_ready_ad()
    attempt = SyncAttempt.objects.get(ad=ad)
    made: list[str] = []
    recorded_before_each_request: list[tuple[int, int]] = []
    observe, before_send = services.outbox._Ledger.__call__, services.outbox._Ledger.before_send

    def spy_observe(ledger: services.outbox._Ledger, call: Call) -> None:
        made.append(call.method)
        observe(ledger, call)

    def spy_before_send(ledger: services.outbox._Ledger) -> None:
        before_send(ledger)
        recorded = SyncCall.objects.filter(attempt_id=attempt.pk).exclude(method="").count()
        recorded_before_each_request.append((len(made), recorded))

    monkeypatch.setattr(services.outbox._Ledger, "__call__", spy_observe)
    monkeypatch.setattr(services.outbox._Ledger, "before_send", spy_before_send)
    services.sync_run(attempt_id=attempt.pk)

    assert made == ["POST", "POST"]
    assert recorded_before_each_request == [(0, 0), (1, 1)]


def test_a_run_stopped_after_its_last_call_leaves_every_call_in_the_ledger(
    make_synced_ready_ad: MakeAd, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services.outbox, "_dispatch_sync", lambda attempt_id: None)
    ad = make_synced_ready_ad()
    attempt = SyncAttempt.objects.get(ad=ad)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the worker stops here")

    monkeypatch.setattr(services.sync, "_succeed", crash)
    with pytest.raises(RuntimeError):
        services.sync_run(attempt_id=attempt.pk)

    assert list(SyncCall.objects.filter(attempt=attempt).values_list("step", "method").order_by("pk")) == [
        ("content", "POST"),
        ("creative", "POST"),
    ]
    link = AdLinkedIn.objects.get(ad=ad)
    assert link.content_urn and link.creative_urn  # what LinkedIn answered was kept with its rows
