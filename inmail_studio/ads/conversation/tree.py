"""Conversation trees as plain data: building them from the database, walking them, every path, diffs.

A tree is the JSON a revision snapshot stores under `"tree"`::

    {"lead_gen": bool, "first": "m12" | None,
     "messages": [{"id": "m12", "name": "Opening", "kind": "text" | "form", "body": "<p>…</p>",
                   "form_urn": "", "buttons": [{"id": "b7", "text": "Tell me more",
                   "action": "message", "target": "m13" | None, "url": ""}]}]}

Everything here is pure (no database) except `tree_of`, so the validator, the
preview, the payload mapping and the benchmarks work on revisions long after
the draft has moved on.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from inmail_studio.ads.limits import visible_text
from inmail_studio.ads.models import ButtonAction, Conversation, ConversationButton, MessageKind
from inmail_studio.ads.sanitize import BoundedMemo, sanitize_body

Tree = Mapping[str, Any]
Message = Mapping[str, Any]
Button = Mapping[str, Any]

# Actions whose button leads to another message of the tree.
LINKING_ACTIONS = frozenset({ButtonAction.MESSAGE, ButtonAction.LEAD_FORM, ButtonAction.THANK_YOU})
# Where a path converts: the member leaves for the advertiser's site or reaches a lead gen form.
CONVERTING_ACTIONS = frozenset({ButtonAction.WEBSITE, ButtonAction.LEAD_FORM})
# Enumerating every path of a tree that merges branches can explode; past this we stop and say so.
MAX_PATHS = 1000


def clean_body(body: str) -> str:
    """`sanitize_body` (memoized there): the same bodies are measured and shown many times per request."""
    return sanitize_body(body)


# Bounded by the bytes it holds, like the sanitizer's memo: keys are bodies as posted.
_plain_texts = BoundedMemo(1024 * 1024)


def plain_text(body: str) -> str:
    """The text a member reads in a (possibly unsanitized) body."""
    text = _plain_texts.get(body)
    if text is None:
        text = visible_text(clean_body(body))
        _plain_texts.put(body, text)
    return text


def empty_tree(*, lead_gen: bool = False) -> dict[str, Any]:
    return {"lead_gen": lead_gen, "first": None, "messages": []}


def tree_of(conversation: Conversation) -> dict[str, Any]:
    """The tree of a conversation as stored now, bodies sanitized (what a revision snapshots).

    Read as plain rows (`values`), not model instances: the live check reads a 25 × 5 tree on every
    pause in typing, and building 150 model instances was a third of its time.
    """
    messages = conversation.messages.order_by("position", "pk").values(
        "id", "name", "kind", "body", "form_urn"
    )
    buttons: dict[int, list[dict[str, Any]]] = {}
    for b in (
        ConversationButton.objects.filter(message__conversation=conversation)
        .order_by("position", "pk")
        .values_list("id", "message_id", "text", "action", "target_id", "url")
    ):
        pk, message_id, text, action, target_id, url = b
        buttons.setdefault(message_id, []).append(
            {
                "id": f"b{pk}",
                "text": text.strip(),
                "action": action,
                "target": f"m{target_id}" if target_id and action in LINKING_ACTIONS else None,
                "url": url.strip() if action == ButtonAction.WEBSITE else "",
            }
        )
    first = f"m{conversation.first_message_id}" if conversation.first_message_id else None
    return {
        "lead_gen": conversation.lead_gen,
        "first": first,
        "messages": [
            {
                "id": f"m{m['id']}",
                "name": m["name"].strip(),
                "kind": m["kind"],
                "body": sanitize_body(m["body"]) if m["kind"] == MessageKind.TEXT else "",
                "form_urn": m["form_urn"].strip() if m["kind"] == MessageKind.FORM else "",
                "buttons": buttons.get(m["id"], []),
            }
            for m in messages
        ],
    }


def messages_by_id(tree: Tree) -> dict[str, Message]:
    return {m["id"]: m for m in tree.get("messages", [])}


def message_name(message: Message | None) -> str:
    if message is None:
        return "a missing message"
    return str(message.get("name") or message.get("id"))


def next_message_id(button: Button) -> str | None:
    """The message a button leads to, or None when the conversation ends or leaves LinkedIn there."""
    return button.get("target") if button.get("action") in LINKING_ACTIONS else None


# ---------------------------------------------------------------------------
# Walking one path (the preview)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One message the member saw, and the reply they chose under it (None for where they are now)."""

    message: Message
    chosen: Button | None = None

    @property
    def text(self) -> str:
        """What the sender says in this step, as plain text (tags removed, sanitized first)."""
        if self.message.get("kind") == MessageKind.FORM:
            return "[Lead gen form]"
        return plain_text(self.message.get("body") or "")


