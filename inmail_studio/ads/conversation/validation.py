"""The live validator of conversation trees: every problem LinkedIn would refuse, and the ones it would regret.

`validate(tree)` returns problems, each tied to the message or button it
concerns, so the editor can link to it. Errors block submission; warnings are
advice. Limits come from `limits`, bodies are measured after `sanitize_body`,
macros are checked by `macros.find_problems`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Protocol
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from inmail_studio.ads import limits, macros
from inmail_studio.ads.conversation.tree import (
    CONVERTING_ACTIONS,
    LINKING_ACTIONS,
    Button,
    Message,
    Tree,
    clean_body,
    message_name,
    messages_by_id,
    next_message_id,
    paths,
    plain_text,
)
from inmail_studio.ads.models import ButtonAction, MessageKind
from inmail_studio.ads.validators import validate_landing_page_url

# Answers on one question that segment intent well (the scripting guide: "2-4 choices").
ADVISED_ANSWERS = (2, 4)

# A reply that lets the member leave politely; LinkedIn requires one on the first message.
_EXIT_TEXT = re.compile(
    r"\b(not interested|no,? thanks?|no thank you|not now|not for me|maybe later|not right now|unsubscribe|"
    r"stop)\b",
    re.IGNORECASE,
)


class Report(Protocol):
    def __call__(
        self, code: str, text: str, *, message: Message | None = None, button: Button | None = None
    ) -> None: ...


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    severity: Severity
    code: str
    message: str
    message_id: str | None = None
    button_id: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    @property
    def anchor(self) -> str:
        """The DOM id in the editor of what the problem concerns."""
        if self.button_id:
            return f"btn-{self.button_id}"
        if self.message_id:
            return f"msg-{self.message_id}"
        return "conversation"


def is_exit(button: Button) -> bool:
    """A "not interested" style exit: the end action, or a reply worded as a polite no."""
    return button.get("action") == ButtonAction.END or bool(_EXIT_TEXT.search(button.get("text") or ""))


def validate(tree: Tree) -> list[Problem]:
    """Every error and warning of a tree, errors first, in the order a marketer reads the tree."""
    problems: list[Problem] = []
    error, warn = _collector(problems)
    by_id = messages_by_id(tree)
    messages = list(tree.get("messages", []))

    if not messages:
        error("empty", "The conversation has no messages yet. Add the opening message.")
        return problems
    if len(messages) > limits.MESSAGES_PER_CONVERSATION.maximum:
        error("too_many_messages", limits.MESSAGES_PER_CONVERSATION.message(len(messages)))
    first = by_id.get(tree.get("first") or "")
    if first is None:
        error("no_first", "No message is marked as the first one. Mark the opening message as first.")

    forms = [m for m in messages if m.get("kind") == MessageKind.FORM]
    if tree.get("lead_gen") and not forms:
        error(
            "lead_gen_without_form",
            "This is a lead gen campaign but no message is a lead gen form. Add a form message and "
            "a button that opens it.",
        )

    for message in messages:
        _check_message(message, by_id, error, warn)

    if first is not None:
        if not any(is_exit(b) for b in first.get("buttons", [])):
            error(
                "no_exit",
                f"The first message ({message_name(first)}) needs a “Not interested” style exit: LinkedIn "
                "requires one. Add a button such as “No thanks” that ends the conversation.",
                message=first,
            )
        reachable = _reachable(first["id"], by_id)
        for message in messages:
            if message["id"] not in reachable:
                error(
                    "unreachable",
                    f"No path reaches “{message_name(message)}”. Point a button at it or delete it.",
                    message=message,
                )
        for message, button in _cycle_buttons(first["id"], by_id):
            error(
                "cycle",
                f"“{button['text']}” on “{message_name(message)}” leads back to "
                f"“{message_name(by_id.get(button['target']))}”, making a loop; LinkedIn refuses loops.",
                message=message,
                button=button,
            )
        _check_paths(tree, warn)

    problems.sort(key=lambda p: 0 if p.is_error else 1)
    return problems


def errors(tree: Tree) -> list[Problem]:
    """The problems that block submission."""
    return [p for p in validate(tree) if p.is_error]


def _collector(problems: list[Problem]) -> tuple[Report, Report]:
    def add(
        severity: Severity, code: str, text: str, message: Message | None = None, button: Button | None = None
    ) -> None:
        problems.append(
            Problem(
                severity,
                code,
                text,
                message_id=message["id"] if message is not None else None,
                button_id=button["id"] if button is not None else None,
            )
        )

    def error(code: str, text: str, *, message: Message | None = None, button: Button | None = None) -> None:
        add(Severity.ERROR, code, text, message, button)

    def warn(code: str, text: str, *, message: Message | None = None, button: Button | None = None) -> None:
        add(Severity.WARNING, code, text, message, button)

    return error, warn


def _check_message(message: Message, by_id: dict[str, Message], error: Report, warn: Report) -> None:
    name = message_name(message)
    buttons = list(message.get("buttons", []))
    if message.get("kind") == MessageKind.FORM:
        if not (message.get("form_urn") or "").startswith("urn:li:adForm:"):
            error(
                "form_without_urn",
                f"“{name}” is a lead gen form but has no form URN (urn:li:adForm:…).",
                message=message,
            )
    else:
        body = clean_body(message.get("body") or "")
        text = plain_text(message.get("body") or "")
        if not text:
            error("empty_body", f"“{name}” has no text yet.", message=message)
        length = limits.count_characters(body)  # conversation bodies count their HTML
        if length > limits.CONVERSATION_BODY.maximum:
            error("body_too_long", f"“{name}”: {limits.CONVERSATION_BODY.message(length)}", message=message)
        elif length > limits.CONVERSATION_BODY_ADVISED:
            warn(
                "body_long",
                f"“{name}” is {length:,} characters; LinkedIn advises at most "
                f"{limits.CONVERSATION_BODY_ADVISED:,} and may refuse longer ones through the API.",
                message=message,
            )
        emojis = limits.count_emojis(text)
        if emojis > limits.CONVERSATION_EMOJIS.maximum:
            error(
                "too_many_emojis", f"“{name}”: {limits.CONVERSATION_EMOJIS.message(emojis)}", message=message
            )
        in_addresses = macros.in_addresses(body)
        if in_addresses:
            error("macro_in_link", f"“{name}”: {macros.address_message(in_addresses)}", message=message)
        for problem in macros.find_problems(body):
            warn("macro", f"“{name}”: {problem.message}", message=message)

    if len(buttons) > limits.BUTTONS_PER_MESSAGE.maximum:
        error(
            "too_many_buttons",
            f"“{name}”: {limits.BUTTONS_PER_MESSAGE.message(len(buttons))}",
            message=message,
        )
    if buttons and not ADVISED_ANSWERS[0] <= len(buttons) <= ADVISED_ANSWERS[1]:
        warn(
            "answer_count",
            f"“{name}” offers {len(buttons)} answer{'s' if len(buttons) != 1 else ''}; "
            f"{ADVISED_ANSWERS[0]} to {ADVISED_ANSWERS[1]} answers segment intent best.",
            message=message,
        )

    seen: dict[str, Button] = {}
    for button in buttons:
        _check_button(message, button, by_id, error)
        key = " ".join((button.get("text") or "").split()).casefold()
        if key and key in seen:
            warn(
                "duplicate_button",
                f"“{name}” has two buttons reading “{button['text']}”; the member can't tell them apart.",
                message=message,
                button=button,
            )
        seen.setdefault(key, button)


@lru_cache(maxsize=512)
def _url_problem(url: str) -> str | None:
    """Why a website button's address is refused, or None. Memoized: the live check validates the
    whole tree on every pause in typing, and a tree's website buttons mostly share a few addresses."""
    try:
        validate_landing_page_url(url)
    except ValidationError as invalid:
        return " ".join(invalid.messages)
    if urlsplit(url).scheme not in limits.LANDING_PAGE_SCHEMES:  # pragma: no cover - belt and braces
        return "the address must be http(s)."
    return None


