"""Saving the tree writes revisions that snapshot it whole; the diff names messages and buttons."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services, snapshots
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.conversation.templates import TEMPLATES
from inmail_studio.ads.conversation.tree import compare_trees
from inmail_studio.ads.conversation.validation import validate
from inmail_studio.ads.models import Ad, ConversationButton, ConversationMessage, State
from tests.conversation.editing import move_button, save_message, update_button

pytestmark = pytest.mark.django_db


def _message(ad: Ad, name: str) -> ConversationMessage:
    return ConversationMessage.objects.get(conversation__ad=ad, name=name)


@pytest.mark.parametrize("key", ["qualify-by-role", "event-invitation", "demo-request"])
def test_every_template_starts_with_no_problems_but_choosing_the_form(
    workspace: Workspace, author: User, key: str
) -> None:
    ad = cs.conversation_create(workspace=workspace, author=author, name="From template", template_key=key)
    tree = ad.current_revision.snapshot["tree"]
    assert len(tree["messages"]) == len(TEMPLATES[key].messages)
    assert {p.code for p in validate(tree)} <= {"form_without_urn"}


def test_creating_from_a_template_writes_one_revision_holding_the_whole_tree(conversation_ad: Ad) -> None:
    assert conversation_ad.revisions.count() == 1
    snapshot = conversation_ad.current_revision.snapshot
    assert snapshot["kind"] == "conversation"
    assert snapshot["tree"]["first"] == _message(conversation_ad, "Invitation").ref
    assert snapshot == snapshots.of_ad(conversation_ad)


def test_editing_a_message_writes_a_new_revision_with_a_new_hash(conversation_ad: Ad, author: User) -> None:
    before = conversation_ad.current_revision
    message = _message(conversation_ad, "Agenda")
    result = save_message(
        ad_id=conversation_ad.pk,
        editor=author,
        message_id=message.pk,
        name="Agenda",
        kind="text",
        body="<p>New agenda<script>x</script></p>",
        form_urn="",
    )
    assert result.revision is not None and result.revision.number == 2
    assert result.revision.content_hash != before.content_hash
    agenda = next(m for m in result.revision.snapshot["tree"]["messages"] if m["id"] == message.ref)
    assert agenda["body"] == "<p>New agenda</p>"


def test_saving_the_same_tree_again_writes_no_revision(conversation_ad: Ad, author: User) -> None:
    message = _message(conversation_ad, "Agenda")
    result = save_message(
        ad_id=conversation_ad.pk,
        editor=author,
        message_id=message.pk,
        name=message.name,
        kind=message.kind,
        body=message.body,
        form_urn="",
    )
    assert result.revision is None


def test_the_diff_of_two_revisions_names_added_removed_and_changed_messages_and_buttons(
    conversation_ad: Ad, author: User
) -> None:
    first = conversation_ad.current_revision.snapshot["tree"]
    agenda, recording = _message(conversation_ad, "Agenda"), _message(conversation_ad, "Recording offer")
    save_message(
        ad_id=conversation_ad.pk,
        editor=author,
        message_id=agenda.pk,
        name="Programme",
        kind="text",
        body=agenda.body,
        form_urn="",
    )
    added = cs.message_add(ad_id=conversation_ad.pk, editor=author, name="Speakers").message
    assert added is not None
    button = agenda.buttons.get(text="See the speakers")
    update_button(
        ad_id=conversation_ad.pk,
        editor=author,
        button_id=button.pk,
        text="Meet the speakers",
        action="message",
        target_id=added.pk,
        url="",
    )
    cs.message_delete(ad_id=conversation_ad.pk, editor=author, message_id=recording.pk, inbound="remove")
    cs.conversation_save(ad_id=conversation_ad.pk, editor=author)
    conversation_ad.refresh_from_db()
    changes = compare_trees(first, conversation_ad.current_revision.snapshot["tree"])
    summary = {(c.change, c.what, c.label) for c in changes}
    assert ("changed", "message", "Programme") in summary
    assert ("added", "message", "Speakers") in summary
    assert ("removed", "message", "Recording offer") in summary
    assert ("removed", "button", "Can't make it (on Invitation)") in summary
    changed_button = next(c for c in changes if c.what == "button" and c.change == "changed")
    assert ("Text", "See the speakers", "Meet the speakers") in changed_button.details
    assert ("Leads to", "", "Speakers") in changed_button.details
    assert ("Action", "Open a website", "Go to a message") in changed_button.details


def test_reordering_buttons_shows_in_the_diff(conversation_ad: Ad, author: User) -> None:
    first = conversation_ad.current_revision.snapshot["tree"]
    invitation = _message(conversation_ad, "Invitation")
    second = invitation.buttons.order_by("position")[1]
    move_button(ad_id=conversation_ad.pk, editor=author, button_id=second.pk, offset=-1)
    cs.conversation_save(ad_id=conversation_ad.pk, editor=author)
    conversation_ad.refresh_from_db()
    changes = compare_trees(first, conversation_ad.current_revision.snapshot["tree"])
    assert [d[0] for c in changes for d in c.details] == ["Button order"]


def test_deleting_a_message_can_relink_the_buttons_that_led_to_it(conversation_ad: Ad, author: User) -> None:
    register, agenda = _message(conversation_ad, "Registration"), _message(conversation_ad, "Agenda")
    inbound = list(ConversationButton.objects.filter(target=register).values_list("pk", flat=True))
    assert len(inbound) == 2
    cs.message_delete(
        ad_id=conversation_ad.pk, editor=author, message_id=register.pk, inbound="relink", relink_to=agenda.pk
    )
    assert set(ConversationButton.objects.filter(pk__in=inbound).values_list("target", flat=True)) == {
        agenda.pk
    }


def test_deleting_a_message_can_leave_its_buttons_without_target_for_the_validator(
    conversation_ad: Ad, author: User
) -> None:
    recording = _message(conversation_ad, "Recording offer")
    cs.message_delete(ad_id=conversation_ad.pk, editor=author, message_id=recording.pk, inbound="detach")
    cs.conversation_save(ad_id=conversation_ad.pk, editor=author)
    conversation_ad.refresh_from_db()
    problems = validate(conversation_ad.current_revision.snapshot["tree"])
    assert [p.code for p in problems if p.is_error] == ["no_target"]


def test_a_viewer_cannot_change_the_tree(conversation_ad: Ad, viewer: User) -> None:
    with pytest.raises(PermissionDenied):
        cs.message_add(ad_id=conversation_ad.pk, editor=viewer)


def test_an_ad_in_review_refuses_tree_changes(conversation_ad: Ad, author: User) -> None:
    Ad.objects.filter(pk=conversation_ad.pk).update(state=State.IN_REVIEW)
    with pytest.raises(services.AdLocked):
        cs.message_add(ad_id=conversation_ad.pk, editor=author)
    assert conversation_ad.revisions.count() == 1


def test_message_ads_keep_snapshots_without_a_tree(make_ad) -> None:  # type: ignore[no-untyped-def]
    assert "tree" not in make_ad().current_revision.snapshot
