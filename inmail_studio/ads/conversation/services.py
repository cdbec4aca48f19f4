"""Writes for conversation ads: creating one from a template, and every change to its tree.

Each change locks the ad's row, refuses when the ad is locked (in review, live) and
applies itself to the live tree rows, recording a `TreeEdit` (the undo stack, and
the base a form was loaded from). Structural changes (add, delete, move, relink,
undo) stop there: a working session's edits become one revision when the marketer
saves (a message, the details, or the tree's "Save"), through `services.ad_content_saved`,
which snapshots the whole ad (tree included) and voids an approval, exactly as an
edit of a message ad does. Nothing reads the live rows as "the ad's content" but the
editor itself: review, share links, syncs and test sends read revisions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import limits, macros, services
from inmail_studio.ads.conversation import edits
from inmail_studio.ads.conversation.templates import TEMPLATES
from inmail_studio.ads.conversation.tree import tree_of
from inmail_studio.ads.models import (
    Ad,
    ButtonAction,
    Conversation,
    ConversationButton,
    ConversationMessage,
    Kind,
    MessageKind,
    Revision,
)
from inmail_studio.ads.sanitize import sanitize_body
from inmail_studio.conflicts import EditConflict
from inmail_studio.single_line import refuse_line_breaks

# What to do with the buttons that lead to a message being deleted.
INBOUND_DETACH = "detach"  # keep them, without a target (the validator flags them)
INBOUND_REMOVE = "remove"  # delete them too
INBOUND_RELINK = "relink"  # point them at another message
INBOUND_CHOICES = (INBOUND_DETACH, INBOUND_REMOVE, INBOUND_RELINK)


@dataclass
class TreeChange:
    ad: Ad
    revision: Revision | None  # None when nothing was saved as a revision (a structural change)
    message: ConversationMessage | None = None  # the message to show selected afterwards


def _finish(
    ad: Ad,
    conversation: Conversation,
    editor: User,
    before: dict[str, Any],
    *,
    save: bool,
    message: ConversationMessage | None = None,
) -> TreeChange:
    """Record the change to the tree; with `save`, write the revision of everything (details and tree)."""
    edits.record(conversation, editor, before)
    if save:
        return TreeChange(ad=ad, revision=services.ad_content_saved(ad=ad, editor=editor), message=message)
    Ad.objects.filter(pk=ad.pk).update(updated_at=timezone.now())  # the drafts list shows it as just edited
    return TreeChange(ad=ad, revision=None, message=message)


@transaction.atomic
def conversation_save(*, ad_id: int, editor: User) -> TreeChange:
    """The tree's "Save": one revision for every change made to it since the last one."""
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    return TreeChange(ad=ad, revision=services.ad_content_saved(ad=ad, editor=editor))


@transaction.atomic
def conversation_create(*, workspace: Workspace, author: User, name: str, template_key: str) -> Ad:
    """A new conversation ad, its tree copied from a starting template; revision 1 holds it all."""
    template = TEMPLATES.get(template_key)
    if template is None:
        raise ValidationError("Choose one of the templates.")
    services._require_editor(author, workspace)
    refuse_line_breaks({"name": name})
    ad = Ad(
        workspace=workspace,
        author=author,
        kind=Kind.CONVERSATION,
        name=name.strip(),
        subject=template.subject,
    )
    ad.full_clean()
    ad.save()
    conversation = Conversation.objects.create(ad=ad, lead_gen=template.lead_gen)
    rows: dict[str, ConversationMessage] = {}
    for position, spec in enumerate(template.messages):
        rows[spec.key] = ConversationMessage.objects.create(
            conversation=conversation,
            position=position,
            name=spec.name,
            kind=spec.kind,
            body=sanitize_body(spec.body),
        )
    ConversationButton.objects.bulk_create(
        ConversationButton(
            message=rows[spec.key],
            position=position,
            text=button.text,
            action=button.action,
            target=rows[button.target] if button.target else None,
            url=button.url,
        )
        for spec in template.messages
        for position, button in enumerate(spec.buttons)
    )
    conversation.first_message = rows[template.messages[0].key]
    conversation.save(update_fields=["first_message"])
    services.ad_content_saved(ad=ad, editor=author)
    return ad


