"""Saves over someone else's change: what each side has, field by field, for the conflict panel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.utils import timezone

from inmail_studio import conflicts
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.conversation.tree import LINKING_ACTIONS
from inmail_studio.ads.models import (
    Ad,
    ButtonAction,
    Conversation,
    ConversationMessage,
    MessageKind,
    Sender,
)
from inmail_studio.ads.sanitize import sanitize_body
from inmail_studio.studio.conversation.editor import tree_with_form


def _part_conflict(
    error: conflicts.EditConflict,
    *,
    fields: Sequence[tuple[str, str]],
    mine: dict[str, str],
    values_of: Callable[[dict[str, Any]], dict[str, str]],
    shown: Callable[[dict[str, str]], dict[str, str]],
    notes: list[str] | None = None,
) -> conflicts.Conflict:
    """The conflict panel of one form: `mine` (as posted) against the part of the snapshot someone
    saved meanwhile, with the version the person loaded as the base (`values_of` reads a snapshot's
    part as the form posts it, `shown` as a person reads it)."""
    base, current = error.context["base"], error.context["current"]
    theirs = values_of(current.snapshot)
    return conflicts.Conflict(
        message=error.message,
        version=error.version,
        by=error.by,
        at=error.at,
        unsaved=error.unsaved,
        fields=conflicts.field_conflicts(
            fields=fields,
            mine=mine,
            theirs=theirs,
            base=values_of(base.snapshot) if base is not None else None,
            mine_shown=shown(mine),
            theirs_shown=shown(theirs),
        ),
        extra={"notes": notes or []},
    )


def _settings_values(snapshot: dict[str, Any]) -> dict[str, str]:
    """The "Ad details" part of a snapshot as its form posts it."""
    part = cs.settings_of(snapshot)
    return {
        "name": part["name"],
        "sender": str(part["sender"] or ""),
        "subject": part["subject"],
        "footer": part["footer"],
        "lead_gen": "on" if part["lead_gen"] else "",
    }


SETTINGS_FIELDS = (
    ("name", "Ad name"),
    ("sender", "Sender"),
    ("subject", "Subject"),
    ("footer", "Custom footer"),
    ("lead_gen", "Lead gen campaign"),
)


def settings_conflict_of(error: conflicts.EditConflict, data: Any, ad: Ad) -> conflicts.Conflict:
    """Field by field: the ad's details as the person has them against the ones saved meanwhile."""
    mine = {
        "name": data.get("name", ""),
        "sender": data.get("sender", ""),
        "subject": data.get("subject", ""),
        "footer": data.get("footer", ""),
        "lead_gen": "on" if data.get("lead_gen") else "",
    }
    senders = {
        str(pk): name
        for pk, name in Sender.objects.filter(workspace_id=ad.workspace_id).values_list("pk", "name")
    }

    def shown(values: dict[str, str]) -> dict[str, str]:
        return {
            **values,
            "sender": senders.get(values["sender"], ""),
            "lead_gen": "Yes" if values["lead_gen"] else "No",
        }

    return _part_conflict(error, fields=SETTINGS_FIELDS, mine=mine, values_of=_settings_values, shown=shown)


def _message_values(entry: dict[str, Any] | None) -> dict[str, str]:
    """A message of a tree (with its buttons) as the message form posts it."""
    if entry is None:
        return {}
    kind = entry.get("kind") or MessageKind.TEXT
    values = {
        "name": str(entry.get("name") or "").strip(),
        "kind": kind,
        "body": sanitize_body(entry.get("body") or "") if kind == MessageKind.TEXT else "",
        "form_urn": str(entry.get("form_urn") or "").strip() if kind == MessageKind.FORM else "",
    }
    for button in entry.get("buttons", []):
        pk, action = button["id"][1:], button.get("action") or ButtonAction.MESSAGE
        target = button.get("target") if action in LINKING_ACTIONS else None
        values[f"button-{pk}-text"] = str(button.get("text") or "").strip()
        values[f"button-{pk}-action"] = action
        values[f"button-{pk}-target"] = target[1:] if target else ""
        values[f"button-{pk}-url"] = (
            str(button.get("url") or "").strip() if action == ButtonAction.WEBSITE else ""
        )
    return values


