"""The outbox behind sync, launch and test send, in-process against the sandbox over HTTP.

Every LinkedIn job is a row with its own deadline; beat (`requeue_stuck`) and a worker that
starts send again whatever is due. Here: launch through the outbox under a row lock, test
sends that may have arrived never sent twice by themselves, a refused sync that can't leave
the ad "syncing", a broker that is down during approve and test send, and a worker that
takes back its dead predecessor's leases. The real worker and kill -9 are in test_recovery.py.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.celery import app
from inmail_studio.linkedin import services
from inmail_studio.linkedin.models import (
    AdLinkedIn,
    AttemptKind,
    AttemptStatus,
    SyncAttempt,
    SyncCall,
    TestSend,
    TestSendStatus,
)
from inmail_studio.review import workflow
from inmail_studio.review.models import AuditEvent, EmailStatus, OutgoingEmail
from inmail_studio.sandbox import models as sandbox
from inmail_studio.sandbox.services import faults_configure
from tests.conftest import client_for

from .conftest import creatives_of, run_when_due

MakeAd = Callable[..., Ad]
HTMX = {"HTTP_HX_REQUEST": "true"}


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def synced(make_synced_ready_ad: MakeAd) -> Ad:
    ad = make_synced_ready_ad()
    assert ad.state == State.SYNCED
    return ad


@pytest.fixture
def tested(synced: Ad, author: User) -> Ad:
    services.test_send_request(ad_id=synced.pk, user=author)
    synced.refresh_from_db()
    assert synced.state == State.TESTED
    return synced


@pytest.fixture
def no_dispatch(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Rows are written but no task is sent (a broker that swallowed the message)."""
    monkeypatch.setattr(services.outbox, "_dispatch_sync", lambda attempt_id: True)
    monkeypatch.setattr(services.outbox, "_dispatch_test_send", lambda send_id: True)
    yield


def _creative(ad: Ad) -> sandbox.Creative:
    (creative,) = creatives_of(AdLinkedIn.objects.get(ad=ad).content_urn)
    return creative


def _launch_patches(ad: Ad) -> list[SyncCall]:
    return list(SyncCall.objects.filter(attempt__ad=ad, attempt__kind=AttemptKind.LAUNCH, method="POST"))


def _inbox() -> int:
    return sandbox.InboxMessage.objects.count()


# --- launch ---------------------------------------------------------------------------------------


def test_launch_goes_through_the_outbox_and_sets_the_creative_active_once(tested: Ad, approver: User) -> None:
    services.launch(ad_id=tested.pk, approver=approver)
    tested.refresh_from_db()
    assert tested.state == State.LIVE
    attempt = SyncAttempt.objects.get(ad=tested, kind=AttemptKind.LAUNCH)
    assert attempt.status == AttemptStatus.DONE
    assert [(c.method, c.http_status) for c in attempt.calls.exclude(method="")] == [
        ("GET", 200),
        ("POST", 204),
    ]
    assert _creative(tested).intended_status == "ACTIVE"
    moves = list(
        AuditEvent.objects.filter(ad=tested).order_by("created_at", "pk").values_list("to_state", "actor")
    )
    assert moves[-2:] == [(State.LAUNCHING, approver.pk), (State.LIVE, None)]


def test_a_double_click_on_launch_sends_one_patch_and_refuses_the_second_click_clearly(
    tested: Ad, approver: User
) -> None:
    start = threading.Barrier(2)
    answers: list[int] = []

    def click() -> None:
        client = client_for(approver)
        start.wait()
        try:
            answers.append(client.post(f"/linkedin/ads/{tested.pk}/launch/", **HTMX).status_code)
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 409]  # never a 500
    assert SyncAttempt.objects.filter(ad=tested, kind=AttemptKind.LAUNCH).count() == 1
    assert len(_launch_patches(tested)) == 1
    tested.refresh_from_db()
    assert tested.state == State.LIVE