@dataclass(frozen=True)
class Walk:
    steps: tuple[Step, ...]
    # How the walk ended after the last choice: "" (still at a message), "website", "end", "missing", "loop".
    ending: str = ""
    ending_url: str = ""

    @property
    def current(self) -> Message | None:
        """The message whose buttons the member can click now (None once the walk has ended)."""
        if self.ending or not self.steps:
            return None
        return self.steps[-1].message

    @property
    def path(self) -> list[str]:
        return [s.chosen["id"] for s in self.steps if s.chosen is not None]


def walk(tree: Tree, path: Sequence[str]) -> Walk:
    """Follow button ids from the first message. Unknown ids stop the walk where they stand."""
    by_id = messages_by_id(tree)
    message = by_id.get(tree.get("first") or "")
    if message is None:
        return Walk(steps=())
    steps: list[Step] = []
    seen = {message["id"]}
    for button_id in path:
        button = next((b for b in message.get("buttons", []) if b["id"] == button_id), None)
        if button is None:
            break
        steps.append(Step(message, button))
        action = button.get("action")
        if action == ButtonAction.WEBSITE:
            return Walk(tuple(steps), ending="website", ending_url=button.get("url", ""))
        if action == ButtonAction.END:
            return Walk(tuple(steps), ending="end")
        target = by_id.get(next_message_id(button) or "")
        if target is None:
            return Walk(tuple(steps), ending="missing")
        if target["id"] in seen:
            return Walk(tuple(steps), ending="loop")
        seen.add(target["id"])
        message = target
    steps.append(Step(message))
    if not message.get("buttons"):
        return Walk(tuple(steps), ending="")
    return Walk(tuple(steps))


def path_to(tree: Tree, message_id: str) -> list[str]:
    """The shortest list of button ids from the first message to `message_id` ([] if none)."""
    by_id = messages_by_id(tree)
    first = tree.get("first")
    if first not in by_id:
        return []
    parents: dict[str, tuple[str, str] | None] = {first: None}
    queue = [first]
    while queue:
        current = queue.pop(0)
        if current == message_id:
            break
        for button in by_id[current].get("buttons", []):
            target = next_message_id(button)
            if target in by_id and target not in parents:
                parents[target] = (current, button["id"])
                queue.append(target)
    if message_id not in parents:
        return []
    path: list[str] = []
    node: str | None = message_id
    while node is not None and parents[node] is not None:
        parent, button_id = parents[node]  # type: ignore[misc]
        path.append(button_id)
        node = parent
    return list(reversed(path))


# ---------------------------------------------------------------------------
# All paths (what a reviewer reads and approves)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Path:
    """One route from the first message to an end: the sender's messages and the member's choices."""

    steps: tuple[Step, ...]
    ending: str  # "website", "form", "end", "no_buttons", "missing", "loop"
    ending_url: str = ""

    @property
    def button_ids(self) -> list[str]:
        return [s.chosen["id"] for s in self.steps if s.chosen is not None]

    @property
    def converts(self) -> bool:
        return self.ending in ("website", "form") or any(
            s.message.get("kind") == MessageKind.FORM
            or (s.chosen is not None and s.chosen.get("action") in CONVERTING_ACTIONS)
            for s in self.steps
        )

    @property
    def choices(self) -> list[str]:
        return [s.chosen["text"] for s in self.steps if s.chosen is not None]


@dataclass
class PathList:
    paths: list[Path] = field(default_factory=list)
    truncated: bool = False

    def __iter__(self) -> Iterator[Path]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


