"""Writes for conversation ads: creating one from a template, and every change to its tree.

Each change locks the ad's row, refuses when the ad is locked (in review, live),
applies itself and ends with `services.ad_content_saved`, which snapshots the
whole ad (tree included) into a revision and voids an approval, exactly as an
edit of a message ad does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import limits, macros, services
from inmail_studio.ads.conversation.templates import TEMPLATES
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
    revision: Revision | None
    message: ConversationMessage | None = None  # the message to show selected afterwards


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
    ad: Ad, base_revision: int | None, part: Callable[[dict[str, Any]], Any], **context: Any
) -> EditConflict | None:
    """A conflict only when the part of the ad this form edits changed since `base_revision`:
    someone editing another message, or the ad's details, is no conflict for this form."""
    conflict = services.revision_conflict(ad, base_revision)
    if conflict is None:
        return None
    base = conflict.context["base"]
    if base is not None and part(base.snapshot) == part(conflict.context["current"].snapshot):
        return None
    conflict.context.update(context)
    return conflict


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
    return TreeChange(ad=ad, revision=services.ad_content_saved(ad=ad, editor=editor))


@transaction.atomic
def message_add(*, ad_id: int, editor: User, name: str = "", kind: str = MessageKind.TEXT) -> TreeChange:
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    message = _message_add(_conversation(ad), name=name, kind=kind)
    return TreeChange(ad=ad, revision=services.ad_content_saved(ad=ad, editor=editor), message=message)


@transaction.atomic
def message_update(
    *, ad_id: int, editor: User, message_id: int, name: str, kind: str, body: str, form_urn: str
) -> TreeChange:
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    refuse_line_breaks({"name": name, "form_urn": form_urn})
    message = _message(_conversation(ad), message_id)
    message.name = name.strip()[:60] or message.name
    message.kind = kind if kind in MessageKind.values else MessageKind.TEXT
    message.body = _body_without_address_macros(body)
    message.form_urn = form_urn.strip()
    message.full_clean(exclude=["conversation"])
    message.save()
    return TreeChange(ad=ad, revision=services.ad_content_saved(ad=ad, editor=editor), message=message)


@transaction.atomic
def message_move(*, ad_id: int, editor: User, message_id: int, offset: int) -> TreeChange:
    """Move a message up (-1) or down (+1) in the editor's and the diagram's order."""
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    conversation = _conversation(ad)
    rows = list(conversation.messages.order_by("position", "pk"))
    index = next(i for i, m in enumerate(rows) if m.pk == message_id)
    other = index + (1 if offset > 0 else -1)
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    _renumber(rows)
    return TreeChange(
        ad=ad,
        revision=services.ad_content_saved(ad=ad, editor=editor),
        message=_message(conversation, message_id),
    )


@transaction.atomic
def message_make_first(*, ad_id: int, editor: User, message_id: int) -> TreeChange:
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    conversation = _conversation(ad)
    conversation.first_message = _message(conversation, message_id)
    conversation.save(update_fields=["first_message"])
    return TreeChange(
        ad=ad, revision=services.ad_content_saved(ad=ad, editor=editor), message=conversation.first_message
    )


@transaction.atomic
def message_delete(
    *,
    ad_id: int,
    editor: User,
    message_id: int,
    inbound: str = INBOUND_DETACH,
    relink_to: int | None = None,
    base_revision: int | None = None,
) -> TreeChange:
    """Delete a message; the buttons that led to it are detached, removed or re-linked as asked.

    Refused with EditConflict when someone changed the message since `base_revision` (the person
    deciding to delete it hasn't seen that work).
    """
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    conversation = _conversation(ad)
    message = _message(conversation, message_id)
    conflict = _part_conflict(ad, base_revision, lambda snap: message_of(snap, message.ref), ref=message.ref)
    if conflict is not None:
        raise conflict
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
    return TreeChange(ad=ad, revision=services.ad_content_saved(ad=ad, editor=editor))


@dataclass(frozen=True)
class ButtonInput:
    id: int
    text: str
    action: str
    target_id: int | None
    url: str


