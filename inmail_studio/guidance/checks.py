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
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from inmail_studio.ads import conversation, limits, macros
from inmail_studio.ads.models import ButtonAction, CtaKind, Kind, SenderPermission

from .models import ForecastAssumptions, OfferType

Status = Literal["pass", "advice", "problem"]
PASS: Status = "pass"  # noqa: S105 (a check status, not a password)
ADVICE: Status = "advice"
PROBLEM: Status = "problem"

# The guide: "Keep it short: under 40 characters performs best" (60 is LinkedIn's limit).
SUBJECT_ADVISED = 40
# The guide asks for "short, genuine, value-driven messages" without a number; these are ours:
# about a minute's reading at most, and enough words for context, value and an ask.
BODY_WORDS_ADVISED = 150
BODY_WORDS_MINIMUM = 25
# A subject "shouts" when most of its letters are capitals.
SHOUTING_SHARE = 0.7
UTM_REQUIRED = ("utm_source", "utm_medium", "utm_campaign")

SECTIONS: tuple[tuple[str, str], ...] = (
    ("subject", "Subject"),
    ("body", "Body"),
    ("conversation", "Conversation"),
    ("offer", "Offer"),
    ("sender", "Sender"),
    ("landing", "Landing page"),
)

# The guide's good use cases ("exclusive invitations", "high-value offers: demo requests,
# consultations, and personalized assessments") against what it warns about.
HIGH_VALUE_OFFERS = frozenset({OfferType.WEBINAR, OfferType.DEMO, OfferType.CONSULTATION})
CONTENT_OFFERS = frozenset({OfferType.RESEARCH, OfferType.CASE_STUDY})

SPAM_WORDS = (
    "free",
    "guaranteed",
    "guarantee",
    "act now",
    "limited time",
    "urgent",
    "risk-free",
    "risk free",
    "no obligation",
    "click here",
    "buy now",
    "winner",
    "congratulations",
    "cash",
    "cheap",
    "don't miss",
    "don’t miss",
    "once in a lifetime",
)
PITCH_PHRASES = (
    "industry-leading",
    "industry leading",
    "leading provider",
    "best-in-class",
    "best in class",
    "world-class",
    "world class",
    "cutting-edge",
    "cutting edge",
    "revolutionary",
    "game-changing",
    "game changer",
    "state-of-the-art",
    "one-stop",
    "all-in-one",
    "synergy",
    "our product",
    "our solution",
    "our platform",
    "we offer",
    "buy now",
    "lowest price",
    "unbeatable",
    "discount",
)


def _phrases(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


_SPAM = _phrases(SPAM_WORDS)
_PERCENT_PROMISE = re.compile(r"\b100\s?%")
_PITCH = _phrases(PITCH_PHRASES)
_MACRO = re.compile("%(?:" + "|".join(macros.MACROS) + ")%")
_WORD = re.compile(r"[\w’'-]+")
_LETTERS = re.compile(r"[^\W\d_]")
_YOU = re.compile(r"\b(?:you|your|yours|yourself|you're|you’re|you'll|you’ll|you've|you’ve)\b", re.IGNORECASE)
_WE = re.compile(r"\b(?:we|our|ours|us|we're|we’re|we've|we’ve)\b", re.IGNORECASE)
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE)


@dataclass(frozen=True)
class Plan:
    """What the checks need besides the snapshot.

    `sender_permission` is the snapshot sender's current permission (a `SenderPermission`
    value; it lives on the Sender row, not in the snapshot). `broad_audience` is the
    workspace's threshold (`ForecastAssumptions.broad_audience`).
    """

    offer_type: str = ""
    audience_size: int | None = None
    sender_permission: str | None = None
    broad_audience: int = ForecastAssumptions._meta.get_field("broad_audience").default


@dataclass(frozen=True)
class CheckResult:
    section: str
    key: str
    label: str
    status: Status
    why: str
    how_to_fix: str = ""
    detail: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASS


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


# ---------- Subject ----------


