"""The checks of a conversation ad, over the tree its snapshot carries (`ads.conversation.tree`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from functools import partial
from typing import Any

from inmail_studio.ads import limits
from inmail_studio.ads.conversation import tree as conversation
from inmail_studio.ads.models import ButtonAction
from inmail_studio.guidance.checks.base import ADVICE, PASS, POINTS, PROBLEM, CheckResult, Plan, _plural
from inmail_studio.guidance.checks.message import LANDING_CHECKS, body_pitch, body_second_person


def _messages(snapshot: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((snapshot.get("tree") or {}).get("messages") or [])


def _opening(snapshot: Mapping[str, Any]) -> Mapping[str, Any] | None:
    tree = snapshot.get("tree") or {}
    return conversation.messages_by_id(tree).get(tree.get("first") or "")


def conversation_hook(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    result = partial(CheckResult, "conversation", "conversation_hook", "Opening hooks with a question")
    why = "The guide: open with a relevant question or insight, so the member has a reason to answer."
    opening = _opening(snapshot)
    if opening is None:
        return result(
            PROBLEM,
            "The conversation has no opening message yet.",
            "Write the opening message and mark it as the first.",
        )
    if "?" in limits.visible_text(opening.get("body") or ""):
        return result(PASS, why)
    return result(
        ADVICE,
        why,
        "End the opening with a question, e.g. “What's your biggest challenge with forecasting?”",
    )


def conversation_answers(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    result = partial(CheckResult, "conversation", "conversation_answers", "2–4 answers per question")
    why = "The guide: 2–4 choices segment intent; more is a menu, fewer is not a choice."
    # A question is a message whose buttons continue the conversation; a lone website button
    # closing a branch is a call to action, not a question.
    questions = [
        m
        for m in _messages(snapshot)
        if any(b.get("action") == ButtonAction.MESSAGE for b in m.get("buttons", []))
    ]
    if not questions:
        return result(
            ADVICE,
            why,
            "Let the member choose: add 2–4 reply buttons that lead to tailored messages.",
        )
    off = [(conversation.message_name(m), len(m.get("buttons", []))) for m in questions]
    off = [(name, n) for name, n in off if not 2 <= n <= 4]
    if not off:
        return result(PASS, why)
    over_limit = any(n > limits.BUTTONS_PER_MESSAGE.maximum for _, n in off)
    return result(
        PROBLEM if over_limit else ADVICE,
        why,
        "Merge or split answers until each question offers 2–4.",
        "; ".join(f"“{name}” offers {_plural(n, 'answer')}" for name, n in off),
    )


def conversation_converts(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    result = partial(
        CheckResult, "conversation", "conversation_converts", "Every path ends in a conversion point"
    )
    why = "The guide: map every path to a lead gen form or a link; a dead end loses an interested member."
    all_paths = conversation.paths(snapshot.get("tree") or {})
    if not len(all_paths):
        return result(
            PROBLEM,
            "There is no path through the conversation yet.",
            "Write the opening message and its answers.",
        )
    # A member who chose "Not interested" (an end button) left on purpose: LinkedIn requires that exit.
    dead = [p for p in all_paths if not p.converts and p.ending != "end"]
    if not dead:
        return result(PASS, why, "", _plural(len(all_paths), "path"))
    example = " → ".join(f"“{c}”" for c in dead[0].choices) or "the opening"
    return result(
        PROBLEM,
        why,
        "End each branch with a website button or a lead gen form.",
        f"{len(dead)} of {_plural(len(all_paths), 'path')} end without one, e.g. after {example}",
    )


def _all_text(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The conversation's messages as one body, for the checks that read the words."""
    return {"body": "".join(str(m.get("body") or "") for m in _messages(snapshot))}


def conversation_second_person(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    return dataclasses.replace(body_second_person(_all_text(snapshot), plan), section="conversation")


def conversation_pitch(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    return dataclasses.replace(body_pitch(_all_text(snapshot), plan), section="conversation")


def conversation_links(snapshot: Mapping[str, Any], plan: Plan) -> list[CheckResult]:
    """The landing page checks over every website button, each reporting its worst case."""
    urls = [
        str(b.get("url") or "")
        for m in _messages(snapshot)
        for b in m.get("buttons", [])
        if b.get("action") == ButtonAction.WEBSITE
    ]
    results = []
    for check in LANDING_CHECKS:
        each = [check({"landing_page_url": url}, plan) for url in urls]
        worst = min(each, key=lambda r: POINTS[r.status], default=None)
        if worst is not None:
            failing = sum(not r.passed for r in each)
            detail = f"{failing} of {_plural(len(urls), 'website button')}" if failing else worst.detail
            results.append(dataclasses.replace(worst, detail=detail))
    return results