# What the message form's submit buttons may ask for besides saving (each saved with the form's values).
MESSAGE_OPS = (
    "save",
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
) -> TreeChange:
    """Save a message and its buttons as the editor's form holds them, then apply `op`, in one revision.

    Refused with EditConflict when someone changed this message (or its buttons) since
    `base_revision`; ConversationMessage.DoesNotExist when someone deleted it.
    """
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    conversation = _conversation(ad)
    refuse_line_breaks({"name": name, "form_urn": form_urn})
    message = _message(conversation, message_id)
    conflict = _part_conflict(ad, base_revision, lambda snap: message_of(snap, message.ref), ref=message.ref)
    if conflict is not None:
        raise conflict
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
    return TreeChange(ad=ad, revision=services.ad_content_saved(ad=ad, editor=editor), message=selected)


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
    message = _message_add(conversation, name=name, kind=kind)
    message.body = sanitize_body(body) if message.kind == MessageKind.TEXT else ""
    message.form_urn = form_urn.strip()
    message.full_clean(exclude=["conversation"])
    message.save()
    for position, item in enumerate(buttons[: limits.BUTTONS_PER_MESSAGE.maximum]):
        row = ConversationButton.objects.create(message=message, position=position, text="")
        _apply_button(conversation, row, item)
    return TreeChange(ad=ad, revision=services.ad_content_saved(ad=ad, editor=editor), message=message)


@transaction.atomic
def button_add(*, ad_id: int, editor: User, message_id: int) -> TreeChange:
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    message = _message(_conversation(ad), message_id)
    _button_add(message)
    return TreeChange(ad=ad, revision=services.ad_content_saved(ad=ad, editor=editor), message=message)


@transaction.atomic
def button_update(
    *, ad_id: int, editor: User, button_id: int, text: str, action: str, target_id: int | None, url: str
) -> TreeChange:
    """Change a button's text and what it does; re-linking is choosing another target here."""
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    conversation = _conversation(ad)
    button = ConversationButton.objects.select_related("message").get(
        pk=button_id, message__conversation=conversation
    )
    if action not in ButtonAction.values:
        raise ValidationError({"action": "Choose what the button does."})
    refuse_line_breaks({"text": text, "url": url})
    if len(text) > ConversationButton._meta.get_field("text").max_length:  # type: ignore[operator]
        raise ValidationError({"text": limits.BUTTON_TEXT.message(len(text))})
    button.text = text.strip()
    button.action = action
    button.target = _message(conversation, target_id) if target_id else None
    button.url = url.strip()
    if len(button.url) > ConversationButton._meta.get_field("url").max_length:  # type: ignore[operator]
        raise ValidationError({"url": limits.LANDING_PAGE_URL.message(len(button.url))})
    button.save()
    return TreeChange(ad=ad, revision=services.ad_content_saved(ad=ad, editor=editor), message=button.message)


@transaction.atomic
def button_move(*, ad_id: int, editor: User, button_id: int, offset: int) -> TreeChange:
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    button = ConversationButton.objects.select_related("message").get(
        pk=button_id, message__conversation__ad=ad
    )
    rows = list(button.message.buttons.order_by("position", "pk"))
    index = next(i for i, b in enumerate(rows) if b.pk == button_id)
    other = index + (1 if offset > 0 else -1)
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    _renumber(rows)
    return TreeChange(ad=ad, revision=services.ad_content_saved(ad=ad, editor=editor), message=button.message)


@transaction.atomic
def button_delete(*, ad_id: int, editor: User, button_id: int) -> TreeChange:
    ad = services.ad_lock_for_edit(ad_id=ad_id, editor=editor)
    button = ConversationButton.objects.select_related("message").get(
        pk=button_id, message__conversation__ad=ad
    )
    message = button.message
    button.delete()
    _renumber(list(message.buttons.order_by("position", "pk")))
    return TreeChange(ad=ad, revision=services.ad_content_saved(ad=ad, editor=editor), message=message)