def _check_button(message: Message, button: Button, by_id: dict[str, Message], error: Report) -> None:
    where = message_name(message)
    text = button.get("text") or ""
    label = f"“{text}” on “{where}”" if text else f"A button on “{where}”"
    if not text.strip():
        error("button_without_text", f"{label} has no text.", message=message, button=button)
    elif limits.count_characters(text) > limits.BUTTON_TEXT.maximum:
        error(
            "button_text_too_long",
            f"{label}: {limits.BUTTON_TEXT.message(limits.count_characters(text))}",
            message=message,
            button=button,
        )
    action = button.get("action")
    if action in LINKING_ACTIONS:
        target = by_id.get(button.get("target") or "")
        if target is None:
            error(
                "no_target",
                f"{label} leads nowhere. Choose the message it opens.",
                message=message,
                button=button,
            )
        elif action == ButtonAction.LEAD_FORM and target.get("kind") != MessageKind.FORM:
            error(
                "lead_gen_target_not_form",
                f"{label} opens the lead gen form, but “{message_name(target)}” is not a form. "
                "Point it at a form message, or make it a “Go to a message” button.",
                message=message,
                button=button,
            )
    elif action == ButtonAction.WEBSITE:
        url = (button.get("url") or "").strip()
        if not url:
            error("no_target", f"{label} opens a website but has no address.", message=message, button=button)
        else:
            problem = _url_problem(url)
            if problem:
                error("bad_url", f"{label}: {problem}", message=message, button=button)
    elif action != ButtonAction.END:
        error("bad_action", f"{label} has an unknown action.", message=message, button=button)


