"""What every check shares: the statuses, the thresholds and word lists, the plan a check reads and its result."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from inmail_studio.ads import macros
from inmail_studio.guidance.models import ForecastAssumptions, OfferType

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


Check = Callable[[Mapping[str, Any], Plan], CheckResult]


# What a check is worth towards the score: a problem nothing, advice half.
POINTS: dict[str, float] = {PASS: 1.0, ADVICE: 0.5, PROBLEM: 0.0}