def test_a_second_launch_while_the_first_waits_is_refused_and_queues_nothing(
    tested: Ad, approver: User, no_dispatch: None
) -> None:
    services.launch(ad_id=tested.pk, approver=approver)
    tested.refresh_from_db()
    assert tested.state == State.LAUNCHING and tested.is_locked
    response = client_for(approver).post(f"/linkedin/ads/{tested.pk}/launch/", **HTMX)
    assert response.status_code == 409
    assert "This ad is being launched" in _text(response)
    assert SyncAttempt.objects.filter(ad=tested, kind=AttemptKind.LAUNCH).count() == 1


def test_a_launch_whose_answer_was_lost_finds_the_creative_active_and_does_not_patch_again(
    tested: Ad, approver: User
) -> None:
    faults_configure(queue="ok,drop")  # GET the creative, then the PATCH commits and its answer is lost
    services.launch(ad_id=tested.pk, approver=approver)
    attempt = SyncAttempt.objects.get(ad=tested, kind=AttemptKind.LAUNCH)
    assert attempt.status == AttemptStatus.AWAITING_RETRY and attempt.retry_at is not None
    tested.refresh_from_db()
    assert tested.state == State.LAUNCHING
    assert _creative(tested).intended_status == "ACTIVE"  # LinkedIn has it; the app doesn't know yet
    run_when_due(attempt.pk)
    tested.refresh_from_db()
    assert tested.state == State.LIVE
    assert len(_launch_patches(tested)) == 1
    assert attempt.calls.filter(note__contains="already ACTIVE").exists()


def test_a_launch_linkedin_refuses_goes_back_to_tested_with_the_reason_and_a_retry_button(
    tested: Ad, approver: User
) -> None:
    dana = sandbox.SenderPermission.objects.filter(member__slug="dana-whitfield")
    dana.update(state="REVOKED")
    client = client_for(approver)
    response = client.post(f"/linkedin/ads/{tested.pk}/launch/", **HTMX)
    assert response.status_code == 200
    tested.refresh_from_db()
    assert tested.state == State.TESTED
    panel = _text(client.get(f"/linkedin/ads/{tested.pk}/panel/"))
    assert "Not launched:" in panel and "Retry launch" in panel
    assert _creative(tested).intended_status == "DRAFT"
    dana.update(state="APPROVED")
    client.post(f"/linkedin/ads/{tested.pk}/launch/", **HTMX)
    tested.refresh_from_db()
    assert tested.state == State.LIVE


def test_a_launch_waiting_for_its_retry_shows_retry_now_which_runs_it(tested: Ad, approver: User) -> None:
    faults_configure(queue="503")
    client = client_for(approver)
    client.post(f"/linkedin/ads/{tested.pk}/launch/", **HTMX)
    panel = _text(client.get(f"/linkedin/ads/{tested.pk}/panel/"))
    assert "Launching: setting the creative ACTIVE" in panel and "Retry now" in panel
    assert 'hx-trigger="every 1s"' in panel  # the panel's live status
    client.post(f"/linkedin/ads/{tested.pk}/retry/", **HTMX)
    tested.refresh_from_db()
    assert tested.state == State.LIVE


# --- test send -----------------------------------------------------------------------------------


def test_a_test_send_whose_answer_was_lost_is_possibly_sent_and_never_sent_again_by_itself(
    synced: Ad, author: User
) -> None:
    faults_configure(queue="drop")  # LinkedIn delivers the test, the answer never comes back
    client = client_for(author)
    response = client.post(f"/linkedin/ads/{synced.pk}/test-send/", **HTMX)
    assert response.status_code == 200
    send = TestSend.objects.get(ad=synced)
    assert send.status == TestSendStatus.UNCERTAIN
    assert _inbox() == 1
    services.requeue_stuck()
    services.requeue_stuck(worker="celery@elsewhere/new")
    assert _inbox() == 1
    panel = _text(client.get(f"/linkedin/ads/{synced.pk}/panel/"))
    assert "Possibly sent." in panel and "LinkedIn offers no way to ask" in panel
    assert "It arrived" in panel and "Send again" in panel