def subject_length(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    subject = snapshot.get("subject") or ""
    n = limits.count_characters(subject)
    result = partial(
        CheckResult, "subject", "subject_length", f"Short subject (under {SUBJECT_ADVISED} characters)"
    )
    why = f"The subject decides whether the message is opened; under {SUBJECT_ADVISED} characters performs best."
    detail = _plural(n, "character")
    if not subject:
        return result(
            PROBLEM,
            "Without a subject the message can't be sent.",
            "Write a subject of a few words, e.g. “Question about your Q4 pipeline”.",
        )
    if n > limits.SUBJECT.maximum:
        return result(
            PROBLEM,
            limits.SUBJECT.message(n),
            f"Cut it below {limits.SUBJECT.maximum} characters; under {SUBJECT_ADVISED} is better.",
            detail,
        )
    if n >= SUBJECT_ADVISED:
        return result(
            ADVICE,
            why,
            f"Shorten it by {n - SUBJECT_ADVISED + 1} characters: drop filler words.",
            detail,
        )
    return result(PASS, why, "", detail)


def subject_personalised(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    subject = snapshot.get("subject") or ""
    result = partial(CheckResult, "subject", "subject_personalised", "Personalised subject")
    why = "A name, company or industry in the subject shows the message is meant for this member."
    if _MACRO.search(subject):
        return result(PASS, why)
    return result(
        ADVICE,
        why,
        "Add %COMPANYNAME%, %INDUSTRY% or %FIRSTNAME% to the subject.",
    )


def subject_direct(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    subject = snapshot.get("subject") or ""
    text = _MACRO.sub("", subject)
    result = partial(CheckResult, "subject", "subject_direct", "Direct, not clickbait")
    why = "Capitals, exclamation marks and spam words read as an advert and cost opens and trust."
    found: list[str] = []
    spam = sorted({m.group(0).lower() for m in _SPAM.finditer(text)})
    if _PERCENT_PROMISE.search(text):
        spam.append("100%")
    if spam:
        found.append("spam words: " + ", ".join(f"“{w}”" for w in spam))
    letters = _LETTERS.findall(text)
    capitals = sum(1 for c in letters if c.isupper())
    shouting = len(letters) >= 8 and capitals / len(letters) >= SHOUTING_SHARE
    if shouting:
        found.append("written in capitals")
    exclamations = text.count("!")
    if exclamations >= 2:
        found.append(f"{exclamations} exclamation marks")
    if not found:
        return result(PASS, why)
    status = PROBLEM if spam or shouting else ADVICE
    return result(
        status,
        why,
        "Say plainly what it is about, e.g. “Question about %COMPANYNAME%'s hiring plans”.",
        "; ".join(found).capitalize(),
    )


# ---------- Body ----------


def body_length(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    text = limits.visible_text(snapshot.get("body") or "")
    words = len(_WORD.findall(text))
    characters = limits.count_characters(text)
    result = partial(CheckResult, "body", "body_length", "Short and genuine")
    why = "Brief context, a clear value for the reader and one ask: long sales pitches go unread."
    detail = f"{_plural(words, 'word')} · {_plural(characters, 'character')}"
    if not text:
        return result(
            PROBLEM,
            "Without a body the message can't be sent.",
            "Write why you reach out, what is in it for them, and what to do next.",
        )
    if characters > limits.BODY.maximum:
        return result(
            PROBLEM,
            limits.BODY.message(characters),
            f"Cut it below {limits.BODY.maximum:,} characters.",
            detail,
        )
    if words > BODY_WORDS_ADVISED:
        return result(
            ADVICE,
            why,
            f"Aim for under {BODY_WORDS_ADVISED} words: keep one idea, cut the rest.",
            detail,
        )
    if words < BODY_WORDS_MINIMUM:
        return result(
            ADVICE,
            "Too short to say why you write, what they get and what to do.",
            "Add a line of context and the value for the reader.",
            detail,
        )
    return result(PASS, why, "", detail)


def body_links(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    n = len(limits.link_texts(snapshot.get("body") or ""))
    result = partial(CheckResult, "body", "body_links", "One call to action")
    why = "Links in the body compete with the button; one clear ask converts best."
    detail = _plural(n, "link")
    if n > limits.BODY_LINKS.maximum:
        return result(
            PROBLEM,
            limits.BODY_LINKS.message(n),
            "Remove links until the button is the only ask.",
            detail,
        )
    if n > 1:
        return result(ADVICE, why, "Keep at most one link in the body, or none.", detail)
    return result(PASS, why, "", detail)


def body_second_person(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    text = limits.visible_text(snapshot.get("body") or "")
    result = partial(CheckResult, "body", "body_second_person", "Speaks to the reader")
    why = "“You” and “your” keep the message about the member, not about you."
    if _YOU.search(text) or "%FIRSTNAME%" in text:
        return result(PASS, why)
    return result(
        ADVICE,
        why,
        "Address the reader: say what they get (“you'll see…”, “your team…”).",
    )


def body_pitch(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    text = limits.visible_text(snapshot.get("body") or "")
    result = partial(CheckResult, "body", "body_pitch", "Not a generic sales pitch")
    why = "The guide: generic sales pitches in inboxes damage brand perception."
    signals: list[str] = []
    phrases = sorted({m.group(0).lower() for m in _PITCH.finditer(text)})
    if phrases:
        signals.append(", ".join(f"“{p}”" for p in phrases))
    we, you = len(_WE.findall(text)), len(_YOU.findall(text))
    self_focused = we >= 4 and we > 2 * you
    if self_focused:
        signals.append(f"“we/our” {we}× against “you/your” {you}×")
    if not signals:
        return result(PASS, why)
    status = PROBLEM if len(phrases) + self_focused >= 2 else ADVICE
    return result(
        status,
        why,
        "Lead with the reader's problem and a specific offer; drop the superlatives.",
        "; ".join(signals),
    )


def call_to_action(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    text = snapshot.get("cta_text") or ""
    result = partial(CheckResult, "body", "call_to_action", "Clear button")
    why = "The button is the one thing you ask the member to do."
    if not text:
        return result(
            PROBLEM,
            "Without button text there is nothing to click.",
            "Say what happens: “Save my seat”, “Get the report”.",
        )
    n = limits.count_characters(text)
    if n > limits.CTA_TEXT.maximum:
        return result(
            PROBLEM,
            limits.CTA_TEXT.message(n),
            f"Use at most {limits.CTA_TEXT.maximum} characters.",
        )
    if snapshot.get("cta_kind") == CtaKind.LEAD_FORM and not snapshot.get("lead_form_urn"):
        return result(
            PROBLEM,
            "The button opens a lead gen form, but none is chosen.",
            "Enter the lead gen form's URN.",
        )
    return result(PASS, why)


# ---------- Offer ----------


def offer_value(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    result = partial(CheckResult, "offer", "offer_value", "High-value offer")
    why = "The guide: messaging suits high-value offers to narrow audiences; low-value content belongs in the feed."
    offer = plan.offer_type
    if offer not in OfferType.values:
        return result(ADVICE, why, "Choose what the ad offers under “Offer”.")
    detail = OfferType(offer).label
    if offer in HIGH_VALUE_OFFERS:
        return result(PASS, why, "", detail)
    if offer in CONTENT_OFFERS:
        return result(
            ADVICE,
            "Research and case studies work in the inbox when exclusive and relevant; otherwise "
            "they could run as Sponsored Content for less.",
            "Make it exclusive (new data, a peer's story in their industry), or pair it with an assessment.",
            detail,
        )
    return result(
        PROBLEM,
        "The guide: generic sales pitches in inboxes damage brand perception.",
        "Offer something worth a direct message: an invitation, a demo, an assessment.",
        detail,
    )


def audience_narrow(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    result = partial(CheckResult, "offer", "audience_narrow", "Narrow, qualified audience")
    why = "The guide: messaging works with narrow, qualified targeting; broad audiences waste budget."
    if plan.audience_size is None:
        return result(ADVICE, why, "Enter the audience size in the forecast.")
    detail = f"{plan.audience_size:,} members"
    if plan.audience_size <= plan.broad_audience:
        return result(PASS, why, "", detail)
    status = PROBLEM if plan.offer_type == OfferType.GENERIC else ADVICE
    return result(
        status,
        f"Over {plan.broad_audience:,} members is broad for messaging"
        + (": a generic pitch to them is cold mass outreach." if status == PROBLEM else "."),
        "Target specific job titles, company lists or retargeting audiences.",
        detail,
    )


# ---------- Sender ----------


def sender_person(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    sender = snapshot.get("sender")
    result = partial(CheckResult, "sender", "sender_person", "A real person who can answer")
    why = "Members reply to the sender: pick someone relevant to them who will answer."
    if not sender:
        return result(PROBLEM, "No sender is chosen.", "Choose a sender.")
    if str(sender.get("urn", "")).startswith("urn:li:organization:"):
        return result(
            ADVICE,
            "Message ads from a person are opened and answered more than those from a page.",
            "Send as a person on your team who can answer replies.",
            sender.get("name", ""),
        )
    return result(PASS, why, "", sender.get("name", ""))


def sender_profile(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    sender = snapshot.get("sender") or {}
    result = partial(CheckResult, "sender", "sender_profile", "Complete sender profile")
    why = "A photo and a headline make the sender credible at a glance."
    missing = [name for name, key in (("photo", "photo"), ("headline", "headline")) if not sender.get(key)]
    if not missing:
        return result(PASS, why)
    return result(
        ADVICE,
        why,
        f"Add the sender's {' and '.join(missing)} on the Senders page.",
        "No " + " or ".join(missing),
    )


def sender_permission(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    result = partial(CheckResult, "sender", "sender_permission", "Sender's permission approved")
    why = "LinkedIn only sends as a member who has approved it for this ad account."
    permission = plan.sender_permission
    if permission == SenderPermission.APPROVED:
        return result(PASS, why)
    if permission == SenderPermission.PENDING:
        return result(
            PROBLEM,
            why,
            "Ask the sender to accept the request in LinkedIn Campaign Manager.",
            "Pending",
        )
    if permission == SenderPermission.REVOKED:
        return result(
            PROBLEM,
            why,
            "The sender withdrew permission: ask again or choose another sender.",
            "Revoked",
        )
    return result(
        PROBLEM,
        why,
        "Choose a sender from the Senders page.",
        "Unknown",
    )


# ---------- Landing page ----------


def landing_https(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    url = snapshot.get("landing_page_url") or ""
    result = partial(CheckResult, "landing", "landing_https", "Secure landing page (https)")
    why = "Browsers warn on http pages; a warning right after the click loses the lead."
    if not url:
        return result(
            PROBLEM,
            "The button has nowhere to go.",
            "Enter the landing page URL.",
        )
    if urlsplit(url).scheme.lower() == "https":
        return result(PASS, why)
    return result(PROBLEM, why, "Use the page's https:// address.")


def landing_format(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    url = snapshot.get("landing_page_url") or ""
    result = partial(CheckResult, "landing", "landing_format", "Well-formed address")
    why = "A mistyped address sends every click to an error page."
    problem = ""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or any(c.isspace() for c in url):
        problem = "It contains spaces or can't be read as an address."
    elif parts.scheme.lower() not in limits.LANDING_PAGE_SCHEMES:
        problem = "It must start with https://."
    elif not _HOST.match(host):
        problem = f"“{host or url}” is not a domain name."
    elif limits.count_characters(url) > limits.LANDING_PAGE_URL.maximum:
        problem = limits.LANDING_PAGE_URL.message(limits.count_characters(url))
    if problem:
        return result(
            PROBLEM,
            why,
            "Copy the address from the browser's address bar.",
            problem,
        )
    return result(PASS, why)


def landing_utm(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    url = snapshot.get("landing_page_url") or ""
    result = partial(CheckResult, "landing", "landing_utm", "UTM tags for analytics")
    why = "Without UTM tags your analytics can't tell these visits and leads apart from others."
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        query = {}
    missing = [key for key in UTM_REQUIRED if not query.get(key)]
    if not missing:
        return result(PASS, why)
    return result(
        ADVICE,
        why,
        "Press “Add UTM tags” beside the landing page URL.",
        "Missing " + ", ".join(missing),
    )


# ---------- Conversation ads ----------
# Over the tree a conversation snapshot carries (`ads.conversation`): a list of messages, each
# with reply buttons that go to another message, open a website or a lead gen form, or end.


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


Check = Callable[[Mapping[str, Any], Plan], CheckResult]

SUBJECT_CHECKS: tuple[Check, ...] = (subject_length, subject_personalised, subject_direct)
BODY_CHECKS: tuple[Check, ...] = (body_length, body_links, body_second_person, body_pitch, call_to_action)
OFFER_CHECKS: tuple[Check, ...] = (offer_value, audience_narrow)
SENDER_CHECKS: tuple[Check, ...] = (sender_person, sender_profile, sender_permission)
LANDING_CHECKS: tuple[Check, ...] = (landing_https, landing_format, landing_utm)
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


# What a check is worth towards the score: a problem nothing, advice half.
POINTS: dict[str, float] = {PASS: 1.0, ADVICE: 0.5, PROBLEM: 0.0}
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
