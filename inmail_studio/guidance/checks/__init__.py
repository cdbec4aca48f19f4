"""The guide's best practices as checks over an ad's snapshot.

Pure functions: a snapshot (the dict `ads.snapshots.build` makes, which the live
preview renders and a revision stores) plus the marketer's `Plan` in, a list of
`CheckResult` out. No database, no request: they run on every preview refresh and
for every row of the drafts list, so they must stay fast (bench/bench_guidance.py).

Checks advise; they never block saving or submitting. Only LinkedIn's limits
(`ads.limits`, read from there, never copied) do that, and a check that sees a
limit broken reports it as a problem so the checklist and the counters agree.

The figures that are the guide's best practice rather than LinkedIn's limits
(40-character subjects, a short body) are named here with where they come from.

One module per family (`message`, `conversation`) over what they share (`base`); the package
exports every check and the functions that run and score them, so callers write `checks.run(...)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inmail_studio.ads.models import CtaKind, Kind
from inmail_studio.guidance.checks.base import (
    ADVICE,
    BODY_WORDS_ADVISED,
    BODY_WORDS_MINIMUM,
    CONTENT_OFFERS,
    HIGH_VALUE_OFFERS,
    PASS,
    PITCH_PHRASES,
    POINTS,
    PROBLEM,
    SECTIONS,
    SHOUTING_SHARE,
    SPAM_WORDS,
    SUBJECT_ADVISED,
    UTM_REQUIRED,
    Check,
    CheckResult,
    Plan,
    Status,
)
from inmail_studio.guidance.checks.conversation import (
    conversation_answers,
    conversation_converts,
    conversation_hook,
    conversation_links,
    conversation_pitch,
    conversation_second_person,
)
from inmail_studio.guidance.checks.message import (
    LANDING_CHECKS,
    audience_narrow,
    body_length,
    body_links,
    body_pitch,
    body_second_person,
    call_to_action,
    landing_format,
    landing_https,
    landing_utm,
    offer_value,
    sender_permission,
    sender_person,
    sender_profile,
    subject_direct,
    subject_length,
    subject_personalised,
)

SUBJECT_CHECKS: tuple[Check, ...] = (subject_length, subject_personalised, subject_direct)
BODY_CHECKS: tuple[Check, ...] = (body_length, body_links, body_second_person, body_pitch, call_to_action)
OFFER_CHECKS: tuple[Check, ...] = (offer_value, audience_narrow)
SENDER_CHECKS: tuple[Check, ...] = (sender_person, sender_profile, sender_permission)


CONVERSATION_CHECKS: tuple[Check, ...] = (
    conversation_hook,
    conversation_answers,
    conversation_converts,
    conversation_second_person,
    conversation_pitch,
)


def run(snapshot: Mapping[str, Any], plan: Plan | None = None) -> list[CheckResult]:
    """Every check that applies to this snapshot, in the order the checklist shows them.

    Without a sender only "choose a sender" is reported for the sender (not three problems
    for one missing choice); with a lead gen form there is no landing page to check; with
    a landing page that is empty only "enter the URL" is reported. Conversation ads are
    checked on their tree instead of the body, and their website buttons as landing pages.
    """
    plan = plan or Plan()
    is_conversation = snapshot.get("kind") == Kind.CONVERSATION
    checks: list[Check] = [
        *SUBJECT_CHECKS,
        *(CONVERSATION_CHECKS if is_conversation else BODY_CHECKS),
        *OFFER_CHECKS,
    ]
    checks += SENDER_CHECKS if snapshot.get("sender") else [sender_person]
    if is_conversation:
        return [check(snapshot, plan) for check in checks] + conversation_links(snapshot, plan)
    if snapshot.get("cta_kind", CtaKind.LANDING_PAGE) == CtaKind.LANDING_PAGE:
        checks += LANDING_CHECKS if snapshot.get("landing_page_url") else [landing_https]
    return [check(snapshot, plan) for check in checks]


# Each problem costs this much more, and a draft with any problem is never "good": a manager
# scanning the drafts list must see at once that it needs work.
PROBLEM_PENALTY = 10
GOOD = 80
FAIR = 50


def score(results: list[CheckResult]) -> int:
    """0–100: the share of checks passed (advice counts half), less 10 points a problem.

    A draft with a problem scores below `GOOD` however many checks it passes.
    """
    if not results:
        return 0
    share = 100 * sum(POINTS[r.status] for r in results) / len(results)
    problems = sum(r.status == PROBLEM for r in results)
    value = int(share - PROBLEM_PENALTY * problems + 0.5)  # half up (52.5 → 53), not half-to-even
    if problems:
        value = min(value, GOOD - 1)
    return max(0, value)


def grade(value: int) -> str:
    """`good`, `fair` or `weak`, for the colour of a score."""
    if value >= GOOD:
        return "good"
    if value >= FAIR:
        return "fair"
    return "weak"


def by_section(results: list[CheckResult]) -> list[tuple[str, list[CheckResult]]]:
    """The results grouped under the checklist's section headings (empty sections left out)."""
    groups = [(label, [r for r in results if r.section == key]) for key, label in SECTIONS]
    return [(label, items) for label, items in groups if items]


__all__ = [
    "ADVICE",
    "BODY_CHECKS",
    "BODY_WORDS_ADVISED",
    "BODY_WORDS_MINIMUM",
    "CONTENT_OFFERS",
    "CONVERSATION_CHECKS",
    "FAIR",
    "GOOD",
    "HIGH_VALUE_OFFERS",
    "LANDING_CHECKS",
    "OFFER_CHECKS",
    "PASS",
    "PITCH_PHRASES",
    "POINTS",
    "PROBLEM",
    "PROBLEM_PENALTY",
    "SECTIONS",
    "SENDER_CHECKS",
    "SHOUTING_SHARE",
    "SPAM_WORDS",
    "SUBJECT_ADVISED",
    "SUBJECT_CHECKS",
    "UTM_REQUIRED",
    "Check",
    "CheckResult",
    "Plan",
    "Status",
    "audience_narrow",
    "body_length",
    "body_links",
    "body_pitch",
    "body_second_person",
    "by_section",
    "call_to_action",
    "conversation_answers",
    "conversation_converts",
    "conversation_hook",
    "conversation_links",
    "conversation_pitch",
    "conversation_second_person",
    "grade",
    "landing_format",
    "landing_https",
    "landing_utm",
    "offer_value",
    "run",
    "score",
    "sender_permission",
    "sender_person",
    "sender_profile",
    "subject_direct",
    "subject_length",
    "subject_personalised",
]
