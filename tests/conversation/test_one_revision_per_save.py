"""A working session's changes to the tree become one revision when the marketer saves, not one per click.

Adds, deletes, moves and relinks change the live tree and are recorded for undo and conflict checks;
the editor says what is unsaved and offers one "Save"; the revision it writes names every change in
words, and an approval is voided by that save, never by the clicks before it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.conversation import edits
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.conversation.tree import compare_trees, in_words
from inmail_studio.ads.models import Ad, ConversationButton, ConversationMessage, Sender, State
from inmail_studio.review import services as review
from tests.conftest import client_for
from tests.conversation.editing import move_button, save_message, submittable_conversation

pytestmark = pytest.mark.django_db

HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ready(workspace: Workspace, author: User, sender: Sender) -> Ad:
    return submittable_conversation(workspace, author, sender)


def _message(ad: Ad, name: str) -> ConversationMessage:
    return ConversationMessage.objects.get(conversation__ad=ad, name=name)


def _message_form(message: ConversationMessage, body: str, *, op: str, base_edit: str = "") -> dict[str, Any]:
    """The message form as the editor posts it (loaded at revision 2): `body` typed, buttons as they are."""
    form: dict[str, Any] = {"name": message.name, "kind": "text", "body": body, "form_urn": "", "op": op,
                            "base_version": 2, "base_edit": base_edit}  # fmt: skip
    for b in message.buttons.all():
        form |= {f"button-{b.pk}-text": b.text, f"button-{b.pk}-action": b.action,
                 f"button-{b.pk}-target": b.target_id or "", f"button-{b.pk}-url": b.url}  # fmt: skip
    return form


def _session_of_edits(ad: Ad, author: User) -> tuple[ConversationButton, ConversationMessage]:
    """Add "Pricing", delete "Recording offer", move a button: three structural changes."""
    added = cs.message_add(ad_id=ad.pk, editor=author, name="Pricing").message
    assert added is not None
    cs.message_delete(
        ad_id=ad.pk, editor=author, message_id=_message(ad, "Recording offer").pk, inbound="remove"
    )
    second = _message(ad, "Invitation").buttons.order_by("position")[1]
    move_button(ad_id=ad.pk, editor=author, button_id=second.pk, offset=-1)
    return second, added


def test_structural_edits_then_one_save_write_exactly_one_revision_naming_every_change(
    ready: Ad, author: User
) -> None:
    before = ready.current_revision
    assert before is not None
    moved, added = _session_of_edits(ready, author)
    ready.refresh_from_db()
    assert ready.current_revision == before  # nothing written per click
    unsaved = " ".join(edits.unsaved_changes(ready, ready.conversation)).lower()
    assert "added message “pricing”" in unsaved and "removed message “recording offer”" in unsaved
    # The save: the open message, with one of its buttons relinked to the new message.
    agenda = _message(ready, "Agenda")
    button = agenda.buttons.order_by("position").first()
    assert button is not None
    result = save_message(
        ad_id=ready.pk, editor=author, message_id=agenda.pk, buttons={button.pk: {"target_id": added.pk}}
    )
    assert result.revision is not None and result.revision.number == before.number + 1
    assert ready.revisions.count() == before.number + 1
    changes = compare_trees(before.snapshot["tree"], result.revision.snapshot["tree"])
    words = " ".join(in_words(changes, limit=10)).lower()
    assert "added message “pricing”" in words
    assert "removed message “recording offer”" in words
    assert f"relinked “{button.text.lower()}” (on “agenda”) to “pricing”" in words
    assert "reordered the buttons of “invitation”" in words
    ready.refresh_from_db()
    assert edits.unsaved_changes(ready, ready.conversation) == []
    invitation = next(m for m in result.revision.snapshot["tree"]["messages"] if m["name"] == "Invitation")
    assert invitation["buttons"][0]["id"] == moved.ref


def test_the_editor_shows_unsaved_tree_changes_and_its_save_writes_one_revision(
    ready: Ad, author: User
) -> None:
    _session_of_edits(ready, author)
    client = client_for(author)
    page = client.get(f"/ads/{ready.pk}/conversation/").content.decode()
    banner = re.search(r'data-testid="tree-unsaved">(.*?)</p>', page, re.S)
    assert banner and "added message “Pricing”" in banner.group(1)
    assert 'id="conv-tree-save"' in page and "revision 2 until you save" in page
    response = client.post(f"/ads/{ready.pk}/conversation/save/", {}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saved as revision 3." in html and 'data-testid="tree-unsaved"' not in html
    assert ready.revisions.count() == 3
    # Saving again: nothing new.
    again = client.post(f"/ads/{ready.pk}/conversation/save/", {}, follow=True).content.decode()
    assert "No changes to save." in again and ready.revisions.count() == 3
    # History says the session's changes beside the one revision.
    history = client.get(f"/ads/{ready.pk}/history/").content.decode()
    assert "added message “Pricing”" in history and "removed message “Recording offer”" in history


def test_submit_without_the_editors_script_submits_the_tree_on_screen_saved_first(
    ready: Ad, author: User
) -> None:
    """The plain form (no JavaScript to save first) posts to review:submit: the unsaved delete and
    move go in one revision, and that revision is the one in review."""
    before = ready.current_revision
    assert before is not None
    cs.message_delete(
        ad_id=ready.pk, editor=author, message_id=_message(ready, "Recording offer").pk, inbound="remove"
    )
    second = _message(ready, "Invitation").buttons.order_by("position")[1]
    move_button(ad_id=ready.pk, editor=author, button_id=second.pk, offset=-1)
    response = client_for(author).post(f"/review/ads/{ready.pk}/submit/", follow=True)
    ready.refresh_from_db()
    assert ready.state == State.IN_REVIEW, [str(m) for m in response.context["messages"]]
    submitted = ready.reviews.get().revision
    assert submitted.number == before.number + 1 and submitted == ready.current_revision
    messages = submitted.snapshot["tree"]["messages"]
    assert "Recording offer" not in {m["name"] for m in messages}
    invitation = next(m for m in messages if m["name"] == "Invitation")
    assert invitation["buttons"][0]["id"] == f"b{second.pk}"  # moved up, as on screen
    assert edits.unsaved_changes(ready, ready.conversation) == []


def test_a_refused_submit_keeps_the_unsaved_tree_and_writes_no_revision(ready: Ad, author: User) -> None:
    cs.message_add(ad_id=ready.pk, editor=author, name="Pricing")  # empty and unreachable: not ready
    response = client_for(author).post(f"/review/ads/{ready.pk}/submit/", follow=True)
    assert "has no text yet" in response.content.decode()
    ready.refresh_from_db()
    assert ready.state == State.DRAFT and ready.revisions.count() == 2
    assert _message(ready, "Pricing")  # the click's work is still there, unsaved
    assert edits.unsaved_changes(ready, ready.conversation)


def test_a_viewer_cannot_save_the_tree(ready: Ad, author: User, viewer: User) -> None:
    cs.message_add(ad_id=ready.pk, editor=author, name="Pricing")
    assert client_for(viewer).post(f"/ads/{ready.pk}/conversation/save/").status_code == 403
    assert ready.revisions.count() == 2


def test_an_approval_is_voided_by_the_save_not_by_the_clicks_before_it(
    ready: Ad, author: User, approver: User
) -> None:
    review.submit(ad_id=ready.pk, actor=author)
    ready.refresh_from_db()
    review.approve(ad_id=ready.pk, approver=approver, revision_hash=ready.current_revision.content_hash)  # type: ignore[union-attr]
    ready.refresh_from_db()
    assert ready.state == State.APPROVED
    approved = ready.current_revision
    _session_of_edits(ready, author)
    ready.refresh_from_db()
    assert ready.state == State.APPROVED and ready.current_revision == approved  # still what was approved
    cs.conversation_save(ad_id=ready.pk, editor=author)
    ready.refresh_from_db()
    assert ready.state == State.DRAFT and ready.current_revision != approved
    approved.refresh_from_db()  # type: ignore[union-attr]
    assert approved.snapshot["tree"] != ready.current_revision.snapshot["tree"]  # type: ignore[union-attr]


def test_an_unsaved_change_by_someone_else_is_a_conflict_for_a_form_loaded_before_it(
    ready: Ad, author: User, admin_user: User
) -> None:
    """No revision was written, yet the change is someone's work: a stale save must not undo it."""
    invitation = _message(ready, "Invitation")
    client = client_for(author)
    page = client.get(f"/ads/{ready.pk}/conversation/?m={invitation.pk}").content.decode()
    base_edit = re.search(r'name="base_edit" value="(\d*)"', page)
    assert base_edit is not None
    # Ada adds a button to the same message (a structural change: no revision).
    save_message(
        ad_id=ready.pk, editor=admin_user, message_id=invitation.pk, op="add_button", name="Ada's label"
    )
    ready.refresh_from_db()
    assert ready.revisions.count() == 2
    form = _message_form(invitation, "<p>Alice's words</p>", op="save", base_edit=base_edit.group(1))
    refused = client.post(f"/ads/{ready.pk}/conversation/messages/{invitation.pk}/", form, **HTMX)
    assert refused.status_code == 409
    said = refused.content.decode()
    assert "Ada Admin changed the conversation" in said
    # The panel's heading says what happened: a change, not a saved version.
    assert "Ada Admin changed this while you were editing" in said
    assert "saved a newer version" not in said
    invitation.refresh_from_db()
    assert invitation.name == "Ada's label"  # not overwritten


