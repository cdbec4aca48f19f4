"""Edits as the conversation editor's message form makes them: through `message_save` (the one service
the app calls), the message as it is with some fields or buttons changed. Tests used to call
single-purpose services (message_update, button_update, button_move) that nothing in the app called."""

from __future__ import annotations

from typing import Any

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.models import Ad, ConversationButton, ConversationMessage, Sender


def submittable_conversation(workspace: Workspace, author: User, sender: Sender) -> Ad:
    """The "Event invitation" template with an approved sender (revision 2): nothing stops it going to review."""
    ad = cs.conversation_create(
        workspace=workspace, author=author, name="Spring event", template_key="event-invitation"
    )
    cs.conversation_settings_update(
        ad_id=ad.pk, editor=author, lead_gen=False,
        fields={"name": ad.name, "sender": sender, "subject": ad.subject, "footer": ""},
    )  # fmt: skip
    ad.refresh_from_db()
    return ad


def save_message(
    *,
    ad_id: int,
    editor: User,
    message_id: int,
    buttons: dict[int, dict[str, Any]] | None = None,
    op: str = "save",
    op_button_id: int | None = None,
    **fields: Any,
) -> cs.TreeChange:
    """Save message `message_id` with `fields` (name, kind, body, form_urn) and `buttons` ({id: {text,
    action, target_id, url}}) changed, everything else as saved, then apply `op`."""
    message = ConversationMessage.objects.get(pk=message_id)
    inputs = []
    for button in message.buttons.order_by("position", "pk"):
        change = (buttons or {}).get(button.pk, {})
        inputs.append(
            cs.ButtonInput(
                id=button.pk,
                text=change.get("text", button.text),
                action=change.get("action", button.action),
                target_id=change.get("target_id", button.target_id),
                url=change.get("url", button.url),
            )
        )
    return cs.message_save(
        ad_id=ad_id,
        editor=editor,
        message_id=message_id,
        name=fields.get("name", message.name),
        kind=fields.get("kind", message.kind),
        body=fields.get("body", message.body),
        form_urn=fields.get("form_urn", message.form_urn),
        buttons=inputs,
        op=op,
        op_button_id=op_button_id,
    )


def update_button(*, ad_id: int, editor: User, button_id: int, **change: Any) -> cs.TreeChange:
    """One button changed (text, action, target_id, url), saved with its message as the form does."""
    button = ConversationButton.objects.get(pk=button_id)
    return save_message(ad_id=ad_id, editor=editor, message_id=button.message_id, buttons={button_id: change})


def move_button(*, ad_id: int, editor: User, button_id: int, offset: int) -> cs.TreeChange:
    """The form's ↑ / ↓ on a button."""
    button = ConversationButton.objects.get(pk=button_id)
    op = "up_button" if offset < 0 else "down_button"
    return save_message(
        ad_id=ad_id, editor=editor, message_id=button.message_id, op=op, op_button_id=button_id
    )
