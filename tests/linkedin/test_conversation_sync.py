"""Conversation ads synced to the sandbox over HTTP: leaves first, idempotent however answers are lost.

Tasks run in-process (eager Celery); `run_to_the_end` stands in for the task's retries.
The real worker on Redis is in test_conversation_worker.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.models import Ad, ConversationMessage, State
from inmail_studio.linkedin import services
from inmail_studio.linkedin.models import (
    AdLinkedIn,
    AttemptStatus,
    ConversationStatus,
    LinkedInConnection,
    LinkedInConversation,
    SyncAttempt,
    SyncCall,
)
from inmail_studio.linkedin.models import (
    TestSendStatus as SendStatus,
)
from inmail_studio.linkedin.payloads import message_batches
from inmail_studio.linkedin.payloads.conversation_messages import message_payloads
from inmail_studio.sandbox import models as sandbox
from inmail_studio.sandbox.services import faults_configure

from .conftest import WEBINAR, approve_ad, creatives_of
from .conversations import (
    approved_tree,
    content_of,
    in_use,
    linkedin_tree,
    make_conversation_ad,
    reachable_count,
    run_to_the_end,
    sandbox_conversation,
    transcripts,
)


@pytest.fixture
def ready(connected: LinkedInConnection, workspace: Workspace, author: User, approver: User) -> Any:
    def make(**kwargs: Any) -> Ad:
        return make_conversation_ad(workspace, author, approver, **kwargs)

    return make


def test_approving_a_conversation_ad_builds_it_on_linkedin_leaves_first_with_one_draft_creative(
    ready: Any,
) -> None:
    ad = ready()
    assert ad.state == State.SYNCED
    tree = approved_tree(ad)
    record = in_use(ad)
    conversation = sandbox_conversation(record.urn)
    assert conversation.messages.count() == reachable_count(tree) == len(record.messages)
    assert conversation.first_message is not None
    assert conversation.first_message.urn == record.messages[tree["first"]] == record.first_message_urn
    # The member walks exactly the paths the marketer scripted.
    assert transcripts(linkedin_tree(record.urn)) == transcripts(tree)
    content = content_of(ad)
    assert content.data["subContent"] == {"guidedReplies": {"sponsoredConversation": record.urn}}
    assert content.data["subject"] == ad.subject
    (creative,) = creatives_of(content.urn)
    assert creative.intended_status == "DRAFT" and creative.campaign.format == "SPONSORED_MESSAGE"
    attempt = SyncAttempt.objects.get(ad=ad)
    assert attempt.status == AttemptStatus.DONE
    steps = list(dict.fromkeys(c.step for c in attempt.calls.all()))
    assert steps == ["conversation", "messages", "first_message", "content", "creative"]
    notes = " ".join(attempt.calls.exclude(note="").values_list("note", flat=True))
    for urn in [record.urn, *record.messages.values(), content.urn]:
        assert urn in notes  # every URN is in the ledger the moment it is learned


def test_running_a_finished_conversation_sync_again_calls_nothing(ready: Any) -> None:
    ad = ready()
    attempt = SyncAttempt.objects.get(ad=ad)
    calls = SyncCall.objects.count()
    services.sync_run(attempt_id=attempt.pk)
    assert SyncCall.objects.count() == calls
    assert sandbox.Conversation.objects.count() == 1


def test_a_conversation_ad_only_goes_into_a_conversation_campaign(
    ready: Any, workspace: Workspace, author: User, client: Client
) -> None:
    ad = ready(approve=False)
    webinar = str(workspace.linkedin_campaigns.get(name=WEBINAR).urn)
    with pytest.raises(ValidationError, match="needs a conversation ad campaign"):
        services.campaign_choose(ad_id=ad.pk, user=author, campaign_urn=webinar)
    client.force_login(author)
    page = client.get(f"/ads/{ad.pk}/conversation/").content.decode()
    assert "Conversation pilot" in page and WEBINAR not in page
    assert "Only conversation-ad campaigns" in page


def test_throttling_and_server_errors_are_retried_without_a_second_conversation_or_message(
    ready: Any,
) -> None:
    faults_configure(queue="ok,503,429,ok,500,ok,ok,503,ok,ok,429")
    ad = ready()  # the first retry waits: in-process Celery doesn't wait out countdowns
    attempt = SyncAttempt.objects.get(ad=ad)
    run_to_the_end(attempt)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    assert attempt.tries > 1
    assert sandbox.Conversation.objects.count() == 1
    record = in_use(ad)
    assert sandbox_conversation(record.urn).messages.count() == reachable_count(approved_tree(ad))
    assert len(creatives_of(content_of(ad).urn)) == 1


def test_a_message_create_whose_answer_was_lost_is_found_and_not_created_twice(ready: Any) -> None:
    # conversation created, first message created, the second committed but its answer dropped
    faults_configure(queue="ok,ok,drop")
    ad = ready()
    attempt = SyncAttempt.objects.get(ad=ad)
    assert attempt.status == AttemptStatus.AWAITING_RETRY
    assert LinkedInConversation.objects.get(ad=ad).pending_ref  # the message that may exist
    run_to_the_end(attempt)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    tree = approved_tree(ad)
    record = in_use(ad)
    assert sandbox.ConversationMessage.objects.count() == reachable_count(tree)
    assert transcripts(linkedin_tree(record.urn)) == transcripts(tree)
    assert attempt.calls.filter(note__contains="not creating another").count() == 1


def test_a_conversation_create_whose_answer_was_lost_is_recorded_as_an_orphan(ready: Any) -> None:
    faults_configure(queue="drop")
    ad = ready()
    attempt = SyncAttempt.objects.get(ad=ad)
    run_to_the_end(attempt)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    assert sandbox.Conversation.objects.count() == 2  # the orphan and the one in use
    orphan = LinkedInConversation.objects.get(ad=ad, status=ConversationStatus.ORPHANED)
    assert orphan.urn == "" and "no way to look conversations up" in orphan.note
    assert attempt.calls.filter(note__contains="orphaned").count() == 1
    record = in_use(ad)
    assert content_of(ad).data["subContent"]["guidedReplies"]["sponsoredConversation"] == record.urn
    # The orphan on LinkedIn is empty: no message was ever created in it.
    assert (
        sandbox.ConversationMessage.objects.exclude(conversation=sandbox_conversation(record.urn)).count()
        == 0
    )


def test_resyncing_an_edited_conversation_makes_a_fresh_one_and_points_the_content_at_it(
    ready: Any, author: User, approver: User
) -> None:
    ad = ready()
    link = AdLinkedIn.objects.get(ad=ad)
    first = in_use(ad)
    opening = ConversationMessage.objects.get(pk=int(approved_tree(ad)["first"][1:]))
    cs.message_update(
        ad_id=ad.pk,
        editor=author,
        message_id=opening.pk,
        name=opening.name,
        kind=opening.kind,
        body="<p>Hi %FIRSTNAME%, will you join us live on 14 March?</p>",
        form_urn="",
    )
    approve_ad(ad, author=author, approver=approver)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    second = in_use(ad)
    assert second.urn != first.urn
    first.refresh_from_db()
    assert first.status == ConversationStatus.REPLACED and first.replaced_at is not None
    assert sandbox.Conversation.objects.count() == 2
    assert AdLinkedIn.objects.get(ad=ad).content_urn == link.content_urn  # the same content, repointed
    assert content_of(ad).data["subContent"]["guidedReplies"]["sponsoredConversation"] == second.urn
    assert "14 March" in sandbox_conversation(second.urn).first_message.data["bodySource"]["text"]  # type: ignore[union-attr]
    assert len(creatives_of(link.content_urn)) == 1
    attempt = SyncAttempt.objects.filter(ad=ad).first()
    assert attempt is not None and attempt.calls.filter(note__contains=f"the earlier {first.urn}").exists()


def test_resyncing_with_only_the_subject_changed_reuses_the_conversation(
    ready: Any, author: User, approver: User, workspace: Workspace
) -> None:
    ad = ready()
    record = in_use(ad)
    cs.conversation_settings_update(
        ad_id=ad.pk,
        editor=author,
        fields={"name": ad.name, "sender": ad.sender, "subject": "A better subject", "footer": ""},
        lead_gen=False,
    )
    approve_ad(ad, author=author, approver=approver)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    assert in_use(ad).pk == record.pk
    assert sandbox.Conversation.objects.count() == 1
    assert content_of(ad).data["subject"] == "A better subject"


def test_a_conversation_test_arrives_in_the_inbox_walks_and_then_launches(
    ready: Any, author: User, approver: User
) -> None:
    ad = ready()
    send = services.test_send_request(ad_id=ad.pk, user=author)
    send.refresh_from_db()
    assert send.status == SendStatus.SENT
    message = sandbox.InboxMessage.objects.get()
    assert message.recipient.slug == "ada-admin"
    tree = message.conversation or message.snapshot["tree"]
    first = next(m for m in tree["messages"] if m["id"] == tree["first"])
    reader = Client()
    reader.force_login(author)  # a member of the workspace connected as ada-admin
    opened = reader.get(f"/sandbox/linkedin/inbox/ada-admin/{message.pk}/").content.decode()
    assert first["buttons"][0]["text"] in opened
    # The member clicks the first reply and reads the follow-up.
    button = first["buttons"][0]
    frame = f"/sandbox/linkedin/inbox/ada-admin/{message.pk}/frame?device=desktop&path={button['id']}"
    walked = reader.get(frame).content.decode()
    follow_up = next(m for m in tree["messages"] if m["id"] == button["target"])
    assert follow_up["buttons"][0]["text"] in walked
    ad.refresh_from_db()
    assert ad.state == State.TESTED
    services.launch(ad_id=ad.pk, approver=approver)
    ad.refresh_from_db()
    assert ad.state == State.LIVE and ad.is_locked
    assert creatives_of(content_of(ad).urn)[0].intended_status == "ACTIVE"


def test_show_api_payload_lists_the_conversation_calls_in_order(
    ready: Any, author: User, client: Client
) -> None:
    ad = ready(approve=False)
    client.force_login(author)
    calls = client.get(f"/linkedin/ads/{ad.pk}/payload/?format=json").json()
    names = [c["call"] for c in calls]
    assert names[0] == "POST /rest/conversationAds"
    assert names[-3].endswith("(PARTIAL_UPDATE)") and "firstMessageContent" in str(calls[-3]["body"])
    assert names[-2] == "POST /rest/inMailContents" and "guidedReplies" in calls[-2]["body"]["subContent"]
    batches = [c for c in calls if "sponsoredMessageContents" in c["call"]]
    assert all("(BATCH_CREATE: " in c["call"] for c in batches)
    assert sum(len(c["body"]["elements"]) for c in batches) == reachable_count(
        ad.current_revision.snapshot["tree"]  # type: ignore[union-attr]
    )
    # Leaves first: the first message comes in the last batch, alone.
    first = ad.current_revision.snapshot["tree"]["first"]  # type: ignore[union-attr]
    assert len(batches) > 1 and batches[-1]["call"].endswith(f"(BATCH_CREATE: {first})")


def test_a_lost_content_answer_is_orphaned_and_the_retry_keeps_the_one_conversation(
    ready: Any, author: User, approver: User
) -> None:
    ad = ready(approve=False)
    tree = ad.current_revision.snapshot["tree"]  # type: ignore[union-attr]
    # conversation, its messages (a BATCH_CREATE per level of the tree), the first message: all
    # fine; then the content create loses its answer
    calls_before_content = 1 + len(message_batches(message_payloads(tree))) + 1
    faults_configure(queue=",".join(["ok"] * calls_before_content + ["drop"]))
    approve_ad(ad, author=author, approver=approver)
    attempt = SyncAttempt.objects.get(ad=ad)
    run_to_the_end(attempt)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    assert sandbox.Conversation.objects.count() == 1
    assert sandbox.ConversationMessage.objects.count() == reachable_count(approved_tree(ad))
    assert sandbox.InMailContent.objects.count() == 2  # the orphan and the one in use
    assert attempt.calls.filter(note__contains="orphaned").count() == 1
    assert len(creatives_of(content_of(ad).urn)) == 1


def test_a_refused_sync_retried_later_continues_with_the_conversation_it_built(
    ready: Any, author: User
) -> None:
    # Dana withdraws on LinkedIn: the conversation and its messages are built, the content is refused.
    sandbox.SenderPermission.objects.filter(member__slug="dana-whitfield").update(state="REVOKED")
    ad = ready()
    assert ad.state == State.SYNC_FAILED
    failed = SyncAttempt.objects.get(ad=ad)
    assert failed.error_code == "SINMAIL_SENDER_NOT_APPROVED"
    built = LinkedInConversation.objects.get(ad=ad)
    assert built.status == ConversationStatus.READY
    sandbox.SenderPermission.objects.filter(member__slug="dana-whitfield").update(state="APPROVED")
    services.sync_request(ad_id=ad.pk, user=author)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    assert in_use(ad).pk == built.pk
    assert sandbox.Conversation.objects.count() == 1
    assert sandbox.ConversationMessage.objects.count() == reachable_count(approved_tree(ad))
    retry = SyncAttempt.objects.filter(ad=ad).exclude(pk=failed.pk).get()
    assert not retry.calls.filter(step="messages").exists()  # nothing sent twice