def test_ones_own_structural_change_saved_by_ones_details_save_is_no_conflict_for_the_open_message(
    ready: Ad, author: User, sender: Sender
) -> None:
    """The tree's Save may save the details first, then the open message: the details' revision holds
    the person's own unsaved delete, which must not read as someone else's change to the message."""
    client = client_for(author)
    invitation = _message(ready, "Invitation")
    cs.message_delete(
        ad_id=ready.pk, editor=author, message_id=_message(ready, "Recording offer").pk, inbound="remove"
    )
    page = client.get(f"/ads/{ready.pk}/conversation/?m={invitation.pk}").content.decode()
    base_edit = re.search(r'name="base_edit" value="(\d*)"', page)
    assert base_edit is not None
    details = {"name": ready.name, "sender": sender.pk, "subject": "New subject", "footer": "",
               "base_version": 2, "base_edit": base_edit.group(1)}  # fmt: skip
    assert client.post(f"/ads/{ready.pk}/conversation/", details, **HTMX).status_code == 200
    form = _message_form(invitation, "<p>Mine</p>", op="save", base_edit=base_edit.group(1))
    saved = client.post(f"/ads/{ready.pk}/conversation/messages/{invitation.pk}/", form, **HTMX)
    assert saved.status_code == 200, saved.content.decode()[:500]
    invitation.refresh_from_db()
    assert invitation.body == "<p>Mine</p>" and ready.revisions.count() == 4