def message_conflict_of(
    error: conflicts.EditConflict, data: Any, message: ConversationMessage, tree: dict[str, Any]
) -> conflicts.Conflict:
    """Field by field (buttons included): the message as the person has it against the one saved meanwhile."""
    ref = message.ref
    theirs_entry = cs.message_of(error.context["current"].snapshot, ref)
    mine = _message_values(cs.message_of({"tree": tree_with_form(tree, message.ref, data)}, ref))
    names = {m["id"][1:]: m.get("name") or m["id"] for m in tree.get("messages", [])}
    actions = dict(ButtonAction.choices)
    fields: list[tuple[str, str]] = [
        ("name", "Label"),
        ("kind", "Kind"),
        ("body", "Message"),
        ("form_urn", "Lead gen form URN"),
    ]
    for number, button in enumerate((theirs_entry or {}).get("buttons", []), start=1):
        pk = button["id"][1:]
        fields += [
            (f"button-{pk}-text", f"Button {number}: text"),
            (f"button-{pk}-action", f"Button {number}: does"),
            (f"button-{pk}-target", f"Button {number}: leads to"),
            (f"button-{pk}-url", f"Button {number}: website"),
        ]

    def shown(values: dict[str, str]) -> dict[str, str]:
        out = dict(values)
        out["kind"] = dict(MessageKind.choices).get(values.get("kind", ""), values.get("kind", ""))
        for key, value in values.items():
            if key.endswith("-action"):
                out[key] = actions.get(value, value)
            elif key.endswith("-target"):
                out[key] = names.get(value, "")
        return out

    notes = []
    posted = {key.split("-")[1] for key in data if key.startswith("button-") and key.endswith("-text")}
    kept = {button["id"][1:] for button in (theirs_entry or {}).get("buttons", [])}
    for pk in sorted(posted - kept):
        notes.append(
            f"{error.by or 'Someone else'} removed a button you had as “{data.get(f'button-{pk}-text', '')}”"
            f" ({actions.get(data.get(f'button-{pk}-action', ''), '')}); add it again if you still want it."
        )
    return _part_conflict(
        error,
        fields=fields,
        mine=mine,
        values_of=lambda snapshot: _message_values(cs.message_of(snapshot, ref)),
        shown=shown,
        notes=notes,
    )


def who_deleted(conversation: Conversation, ref: str, base_edit: int | None) -> tuple[str, str]:
    """Who deleted a message and when ("at 08:12"): the first change to the tree after `base_edit` without it."""
    edits = conversation.edits.select_related("author").order_by("number")
    if base_edit is not None:
        edits = edits.filter(number__gt=base_edit)
    for edit in edits:
        if cs.message_of({"tree": edit.after}, ref) is None:
            return edit.author.display_name, f"at {timezone.localtime(edit.created_at):%H:%M}"
    return "Someone else", "meanwhile"


def readd_values(data: Any) -> dict[str, Any]:
    """What the person had typed in a message someone deleted meanwhile, for "Add it again"."""
    buttons = []
    for key in data:
        if key.startswith("button-") and key.endswith("-text"):
            pk = key.split("-")[1]
            buttons.append(
                {
                    "text": data.get(key, ""),
                    "action": data.get(f"button-{pk}-action", ButtonAction.MESSAGE),
                    "target": data.get(f"button-{pk}-target", ""),
                    "url": data.get(f"button-{pk}-url", ""),
                }
            )
    kind = data.get("kind") if data.get("kind") in MessageKind.values else MessageKind.TEXT
    return {
        "name": data.get("name", ""),
        "kind": kind,
        "body": data.get("body", ""),
        "form_urn": data.get("form_urn", ""),
        "buttons": buttons,
    }