def test_it_arrived_counts_a_possibly_sent_test_so_the_ad_can_launch(
    synced: Ad, author: User, approver: User
) -> None:
    faults_configure(queue="drop")
    client = client_for(author)
    client.post(f"/linkedin/ads/{synced.pk}/test-send/", **HTMX)
    response = client.post(f"/linkedin/ads/{synced.pk}/test-send/confirm/", **HTMX)
    assert response.status_code == 200
    send = TestSend.objects.get(ad=synced)
    assert send.status == TestSendStatus.SENT and send.confirmed_by == author
    synced.refresh_from_db()
    assert synced.state == State.TESTED
    assert "confirmed as received by Alice Author" in _text(client.get(f"/linkedin/ads/{synced.pk}/panel/"))
    services.launch(ad_id=synced.pk, approver=approver)
    synced.refresh_from_db()
    assert synced.state == State.LIVE
    assert _inbox() == 1


def test_send_again_after_a_possibly_sent_test_sends_one_more_only_when_asked(
    synced: Ad, author: User
) -> None:
    faults_configure(queue="drop")
    client = client_for(author)
    client.post(f"/linkedin/ads/{synced.pk}/test-send/", **HTMX)
    client.post(f"/linkedin/ads/{synced.pk}/test-send/", **HTMX)
    assert _inbox() == 2
    assert list(TestSend.objects.order_by("pk").values_list("status", flat=True)) == [
        TestSendStatus.UNCERTAIN,
        TestSendStatus.SENT,
    ]


def test_a_test_send_whose_worker_died_before_calling_linkedin_is_sent_once_by_beat(
    synced: Ad, author: User, no_dispatch: None
) -> None:
    send = services.test_send_request(ad_id=synced.pk, user=author)
    past = timezone.now() - timedelta(seconds=1)
    TestSend.objects.filter(pk=send.pk).update(
        status=TestSendStatus.SENDING, holder="celery@gone/1", lease_until=past
    )
    services.requeue_stuck()  # the call never started: queued again (its message is swallowed here)
    send.refresh_from_db()
    assert send.status == TestSendStatus.QUEUED
    services.test_send_run(test_send_id=send.pk)  # the message arrives
    services.test_send_run(test_send_id=send.pk)  # and a duplicate of it
    send.refresh_from_db()
    assert send.status == TestSendStatus.SENT and send.tries == 1
    assert _inbox() == 1


def test_a_test_send_whose_worker_died_during_the_call_is_possibly_sent_not_sent_again(
    synced: Ad, author: User, no_dispatch: None
) -> None:
    send = services.test_send_request(ad_id=synced.pk, user=author)
    past = timezone.now() - timedelta(seconds=1)
    TestSend.objects.filter(pk=send.pk).update(
        status=TestSendStatus.SENDING, holder="celery@gone/1", lease_until=past, call_started_at=past
    )
    services.requeue_stuck()
    send.refresh_from_db()
    assert send.status == TestSendStatus.UNCERTAIN
    services.test_send_run(test_send_id=send.pk)  # a late redelivery of its message
    assert _inbox() == 0
    send.refresh_from_db()
    assert send.status == TestSendStatus.UNCERTAIN


def test_a_throttled_test_send_stores_its_own_retry_deadline_and_sends_once_when_due(
    synced: Ad, author: User
) -> None:
    faults_configure(queue="429")
    send = services.test_send_request(ad_id=synced.pk, user=author)
    send.refresh_from_db()
    assert send.status == TestSendStatus.QUEUED and send.retry_at is not None
    assert (
        send.lease_until is not None and send.lease_until > send.retry_at
    )  # beat's deadline, after the retry's
    assert "throttling" in send.error
    services.test_send_run(test_send_id=send.pk)  # early: its retry isn't due yet
    assert _inbox() == 0
    TestSend.objects.filter(pk=send.pk).update(retry_at=timezone.now())
    services.test_send_run(test_send_id=send.pk)
    send.refresh_from_db()
    assert send.status == TestSendStatus.SENT and _inbox() == 1


# --- sync -------------------------------------------------------------------------------------