def paths(tree: Tree, *, limit: int = MAX_PATHS) -> PathList:
    """Every path from the first message to an end, depth first in button order.

    A path ends at a message without buttons, at a website or "end" button, at a
    form node without buttons, at a button without a target ("missing") or where it
    would revisit a message ("loop"), so a broken tree still lists finitely.
    """
    by_id = messages_by_id(tree)
    result = PathList()
    first = by_id.get(tree.get("first") or "")
    if first is None:
        return result

    def done(path: Path) -> bool:
        if len(result.paths) >= limit:
            result.truncated = True
            return True
        result.paths.append(path)
        return False

    # Iterative DFS over entries that are either a finished path or a message still to expand,
    # pushed in reverse so the listing follows button order.
    Entry = Path | tuple[Message, tuple[Step, ...], frozenset[str]]
    stack: list[Entry] = [(first, (), frozenset({first["id"]}))]
    while stack:
        entry = stack.pop()
        if isinstance(entry, Path):
            if done(entry):
                return result
            continue
        message, steps, on_path = entry
        buttons = message.get("buttons", [])
        if not buttons:
            ending = "form" if message.get("kind") == MessageKind.FORM else "no_buttons"
            stack.append(Path((*steps, Step(message)), ending))
            continue
        pending: list[Entry] = []
        for button in buttons:
            here = (*steps, Step(message, button))
            action = button.get("action")
            target = by_id.get(next_message_id(button) or "")
            if action == ButtonAction.WEBSITE:
                pending.append(Path(here, "website", button.get("url", "")))
            elif action == ButtonAction.END:
                pending.append(Path(here, "end"))
            elif target is None:
                pending.append(Path(here, "missing"))
            elif target["id"] in on_path:
                pending.append(Path(here, "loop"))
            else:
                pending.append((target, here, on_path | {target["id"]}))
        stack.extend(reversed(pending))
    return result


# ---------------------------------------------------------------------------
# Diff between two revisions' trees
# ---------------------------------------------------------------------------

MESSAGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Label"),
    ("kind", "Kind"),
    ("body", "Text"),
    ("form_urn", "Lead gen form"),
)
BUTTON_FIELDS: tuple[tuple[str, str], ...] = (
    ("text", "Text"),
    ("action", "Action"),
    ("target", "Leads to"),
    ("url", "Website"),
)


@dataclass(frozen=True)
class TreeChange:
    """One added, removed or changed message or button, with what changed in words."""

    change: str  # "added", "removed", "changed"
    what: str  # "message", "button", "conversation"
    ref: str
    label: str
    details: tuple[tuple[str, str, str], ...] = ()  # (field label, before, after)


def _describe_target(tree: Tree, message_id: str | None) -> str:
    if not message_id:
        return ""
    return message_name(messages_by_id(tree).get(message_id))


def compare_trees(before: Tree | None, after: Tree | None) -> list[TreeChange]:
    """Messages and buttons added, removed or changed between two trees (by their stable ids)."""
    before = before or empty_tree()
    after = after or empty_tree()
    changes: list[TreeChange] = []
    if before.get("first") != after.get("first"):
        changes.append(
            TreeChange(
                "changed",
                "conversation",
                "first",
                "First message",
                (
                    (
                        "First message",
                        _describe_target(before, before.get("first")),
                        _describe_target(after, after.get("first")),
                    ),
                ),
            )
        )
    if bool(before.get("lead_gen")) != bool(after.get("lead_gen")):
        changes.append(
            TreeChange(
                "changed",
                "conversation",
                "lead_gen",
                "Lead gen campaign",
                (("Lead gen campaign", _yes(before.get("lead_gen")), _yes(after.get("lead_gen"))),),
            )
        )
    old, new = messages_by_id(before), messages_by_id(after)
    for mid, message in new.items():
        if mid not in old:
            changes.append(TreeChange("added", "message", mid, message_name(message)))
            changes.extend(
                TreeChange("added", "button", b["id"], f"{b['text']} (on {message_name(message)})")
                for b in message.get("buttons", [])
            )
            continue
        was = old[mid]
        details = tuple(
            (label, str(was.get(key) or ""), str(message.get(key) or ""))
            for key, label in MESSAGE_FIELDS
            if (was.get(key) or "") != (message.get(key) or "")
        )
        old_order = [b["id"] for b in was.get("buttons", [])]
        new_order = [b["id"] for b in message.get("buttons", [])]
        common = [b for b in new_order if b in old_order]
        if common != [b for b in old_order if b in new_order]:
            details += (("Button order", _texts(was, old_order), _texts(message, new_order)),)
        if details:
            changes.append(TreeChange("changed", "message", mid, message_name(message), details))
        changes.extend(_button_changes(before, after, was, message))
    for mid, message in old.items():
        if mid not in new:
            changes.append(TreeChange("removed", "message", mid, message_name(message)))
            changes.extend(
                TreeChange("removed", "button", b["id"], f"{b['text']} (on {message_name(message)})")
                for b in message.get("buttons", [])
            )
    return changes


