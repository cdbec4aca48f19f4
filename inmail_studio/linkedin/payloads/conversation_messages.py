"""The pure mapping from a revision's conversation tree to LinkedIn's `sponsoredMessageContents` bodies.

LinkedIn only lets a button point at a message that already exists, so the
messages are created leaves first. This module says *what* to create and in
which order; the sync (in `linkedin/`) creates them one by one and resolves each
`nextContent` placeholder to the URN LinkedIn returned for that message::

    for item in message_payloads(tree):
        urn = client.create(f"conversationAds/{cid}/sponsoredMessageContents", resolve(item.body, urns))
        urns[item.ref] = urn
    first_urn = urns[first_message_ref(tree)]

No I/O here (DESIGN.md, invariant 4): the UI can show the payload, the sync
sends it, the sandbox validates it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from inmail_studio.ads.conversation.tree import Tree, messages_by_id, next_message_id
from inmail_studio.ads.models import ButtonAction, MessageKind
from inmail_studio.ads.sanitize import sanitize_body

REPLY_TYPES: dict[str, str] = {
    ButtonAction.MESSAGE: "SIMPLE_REPLY",
    ButtonAction.END: "SIMPLE_REPLY",  # a simple reply without nextContent ends the thread
    ButtonAction.WEBSITE: "EXTERNAL_WEBSITE",
    ButtonAction.LEAD_FORM: "LEAD_GENERATION",
    ButtonAction.THANK_YOU: "LEAD_GENERATION_THANK_YOU",
}

_PLACEHOLDER = re.compile(r"^\{\{message:(m\d+|[A-Za-z0-9_-]+)\}\}$")


class TreeNotSyncable(ValueError):
    """The tree can't be mapped (no first message, a loop, a target that does not exist)."""


def placeholder(ref: str) -> str:
    """What stands for a message's URN until it has been created: `{{message:m12}}`."""
    return "{{message:" + ref + "}}"


@dataclass(frozen=True)
class MessagePayload:
    ref: str  # the message's id in the tree ("m12")
    body: dict[str, Any]  # the sponsoredMessageContents body, nextContent as placeholders
    depends_on: tuple[str, ...]  # refs whose URNs the body needs (all created earlier in the list)


def message_body(message: Mapping[str, Any]) -> dict[str, Any]:
    """One message as LinkedIn's `sponsoredMessageContents` entity, targets as placeholders."""
    if message.get("kind") == MessageKind.FORM:
        source: dict[str, Any] = {"leadGenerationForm": message.get("form_urn", "")}
    else:
        source = {"text": sanitize_body(message.get("body") or "")}
    options: list[dict[str, Any]] = []
    for button in message.get("buttons", []):
        action = button.get("action")
        option: dict[str, Any] = {"optionText": button.get("text", ""), "replyType": REPLY_TYPES[action]}
        target = next_message_id(button)
        if action == ButtonAction.WEBSITE:
            option["landingPage"] = button.get("url", "")
        elif target:
            option["nextContent"] = placeholder(target)
        options.append(option)
    return {"bodySource": source, "nextAction": {"options": options}}


def message_payloads(tree: Tree) -> list[MessagePayload]:
    """Every message reachable from the first, leaves first, each after all the messages it points at.

    Order is deterministic (depth first in button order), so a retried sync maps the
    same tree to the same list. Unreachable messages are left out: LinkedIn has no use for them.
    """
    by_id = messages_by_id(tree)
    first = tree.get("first")
    if first not in by_id:
        raise TreeNotSyncable("The conversation has no first message.")
    ordered: list[MessagePayload] = []
    done: set[str] = set()
    visiting: set[str] = set()

    # Iterative post-order, so a deep tree can't exhaust the recursion limit.
    stack: list[tuple[str, bool]] = [(first, False)]
    while stack:
        ref, expanded = stack.pop()
        if ref in done:
            continue
        message = by_id[ref]
        if expanded:
            visiting.discard(ref)
            done.add(ref)
            body = message_body(message)
            depends = tuple(dict.fromkeys(t for b in message.get("buttons", []) if (t := next_message_id(b))))
            ordered.append(MessagePayload(ref=ref, body=body, depends_on=depends))
            continue
        if ref in visiting:
            raise TreeNotSyncable(f"The conversation loops back to {message.get('name') or ref}.")
        visiting.add(ref)
        stack.append((ref, True))
        for button in reversed(list(message.get("buttons", []))):
            target = next_message_id(button)
            if target is None:
                continue
            if target not in by_id:
                raise TreeNotSyncable(f"“{button.get('text')}” points at a message that does not exist.")
            if target in visiting:
                raise TreeNotSyncable(
                    f"The conversation loops back to {by_id[target].get('name') or target}."
                )
            if target not in done:
                stack.append((target, False))
    return ordered


def first_message_ref(tree: Tree) -> str:
    first = tree.get("first")
    if first not in messages_by_id(tree):
        raise TreeNotSyncable("The conversation has no first message.")
    return str(first)


def resolve(body: Mapping[str, Any], urns: Mapping[str, str]) -> dict[str, Any]:
    """A copy of `body` with every `nextContent` placeholder replaced by the created message's URN."""
    options = []
    for option in body.get("nextAction", {}).get("options", []):
        option = dict(option)
        value = option.get("nextContent")
        if isinstance(value, str) and (match := _PLACEHOLDER.match(value)):
            ref = match.group(1)
            if ref not in urns:
                raise TreeNotSyncable(f"Message {ref} must be created before the buttons that point at it.")
            option["nextContent"] = urns[ref]
        options.append(option)
    return {**body, "nextAction": {**body.get("nextAction", {}), "options": options}}
