"""A conversation's tree changes between revisions: the undo stack and the base a form was loaded from.

Structural changes (add, delete, move, relink) change the live tree rows without a revision; each
change to the rows is recorded as a `TreeEdit` holding the tree before and after it. From those:
what is unsaved (the live tree against the current revision, in words), the undo of one's own last
change, one change at a time, and the conflict of a form loaded before someone else's change,
saved as a revision or not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from inmail_studio.accounts.models import User
from inmail_studio.ads.conversation.tree import compare_trees, in_words, tree_of
from inmail_studio.ads.models import Ad, Conversation, ConversationButton, ConversationMessage, TreeEdit
from inmail_studio.conflicts import EditConflict


def record(
    conversation: Conversation, editor: User, before: dict[str, Any], undoes: TreeEdit | None = None
) -> None:
    """Append the change from `before` to the tree as it is now, if the tree changed (the ad's row is locked)."""
    after = tree_of(conversation)
    if after == before:
        return
    last = conversation.edits.order_by("-number").values_list("number", flat=True).first() or 0
    TreeEdit.objects.create(
        conversation=conversation, number=last + 1, author=editor, before=before, after=after, undoes=undoes
    )
    conversation.edits.filter(number__lte=last + 1 - TreeEdit.KEEP).delete()


def latest_edit(conversation: Conversation) -> int:
    """The number of the conversation's last recorded change (0 before any): the base a form carries."""
    return conversation.edits.order_by("-number").values_list("number", flat=True).first() or 0


def unsaved_changes(ad: Ad, conversation: Conversation, tree: dict[str, Any] | None = None) -> list[str]:
    """The tree's changes not yet in a revision, in words ("Added message “Pricing”"); [] when saved."""
    current = ad.current_revision
    saved = current.snapshot.get("tree") if current is not None else None
    live = tree if tree is not None else tree_of(conversation)
    if saved == live:
        return []
    return in_words(compare_trees(saved, live), limit=4) or ["Changes to the conversation"]


@dataclass(frozen=True)
class TreeState:
    """The tree at one point (a form's base, or the live rows), shaped as a revision for the conflict views."""

    snapshot: dict[str, Any]


def tree_conflict(
    ad: Ad,
    conversation: Conversation,
    base_revision: int | None,
    base_edit: int,
    part: Callable[[dict[str, Any]], Any],
    context: dict[str, Any],
) -> EditConflict | None:
    """The conflict of a form loaded at tree change `base_edit`: every change to the tree, saved as a
    revision or not, is a recorded edit, so the part as loaded is compared with the part as it is now
    (one's own changes since, in this tab, moved the form's base along with them)."""
    latest = conversation.edits.select_related("author").order_by("-number").first()
    if latest is None or latest.number == base_edit:
        return None
    loaded = conversation.edits.filter(number=base_edit).values_list("after", flat=True).first()
    if loaded is None and base_edit == 0 and base_revision is not None:
        revision = ad.revisions.filter(number=base_revision).first()
        loaded = revision.snapshot.get("tree") if revision is not None else None
    live = tree_of(conversation)
    if loaded is not None and part({"tree": loaded}) == part({"tree": live}):
        return None
    when = timezone.localtime(latest.created_at).strftime("%H:%M")
    current = ad.current_revision
    unsaved = not (current is not None and current.snapshot.get("tree") == live)
    if current is not None and not unsaved:
        said = f"{latest.author.display_name} saved revision {current.number} at {when}, after you opened it."
    else:
        said = (
            f"{latest.author.display_name} changed the conversation at {when}, after you opened it "
            "(not saved as a revision yet)."
        )
    return EditConflict(
        said,
        version=str(ad.current_revision.number) if ad.current_revision else "",
        by=latest.author.display_name,
        at=latest.created_at,
        unsaved=unsaved,
        context={
            "base": TreeState({"tree": loaded}) if loaded is not None else None,
            "current": TreeState({"tree": live}),
            "edit": latest.number,
            **context,
        },
    )


@dataclass(frozen=True)
class Undoable:
    """What "Undo" would take back: the tree change `edit` (a TreeEdit's number), in words."""

    edit: int
    words: list[str]


def _undo_target(conversation: Conversation) -> TreeEdit | None:
    """The newest change to the tree not yet taken back (an undo itself is not one to take back)."""
    return (
        conversation.edits.select_related("author")
        .filter(undoes__isnull=True, undone_by__isnull=True)
        .order_by("-number")
        .first()
    )


def undoable(
    ad: Ad, editor: User, conversation: Conversation | None = None, tree: dict[str, Any] | None = None
) -> Undoable | None:
    """The last change to the tree (an add, a delete, a relink, a saved message…) when `editor` made it
    and the tree is still as it left it (`tree`: the live tree, when the caller has it); else None.
    Undo again to go further back."""
    conversation = conversation or Conversation.objects.get_or_create(ad=ad)[0]
    edit = _undo_target(conversation)
    if edit is None or edit.author_id != editor.pk:
        return None
    if (tree if tree is not None else tree_of(conversation)) != edit.after:
        return None
    changes = compare_trees(edit.before, edit.after)
    if not changes:
        return None
    return Undoable(edit=edit.number, words=in_words(changes, limit=3))


def restore(conversation: Conversation, tree: dict[str, Any]) -> None:
    """Make the stored messages and buttons what `tree` (a revision's snapshot) holds, keeping their ids:
    messages and buttons added since are deleted, those deleted since come back with their ids."""
    wanted = {int(m["id"][1:]): (position, m) for position, m in enumerate(tree.get("messages", []))}
    conversation.messages.exclude(pk__in=wanted).delete()
    existing = {m.pk: m for m in conversation.messages.all()}
    for pk, (position, item) in wanted.items():
        message = existing.get(pk) or ConversationMessage(pk=pk, conversation=conversation)
        message.position = position
        message.name = item["name"]
        message.kind = item["kind"]
        message.body = item.get("body", "")
        message.form_urn = item.get("form_urn", "")
        message.save()
    buttons = {
        int(b["id"][1:]): (pk, position, b)
        for pk, (_, item) in wanted.items()
        for position, b in enumerate(item.get("buttons", []))
    }
    ConversationButton.objects.filter(message__conversation=conversation).exclude(pk__in=buttons).delete()
    existing_buttons = {
        b.pk: b for b in ConversationButton.objects.filter(message__conversation=conversation)
    }
    for pk, (message_pk, position, item) in buttons.items():
        button = existing_buttons.get(pk) or ConversationButton(pk=pk)
        button.message_id = message_pk
        button.position = position
        button.text = item["text"]
        button.action = item["action"]
        button.target_id = int(item["target"][1:]) if item.get("target") else None
        button.url = item.get("url", "")
        button.save()
    conversation.lead_gen = bool(tree.get("lead_gen"))
    conversation.first_message_id = int(tree["first"][1:]) if tree.get("first") else None
    conversation.save(update_fields=["lead_gen", "first_message"])