def test_one_save_of_typed_details_and_a_typed_message_writes_one_revision_of_both(
    ready: Ad, author: User, sender: Sender
) -> None:
    """The editor's Save with text typed into both the open message and the details: the message is
    kept in the tree (op "keep", no revision, said as unsaved), then the details' save writes the one
    revision, which holds both."""
    client = client_for(author)
    invitation = _message(ready, "Invitation")
    page = client.get(f"/ads/{ready.pk}/conversation/?m={invitation.pk}").content.decode()
    base_edit = re.search(r'name="base_edit" value="(\d*)"', page)
    assert base_edit is not None
    form = _message_form(invitation, "<p>Typed into the message</p>", op="keep", base_edit=base_edit.group(1))
    kept = client.post(f"/ads/{ready.pk}/conversation/messages/{invitation.pk}/", form, **HTMX)
    assert kept.status_code == 200, kept.content.decode()[:500]
    assert ready.revisions.count() == 2  # kept, not saved
    assert "Saved as revision" not in kept.content.decode()
    assert edits.unsaved_changes(ready, ready.conversation) != []  # said as unsaved until the save
    page = kept.content.decode()
    base_edit = re.search(r'name="base_edit" value="(\d*)"', page)
    assert base_edit is not None
    details = {"name": ready.name, "sender": sender.pk, "subject": "Typed into the details", "footer": "",
               "base_version": 2, "base_edit": base_edit.group(1)}  # fmt: skip
    saved = client.post(f"/ads/{ready.pk}/conversation/", details, **HTMX)
    assert saved.status_code == 200, saved.content.decode()[:500]
    ready.refresh_from_db()
    assert ready.revisions.count() == 3
    snapshot = ready.current_revision.snapshot  # type: ignore[union-attr]
    assert snapshot["subject"] == "Typed into the details"
    assert cs.message_of(snapshot, invitation.ref)["body"] == "<p>Typed into the message</p>"  # type: ignore[index]
    assert edits.unsaved_changes(ready, ready.conversation) == []


def test_a_kept_message_whose_details_save_is_refused_stays_in_the_tree_said_as_unsaved(
    ready: Ad, author: User, sender: Sender
) -> None:
    """The second half of one Save refused (the details lack a name): the message's text, kept in the
    tree, is not lost; the editor says it is unsaved ("Reworded …") and the next Save writes it."""
    client = client_for(author)
    invitation = _message(ready, "Invitation")
    form = _message_form(invitation, "<p>Kept text</p>", op="keep")
    assert (
        client.post(f"/ads/{ready.pk}/conversation/messages/{invitation.pk}/", form, **HTMX).status_code
        == 200
    )
    details = {"name": "", "sender": sender.pk, "subject": ready.subject, "footer": "", "base_version": 2}
    refused = client.post(f"/ads/{ready.pk}/conversation/", details, **HTMX)
    assert refused.status_code == 422
    assert "Reworded “Invitation”" in refused.content.decode()
    invitation.refresh_from_db()
    assert invitation.body == "<p>Kept text</p>" and ready.revisions.count() == 2
    cs.conversation_save(ad_id=ready.pk, editor=author)
    assert cs.message_of(ready.revisions.get(number=3).snapshot, invitation.ref)["body"] == "<p>Kept text</p>"  # type: ignore[index]