@transaction.atomic
def conversation_duplicate(*, ad_id: int, author: User, name: str) -> Ad:
    """A new draft conversation ad with a copy of another's whole tree (the way to change a live one).

    Messages and buttons are new rows; each button's target and the first message point at
    the copies, so editing the new draft never touches the original's tree.
    """
    source = Ad.objects.select_related("workspace").get(pk=ad_id, kind=Kind.CONVERSATION)
    services._require_editor(author, source.workspace)
    ad = Ad(
        workspace=source.workspace,
        author=author,
        kind=Kind.CONVERSATION,
        name=name,
        sender=source.sender,
        subject=source.subject,
        footer=source.footer,
        banner=source.banner,
    )
    ad.full_clean(exclude=["footer"])  # the conversation footer's own limit was checked when it was saved
    ad.save()
    original = Conversation.objects.filter(ad=source).first()
    conversation = Conversation.objects.create(ad=ad, lead_gen=original.lead_gen if original else False)
    if original is not None:
        rows = list(original.messages.prefetch_related("buttons").order_by("position", "pk"))
        copies = {
            row.pk: ConversationMessage.objects.create(
                conversation=conversation,
                position=row.position,
                name=row.name,
                kind=row.kind,
                body=row.body,
                form_urn=row.form_urn,
            )
            for row in rows
        }
        ConversationButton.objects.bulk_create(
            ConversationButton(
                message=copies[row.pk],
                position=button.position,
                text=button.text,
                action=button.action,
                target=copies.get(button.target_id) if button.target_id else None,
                url=button.url,
            )
            for row in rows
            for button in row.buttons.all()
        )
        if original.first_message_id in copies:
            conversation.first_message = copies[original.first_message_id]
            conversation.save(update_fields=["first_message"])
    services.ad_content_saved(ad=ad, editor=author)
    return ad


def _body_without_address_macros(body: str) -> str:
    """The body sanitized, refused (on the body field) if a link's address holds a macro."""
    cleaned = services.sanitized_body(body)
    found = macros.in_addresses(cleaned)
    if found:
        raise ValidationError({"body": macros.address_message(found)})
    return cleaned


def _conversation(ad: Ad) -> Conversation:
    conversation, _ = Conversation.objects.get_or_create(ad=ad)
    return conversation


def _message(conversation: Conversation, message_id: int) -> ConversationMessage:
    return ConversationMessage.objects.get(conversation=conversation, pk=message_id)


def _renumber(rows: list[Any]) -> None:
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])