def _yes(value: Any) -> str:
    return "Yes" if value else "No"


def _texts(message: Message, ids: list[str]) -> str:
    by_id = {b["id"]: b for b in message.get("buttons", [])}
    return " · ".join(by_id[i]["text"] for i in ids if i in by_id)


def _button_changes(before: Tree, after: Tree, was: Message, now: Message) -> list[TreeChange]:
    changes: list[TreeChange] = []
    old = {b["id"]: b for b in was.get("buttons", [])}
    new = {b["id"]: b for b in now.get("buttons", [])}
    where = message_name(now)
    for bid, button in new.items():
        if bid not in old:
            changes.append(TreeChange("added", "button", bid, f"{button['text']} (on {where})"))
            continue
        prior = old[bid]
        details: list[tuple[str, str, str]] = []
        for key, label in BUTTON_FIELDS:
            a, b = prior.get(key) or "", button.get(key) or ""
            if a == b:
                continue  # a renamed target is the same target: compare ids, show names
            if key == "target":
                a, b = _describe_target(before, a), _describe_target(after, b)
            elif key == "action":
                a, b = _action_label(a), _action_label(b)
            details.append((label, a, b))
        if details:
            changes.append(
                TreeChange("changed", "button", bid, f"{button['text']} (on {where})", tuple(details))
            )
    for bid, button in old.items():
        if bid not in new:
            changes.append(TreeChange("removed", "button", bid, f"{button['text']} (on {where})"))
    return changes


def _action_label(value: str) -> str:
    return ButtonAction(value).label if value in ButtonAction.values else value


def in_words(changes: list[TreeChange], *, limit: int = 6) -> list[str]:
    """The changes to a tree as a person would say them: "added message “Pricing”", "relinked “Talk
    to sales” (on “Opening”) to “Pricing”". A button added or removed with its message is said once,
    with the message; at most `limit` sentences, then "and N more changes"."""
    sentences: list[str] = []
    with_message = {c.label for c in changes if c.what == "message" and c.change in ("added", "removed")}
    for c in changes:
        if c.what == "button" and c.change in ("added", "removed"):
            on = c.label.rsplit(" (on ", 1)[-1].rstrip(")")
            if on in with_message:
                continue
            sentences.append(f"{c.change} button “{c.label.rsplit(' (on ', 1)[0]}” on “{on}”")
        elif c.what == "message" and c.change in ("added", "removed"):
            sentences.append(f"{c.change} message “{c.label}”")
        elif c.what == "conversation":
            for label, _before, after in c.details:
                if label == "First message":
                    sentences.append(
                        f"made “{after}” the first message" if after else "cleared the first message"
                    )
                else:
                    sentences.append(f"{label.lower()}: {after.lower()}")
        elif c.what == "button":
            text, _, on = c.label.rpartition(" (on ")
            on = on.rstrip(")")
            for label, _before, after in c.details:
                if label == "Leads to":
                    sentences.append(
                        f"relinked “{text}” (on “{on}”) to “{after}”"
                        if after
                        else f"unlinked “{text}” (on “{on}”)"
                    )
                elif label == "Text":
                    sentences.append(f"renamed button “{_before}” to “{after}” (on “{on}”)")
                elif label == "Action":
                    sentences.append(f"made “{text}” (on “{on}”) {after.lower()}")
                else:
                    sentences.append(f"changed the website of “{text}” (on “{on}”)")
        else:  # a message changed
            for label, _before, after in c.details:
                if label == "Label":
                    sentences.append(f"renamed message “{_before}” to “{after}”")
                elif label == "Text":
                    sentences.append(f"reworded “{c.label}”")
                elif label == "Button order":
                    sentences.append(f"reordered the buttons of “{c.label}”")
                elif label == "Kind":
                    sentences.append(f"made “{c.label}” a {after.lower()}")
                else:
                    sentences.append(f"changed the lead gen form of “{c.label}”")
    if len(sentences) > limit:
        more = len(sentences) - limit
        sentences = [*sentences[:limit], f"and {more} more change{'s' if more != 1 else ''}"]
    if sentences:
        sentences[0] = sentences[0][0].upper() + sentences[0][1:]
    return sentences