def test_an_attempt_stores_its_own_retry_deadline(make_synced_ready_ad: MakeAd, settings: Any) -> None:
    faults_configure(queue="503")
    ad = make_synced_ready_ad()
    attempt = SyncAttempt.objects.get(ad=ad)
    assert attempt.status == AttemptStatus.AWAITING_RETRY
    assert attempt.queued_at < attempt.retry_at < attempt.lease_until  # type: ignore[operator]
    grace = (attempt.lease_until - attempt.retry_at).total_seconds()  # type: ignore[operator]
    assert grace == pytest.approx(settings.OUTBOX_QUEUED_GRACE_SECONDS, abs=1)
    assert services.requeue_stuck() == 0  # not due: nothing sent again
    SyncAttempt.objects.filter(pk=attempt.pk).update(
        retry_at=timezone.now() - timedelta(seconds=2), lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert services.requeue_stuck() == 1
    ad.refresh_from_db()
    assert ad.state == State.SYNCED


def test_an_ad_syncing_with_no_open_attempt_is_mended_by_beat_and_offers_a_retry(
    make_synced_ready_ad: MakeAd, author: User
) -> None:
    ad = make_synced_ready_ad()
    # What the old two-transaction refusal left after a crash between its writes.
    attempt = SyncAttempt.objects.get(ad=ad)
    SyncAttempt.objects.filter(pk=attempt.pk).update(status=AttemptStatus.FAILED)
    Ad.objects.filter(pk=ad.pk).update(state=State.SYNCING)
    services.requeue_stuck()
    ad.refresh_from_db()
    assert ad.state == State.SYNC_FAILED
    panel = _text(client_for(author).get(f"/linkedin/ads/{ad.pk}/panel/"))
    assert "Retry sync" in panel
    client_for(author).post(f"/linkedin/ads/{ad.pk}/retry/", **HTMX)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    assert len(creatives_of(AdLinkedIn.objects.get(ad=ad).content_urn)) == 1


def test_a_refused_sync_fails_the_attempt_and_the_ad_together_or_not_at_all(
    make_synced_ready_ad: MakeAd, no_dispatch: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox.SenderPermission.objects.filter(member__slug="dana-whitfield").update(state="REQUESTED")
    ad = make_synced_ready_ad()
    attempt = SyncAttempt.objects.get(ad=ad)
    real_move = workflow.move

    def crash(ad: Ad, to: State, **kwargs: Any) -> Ad:
        if to == State.SYNC_FAILED:
            raise SystemExit("the worker died between the two writes")
        return real_move(ad, to, **kwargs)

    monkeypatch.setattr(workflow, "move", crash)
    with pytest.raises(SystemExit):
        services.sync_run(attempt_id=attempt.pk)
    attempt.refresh_from_db()
    ad.refresh_from_db()
    assert (attempt.status, ad.state) == (AttemptStatus.INFLIGHT, State.SYNCING)  # the first write undone
    SyncAttempt.objects.filter(pk=attempt.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    monkeypatch.undo()  # the worker is back, and sends are real again
    services.requeue_stuck()
    attempt.refresh_from_db()
    ad.refresh_from_db()
    assert (attempt.status, ad.state) == (AttemptStatus.FAILED, State.SYNC_FAILED)


def test_a_worker_starting_takes_back_its_dead_predecessors_lease_and_leaves_others_alone(
    make_synced_ready_ad: MakeAd, no_dispatch: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine, theirs = make_synced_ready_ad(name="Mine"), make_synced_ready_ad(name="Theirs")
    future = timezone.now() + timedelta(minutes=5)
    SyncAttempt.objects.filter(ad=mine).update(
        status=AttemptStatus.INFLIGHT, holder="celery@box/dead", lease_until=future
    )
    SyncAttempt.objects.filter(ad=theirs).update(
        status=AttemptStatus.INFLIGHT, holder="celery@other/alive", lease_until=future
    )
    monkeypatch.undo()  # tasks run again
    services.requeue_stuck(worker="celery@box/new")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.state, theirs.state) == (State.SYNCED, State.SYNCING)


# --- a broker that is down ---------------------------------------------------------------------


@pytest.fixture
def broker_down(unused_port: int) -> Iterator[None]:
    """Tasks go to a Redis port nothing listens on, as when the broker is down or unreachable."""
    previous = {k: app.conf[k] for k in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=f"redis://127.0.0.1:{unused_port}/0")
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.update(**previous)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _broker_back() -> None:
    app.conf.update(task_always_eager=True)


def test_approving_with_the_broker_down_saves_the_decision_and_the_outbox_delivers_when_it_is_back(
    make_synced_ready_ad: MakeAd, author: User, approver: User, broker_down: None, mailoutbox: Any
) -> None:
    from inmail_studio.review import services as review_services
    from inmail_studio.review.notifications import emails_requeue

    ad = make_synced_ready_ad(approve=False)
    review_services.submit(ad_id=ad.pk, actor=author)
    ad.refresh_from_db()
    response = client_for(approver).post(
        f"/review/ads/{ad.pk}/decide/",
        {"decision": "approve", "revision": ad.current_revision.content_hash},  # type: ignore[union-attr]
        follow=True,
    )
    assert response.status_code == 200
    assert f"Approved “{ad.name}”" in _text(response)
    ad.refresh_from_db()
    assert ad.state == State.SYNCING
    attempt = SyncAttempt.objects.get(ad=ad)
    email = OutgoingEmail.objects.get(to=author.email)
    now = timezone.now()
    # Both callbacks ran (the email's came after the sync's failed): each row is due at once.
    assert attempt.status == AttemptStatus.QUEUED and attempt.lease_until <= now  # type: ignore[operator]
    assert email.status == EmailStatus.QUEUED and email.lease_until <= now  # type: ignore[operator]
    assert mailoutbox == []

    _broker_back()
    services.requeue_stuck()
    emails_requeue()
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    assert len(creatives_of(AdLinkedIn.objects.get(ad=ad).content_urn)) == 1
    # The author's email, and the approvers' from the submission (the broker was down then too).
    assert sorted(m.to[0] for m in mailoutbox) == sorted(OutgoingEmail.objects.values_list("to", flat=True))
    assert [author.email] in [m.to for m in mailoutbox]
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {EmailStatus.SENT}


def test_send_test_with_the_broker_down_says_queued_and_beat_sends_it_once_when_it_is_back(
    synced: Ad, author: User, broker_down: None
) -> None:
    client = client_for(author)
    response = client.post(f"/linkedin/ads/{synced.pk}/test-send/", **HTMX)
    assert response.status_code == 200
    send = TestSend.objects.get(ad=synced)
    assert send.status == TestSendStatus.QUEUED
    TestSend.objects.filter(pk=send.pk).update(created_at=timezone.now() - timedelta(seconds=10))
    panel = _text(client.get(f"/linkedin/ads/{synced.pk}/panel/"))
    assert "waiting for a worker" in panel and "Retry now" in panel
    _broker_back()
    services.requeue_stuck()
    services.requeue_stuck()
    send.refresh_from_db()
    assert send.status == TestSendStatus.SENT
    assert _inbox() == 1


def test_the_panel_reloads_the_page_when_the_ad_leaves_launching_but_never_while_it_is_editable(
    tested: Ad, approver: User, no_dispatch: None
) -> None:
    client = client_for(approver)
    services.launch(ad_id=tested.pk, approver=approver)
    panel = client.get(f"/linkedin/ads/{tested.pk}/panel/?was=launching", **HTMX)
    assert "HX-Refresh" not in panel and 'hx-get="/linkedin/ads/' in _text(panel)  # still launching: it polls
    attempt = SyncAttempt.objects.get(ad=tested, kind=AttemptKind.LAUNCH)
    services.sync_run(attempt_id=attempt.pk)
    assert client.get(f"/linkedin/ads/{tested.pk}/panel/?was=launching", **HTMX)["HX-Refresh"] == "true"
    assert "HX-Refresh" not in client.get(f"/linkedin/ads/{tested.pk}/panel/?was=tested", **HTMX)