def settings_of(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The part of a snapshot the "Ad details" form edits."""
    sender = snapshot.get("sender") or {}
    return {
        "name": snapshot.get("name", ""),
        "sender": sender.get("id"),
        "subject": snapshot.get("subject", ""),
        "footer": snapshot.get("footer", ""),
        "lead_gen": bool((snapshot.get("tree") or {}).get("lead_gen")),
    }


def message_of(snapshot: dict[str, Any], ref: str) -> dict[str, Any] | None:
    """One message of a snapshot's tree (with its buttons), or None if that revision has no such message."""
    return next((m for m in (snapshot.get("tree") or {}).get("messages", []) if m["id"] == ref), None)


def _part_conflict(
    ad: Ad,
    base_revision: int | None,
    part: Callable[[dict[str, Any]], Any],
    *,
    conversation: Conversation | None = None,
    base_edit: int | None = None,
    **context: Any,
) -> EditConflict | None:
    """A conflict only when the part of the ad this form edits changed since the form was loaded:
    someone editing another message, or the ad's details, is no conflict for this form.

    A form that carries `base_edit` (the tree change it was loaded at) is checked against the live
    tree: an unsaved add, move or relink is someone's work too. Without it, against the revisions
    saved since `base_revision`.
    """
    if conversation is not None and base_edit is not None:
        return edits.tree_conflict(ad, conversation, base_revision, base_edit, part, context)
    conflict = services.revision_conflict(ad, base_revision)
    if conflict is not None:
        base = conflict.context["base"]
        if base is None or part(base.snapshot) != part(conflict.context["current"].snapshot):
            conflict.context.update(context)
            return conflict
    return None


@transaction.atomic
def conversation_settings_update(
    *, ad_id: int, editor: User, fields: dict[str, Any], lead_gen: bool, base_revision: int | None = None
) -> TreeChange:
    """The shared fields (name, sender, subject, footer) and the lead gen flag, in one revision.

    Refused with EditConflict when someone changed these fields since `base_revision`.
    """
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    conflict = _part_conflict(ad, base_revision, settings_of)
    if conflict is not None:
        raise conflict
    conversation = _conversation(ad)
    before = tree_of(conversation)
    if conversation.lead_gen != lead_gen:
        conversation.lead_gen = lead_gen
        conversation.save(update_fields=["lead_gen"])
    footer = fields.get("footer") or ""
    if len(footer) > limits.CONVERSATION_FOOTER.maximum:
        raise ValidationError({"footer": limits.CONVERSATION_FOOTER.message(len(footer))})
    for name, value in fields.items():
        setattr(ad, name, value)
    services._refuse_line_breaks(ad)
    ad.full_clean(exclude=["footer"])  # the footer's limit is the conversation one, checked above
    ad.save()
    return _finish(ad, conversation, editor, before, save=True)


@transaction.atomic
def message_add(*, ad_id: int, editor: User, name: str = "", kind: str = MessageKind.TEXT) -> TreeChange:
    """A new message at the end of the tree (a structural change: no revision until the tree is saved)."""
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    conversation = _conversation(ad)
    before = tree_of(conversation)
    message = _message_add(conversation, name=name, kind=kind)
    return _finish(ad, conversation, editor, before, save=False, message=message)


@transaction.atomic
def message_delete(
    *,
    ad_id: int,
    editor: User,
    message_id: int,
    inbound: str = INBOUND_DETACH,
    relink_to: int | None = None,
    base_revision: int | None = None,
    base_edit: int | None = None,
) -> TreeChange:
    """Delete a message; the buttons that led to it are detached, removed or re-linked as asked
    (a structural change: no revision until the tree is saved).

    Refused with EditConflict when someone changed the message since `base_revision` / `base_edit`
    (the person deciding to delete it hasn't seen that work).
    """
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    conversation = _conversation(ad)
    message = _message(conversation, message_id)
    conflict = _part_conflict(
        ad, base_revision, lambda snap: message_of(snap, message.ref),
        conversation=conversation, base_edit=base_edit, ref=message.ref,
    )  # fmt: skip
    if conflict is not None:
        raise conflict
    before = tree_of(conversation)
    pointing = ConversationButton.objects.filter(target=message).exclude(message=message)
    if inbound not in INBOUND_CHOICES:
        raise ValidationError("Choose what happens to the buttons that lead to this message.")
    if inbound == INBOUND_RELINK:
        if relink_to is None or relink_to == message.pk:
            raise ValidationError("Choose the message those buttons should lead to instead.")
        # The id comes from the form: only a message of this conversation is a target.
        replacement = ConversationMessage.objects.filter(conversation=conversation, pk=relink_to).first()
        if replacement is None:
            raise ValidationError("Choose one of this conversation's messages for those buttons.")
        pointing.update(target=replacement)
    elif inbound == INBOUND_REMOVE:
        pointing.delete()
    message.delete()  # the FK's SET_NULL detaches whatever still points here
    for owner in conversation.messages.all():
        _renumber(list(owner.buttons.order_by("position", "pk")))
    _renumber(list(conversation.messages.order_by("position", "pk")))
    conversation.refresh_from_db()
    return _finish(ad, conversation, editor, before, save=False)


@dataclass(frozen=True)
class ButtonInput:
    id: int
    text: str
    action: str
    target_id: int | None
    url: str


# What the message form's submit buttons may ask for besides saving (each saved with the form's values).
# "keep" puts the form's text into the tree without a revision: the editor's one "Save" (or "Submit")
# with the details also typed in keeps the message first, then saves the details, which writes the
# one revision of everything.
MESSAGE_OPS = (
    "save",
    "keep",
    "add_button",
    "delete_button",
    "up_button",
    "down_button",
    "up",
    "down",
    "first",
    "add_message",
)


@transaction.atomic
def message_save(
    *,
    ad_id: int,
    editor: User,
    message_id: int,
    name: str,
    kind: str,
    body: str,
    form_urn: str,
    buttons: list[ButtonInput],
    op: str = "save",
    op_button_id: int | None = None,
    base_revision: int | None = None,
    base_edit: int | None = None,
) -> TreeChange:
    """Save a message and its buttons as the editor's form holds them, then apply `op`.

    `op="save"` (the Save button) writes one revision of the whole ad, every unsaved change to the
    tree included; the other ops (add or move a button, move a message, …) are structural changes
    that wait for that save. Refused with EditConflict when someone changed this message (or its
    buttons) since `base_revision` / `base_edit`; ConversationMessage.DoesNotExist when someone
    deleted it.
    """
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    conversation = _conversation(ad)
    refuse_line_breaks({"name": name, "form_urn": form_urn})
    message = _message(conversation, message_id)
    conflict = _part_conflict(
        ad, base_revision, lambda snap: message_of(snap, message.ref),
        conversation=conversation, base_edit=base_edit, ref=message.ref,
    )  # fmt: skip
    if conflict is not None:
        raise conflict
    before = tree_of(conversation)
    message.name = name.strip()[:60] or message.name
    message.kind = kind if kind in MessageKind.values else MessageKind.TEXT
    message.body = _body_without_address_macros(body)
    message.form_urn = form_urn.strip()
    message.full_clean(exclude=["conversation"])
    message.save()
    rows = {b.pk: b for b in message.buttons.all()}
    for item in buttons:
        row = rows.get(item.id)
        if row is None:
            continue
        _apply_button(conversation, row, item)
    selected: ConversationMessage | None = message
    if op == "add_button":
        _button_add(message)
    elif op in ("delete_button", "up_button", "down_button") and op_button_id in rows:
        row = rows[op_button_id]
        if op == "delete_button":
            row.delete()
            _renumber(list(message.buttons.order_by("position", "pk")))
        else:
            _move(
                list(message.buttons.order_by("position", "pk")), op_button_id, -1 if op == "up_button" else 1
            )
    elif op in ("up", "down"):
        _move(list(conversation.messages.order_by("position", "pk")), message.pk, -1 if op == "up" else 1)
    elif op == "first":
        conversation.first_message = message
        conversation.save(update_fields=["first_message"])
    elif op == "add_message":
        selected = _message_add(conversation, name="")
    return _finish(ad, conversation, editor, before, save=op == "save", message=selected)


def _apply_button(conversation: Conversation, row: ConversationButton, item: ButtonInput) -> None:
    text_limit = ConversationButton._meta.get_field("text").max_length or 0
    url_limit = ConversationButton._meta.get_field("url").max_length or 0
    refuse_line_breaks({f"button-{row.pk}-text": item.text, f"button-{row.pk}-url": item.url})
    if len(item.text.strip()) > text_limit:
        raise ValidationError({f"button-{row.pk}-text": limits.BUTTON_TEXT.message(len(item.text.strip()))})
    if len(item.url.strip()) > url_limit:
        raise ValidationError(
            {f"button-{row.pk}-url": limits.LANDING_PAGE_URL.message(len(item.url.strip()))}
        )
    row.text = item.text.strip()
    row.action = item.action if item.action in ButtonAction.values else ButtonAction.MESSAGE
    row.target = (
        ConversationMessage.objects.filter(conversation=conversation, pk=item.target_id).first()
        if item.target_id
        else None
    )
    row.url = item.url.strip()
    row.save()


def _move(rows: list[Any], pk: int, offset: int) -> None:
    index = next(i for i, row in enumerate(rows) if row.pk == pk)
    other = index + offset
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    _renumber(rows)


def _button_add(message: ConversationMessage) -> ConversationButton:
    count = message.buttons.count()
    if count >= limits.BUTTONS_PER_MESSAGE.maximum:
        raise ValidationError(limits.BUTTONS_PER_MESSAGE.message(count + 1))
    return ConversationButton.objects.create(
        message=message, position=count, text="", action=ButtonAction.MESSAGE, target=None
    )


def _message_add(
    conversation: Conversation, *, name: str, kind: str = MessageKind.TEXT
) -> ConversationMessage:
    refuse_line_breaks({"name": name})
    count = conversation.messages.count()
    if count >= limits.MESSAGES_PER_CONVERSATION.maximum:
        raise ValidationError(limits.MESSAGES_PER_CONVERSATION.message(count + 1))
    message = ConversationMessage.objects.create(
        conversation=conversation,
        position=count,
        name=(name.strip() or f"Message {count + 1}")[:60],
        kind=kind if kind in MessageKind.values else MessageKind.TEXT,
    )
    if conversation.first_message_id is None:
        conversation.first_message = message
        conversation.save(update_fields=["first_message"])
    return message


@transaction.atomic
def message_readd(
    *, ad_id: int, editor: User, name: str, kind: str, body: str, form_urn: str, buttons: list[ButtonInput]
) -> TreeChange:
    """Add again, as a new message, one that someone deleted while another person was editing it
    (with what that person typed, buttons included; a button whose target is gone loses it)."""
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    conversation = _conversation(ad)
    before = tree_of(conversation)
    message = _message_add(conversation, name=name, kind=kind)
    message.body = sanitize_body(body) if message.kind == MessageKind.TEXT else ""
    message.form_urn = form_urn.strip()
    message.full_clean(exclude=["conversation"])
    message.save()
    for position, item in enumerate(buttons[: limits.BUTTONS_PER_MESSAGE.maximum]):
        row = ConversationButton.objects.create(message=message, position=position, text="")
        _apply_button(conversation, row, item)
    return _finish(ad, conversation, editor, before, save=False, message=message)


# ---------------------------------------------------------------------------
# Undo: the last change to the tree, taken back by the person who made it (see `edits`)
# ---------------------------------------------------------------------------


@transaction.atomic
def tree_undo(*, ad_id: int, editor: User, edit: int) -> TreeChange:
    """Undo the last change to the tree (`edit` is the change the person saw "Undo" offer to take back):
    the tree as it was before it, kept ids and all. Like the change, the undo waits for the tree's save.
    Refused when the tree moved on since (someone else changed it, or another change of one's own)."""
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    conversation = _conversation(ad)
    offer = edits.undoable(ad, editor, conversation)
    if offer is None or offer.edit != edit:
        raise ValidationError(
            "Nothing to undo: the conversation changed since, or the last change wasn't yours."
        )
    target = conversation.edits.get(number=edit)
    before = tree_of(conversation)
    edits.restore(conversation, target.before)
    edits.record(conversation, editor, before, undoes=target)
    Ad.objects.filter(pk=ad.pk).update(updated_at=timezone.now())
    return TreeChange(ad=ad, revision=None)