def _reachable(first: str, by_id: dict[str, Message]) -> set[str]:
    seen = {first}
    stack = [first]
    while stack:
        for button in by_id[stack.pop()].get("buttons", []):
            target = next_message_id(button)
            if target in by_id and target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _cycle_buttons(first: str, by_id: dict[str, Message]) -> list[tuple[Message, Button]]:
    """Buttons that close a loop (back edges of a depth-first search), each reported once.

    Unreachable parts are searched too: a loop nobody reaches is still a loop LinkedIn refuses.
    """
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(by_id, white)
    found: list[tuple[Message, Button]] = []
    for root in [first, *by_id]:
        if colour[root] != white:
            continue
        colour[root] = grey
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            node, index = stack[-1]
            buttons = by_id[node].get("buttons", [])
            if index >= len(buttons):
                colour[node] = black
                stack.pop()
                continue
            stack[-1] = (node, index + 1)
            target = next_message_id(buttons[index])
            if target not in by_id:
                continue
            if colour[target] == grey:
                found.append((by_id[node], buttons[index]))
            elif colour[target] == white:
                colour[target] = grey
                stack.append((target, 0))
    return found


def _check_paths(tree: Tree, warn: Report) -> None:
    """Warn once per message where a path stops without a website or form (polite exits excepted)."""
    warned: set[str] = set()
    for path in paths(tree):
        if path.ending in ("missing", "loop") or path.converts:
            continue
        last = path.steps[-1]
        if last.chosen is not None and is_exit(last.chosen):
            continue  # the member said no thanks; nothing to convert
        key = last.chosen["id"] if last.chosen is not None else last.message["id"]
        if key in warned:
            continue
        warned.add(key)
        choices = " → ".join(path.choices) or "the first message"
        warn(
            "path_without_conversion",
            f"The path {choices} ends without a website or a lead gen form.",
            message=last.message,
            button=last.chosen,
        )


__all__ = ["CONVERTING_ACTIONS", "Problem", "Severity", "errors", "is_exit", "validate"]
