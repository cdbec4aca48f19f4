"""Every LinkedIn field limit InMail Studio knows, in one place.

The facts come from `shared/LINKEDIN_API.md`. Model and form validation, the
editor's live counters, the sandbox's own validation and the guidance checks all
read these numbers from here. Where LinkedIn's documentation is silent or
contradicts practitioners, the conservative figure is used and marked.

How things are counted:
- characters are Unicode code points of the visible text (tags removed, entities
  decoded) for message ad bodies, as LinkedIn's editor counts them; subjects,
  CTA texts, button texts and footers are plain text and counted as they are;
- conversation message bodies count their HTML too (LinkedIn Help says so);
- an emoji is one emoji as a reader sees it: a ZWJ family or a flag counts once.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import StrEnum

import emoji

# How close to a limit (as a share of it) a counter turns to a warning.
WARN_AT = 0.9


class Unit(StrEnum):
    CHARACTERS = "characters"
    EMOJIS = "emojis"
    LINKS = "links"
    BUTTONS = "buttons"
    MESSAGES = "messages"
    BYTES = "bytes"


@dataclass(frozen=True)
class Limit:
    key: str
    label: str
    maximum: int
    unit: Unit
    source: str
    confirmed: bool = True
    # Whose limit it is: LinkedIn's, or InMail Studio's own bound on what a request may cost.
    owner: str = "LinkedIn"

    def message(self, actual: int) -> str:
        """What to tell a marketer who is over the limit."""
        noun = self.unit.value
        if actual == 1 and noun.endswith("s"):
            noun = noun[:-1]
        return f"{self.label} has {actual:,} {noun}; {self.owner} allows {self.maximum:,}."

    def status(self, actual: int) -> str:
        """`ok`, `warning` (near the limit) or `error` (past it), for counters."""
        if actual > self.maximum:
            return "error"
        if self.maximum >= 5 and actual >= self.maximum * WARN_AT:
            return "warning"
        return "ok"


AD_NAME = Limit("ad_name", "Ad name", 255, Unit.CHARACTERS, "LinkedIn Help")
SUBJECT = Limit("subject", "Subject", 60, Unit.CHARACTERS, "LinkedIn Help, API docs")
BODY = Limit("body", "Body", 1500, Unit.CHARACTERS, "LinkedIn Help")
BODY_EMOJIS = Limit("body_emojis", "Body", 10, Unit.EMOJIS, "LinkedIn Help")
BODY_LINKS = Limit("body_links", "Body", 3, Unit.LINKS, "LinkedIn Help")
LINK_TEXT = Limit("link_text", "Link text", 70, Unit.CHARACTERS, "LinkedIn Help")
CTA_TEXT = Limit("cta_text", "Call-to-action text", 20, Unit.CHARACTERS, "API docs")
LANDING_PAGE_URL = Limit("landing_page_url", "Landing page URL", 1024, Unit.CHARACTERS, "API docs")
FOOTER = Limit("footer", "Custom footer", 10_000, Unit.CHARACTERS, "LinkedIn Help", confirmed=False)
CONVERSATION_FOOTER = Limit(
    "conversation_footer", "Custom footer", 20_000, Unit.CHARACTERS, "LinkedIn Help", confirmed=False
)
CONVERSATION_BODY = Limit(
    "conversation_body", "Message body", 8000, Unit.CHARACTERS, "LinkedIn Help (HTML counted)"
)
# LinkedIn's editor starts warning here; practitioners report it as the API's real limit.
CONVERSATION_BODY_ADVISED = 500
CONVERSATION_EMOJIS = Limit("conversation_emojis", "Message body", 10, Unit.EMOJIS, "LinkedIn Help")
BUTTONS_PER_MESSAGE = Limit("buttons", "Message", 5, Unit.BUTTONS, "LinkedIn Help")
BUTTON_TEXT = Limit("button_text", "Button text", 25, Unit.CHARACTERS, "third party", confirmed=False)
MESSAGES_PER_CONVERSATION = Limit(
    "messages", "Conversation", 25, Unit.MESSAGES, "practitioners' notes", confirmed=False
)

# A raw body (the HTML as typed, pasted or posted, before sanitizing) far above anything LinkedIn
# takes is refused before the sanitizer parses it, on every path: saving, the live preview and
# conversation messages (issue 11). 20,000 characters is 13 times a message body's 1,500 visible
# characters and 2.5 times a conversation message's 8,000 (HTML counted); the editor pastes plain
# text, so a real body stays far below it. Not in ALL: it is InMail Studio's bound, not LinkedIn's.
BODY_RAW = Limit(
    "body_raw", "The HTML", 20_000, Unit.CHARACTERS, "InMail Studio (cost bound)", owner="InMail Studio"
)

BANNER_WIDTH = 300
BANNER_HEIGHT = 250
BANNER_MAX_BYTES = 2 * 1024 * 1024
BANNER_FORMATS = frozenset({"JPEG", "PNG"})

LANDING_PAGE_SCHEMES = ("http", "https")

ALL: tuple[Limit, ...] = (
    AD_NAME,
    SUBJECT,
    BODY,
    BODY_EMOJIS,
    BODY_LINKS,
    LINK_TEXT,
    CTA_TEXT,
    LANDING_PAGE_URL,
    FOOTER,
    CONVERSATION_FOOTER,
    CONVERSATION_BODY,
    CONVERSATION_EMOJIS,
    BUTTONS_PER_MESSAGE,
    BUTTON_TEXT,
    MESSAGES_PER_CONVERSATION,
)

# Each pattern stops at the next "<", so a run of unclosed tags is scanned once, not once per "<"
# (`<[^>]*>` on 64 KB of "<" takes seconds; these run on every keystroke of the preview).
_TAG = re.compile(r"<[^<>]*>")
_BLOCK_END = re.compile(r"</(p|li)>|<br\s*/?>", re.IGNORECASE)
_LINK = re.compile(r"<a\b[^<>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL)


def visible_text(markup: str) -> str:
    """The text a member reads: tags removed, entities decoded, paragraphs as newlines."""
    text = _BLOCK_END.sub("\n", markup)
    return html.unescape(_TAG.sub("", text)).strip()


def count_characters(text: str) -> int:
    return len(text)


# Runs of ASCII that can't be part of an emoji (keycaps start with #, * or a digit, so those stay).
_NOT_EMOJI = re.compile(r"[\x00-\x22\x24-\x29\x2b-\x2f\x3a-\x7f]+")


def count_emojis(text: str) -> int:
    # The emoji tokenizer walks every character; collapsing the prose around the emojis first
    # gives the same count at a fraction of the cost (it runs on every keystroke of the preview).
    if text.isascii():
        return 0
    return int(emoji.emoji_count(_NOT_EMOJI.sub(" ", text)))


def link_texts(markup: str) -> list[str]:
    """The visible text of every link in (sanitized) HTML."""
    # Only up to the last "</a>": past it no link can end, and each "<a" would be scanned to the end.
    end = markup.lower().rfind("</a>")
    if end < 0:
        return []
    return [html.unescape(_TAG.sub("", inner)).strip() for inner in _LINK.findall(markup, 0, end + 4)]


def raw_body_error(markup: str) -> str | None:
    """Why a raw body is refused before it is sanitized (far too long), or None."""
    measure = Measure(BODY_RAW, len(markup or ""))
    return None if measure.ok else measure.message


@dataclass(frozen=True)
class Measure:
    """One counter under a field: what it counts, how many, and how that compares to the limit."""

    limit: Limit
    actual: int

    @property
    def status(self) -> str:
        return self.limit.status(self.actual)

    @property
    def ok(self) -> bool:
        return self.actual <= self.limit.maximum

    @property
    def message(self) -> str:
        return self.limit.message(self.actual)


def measure_plain(limit: Limit, text: str) -> Measure:
    return Measure(limit, count_characters(text or ""))


def measure_body(markup: str) -> list[Measure]:
    """Counters for a message ad body: characters, emojis, links (and the longest link text)."""
    text = visible_text(markup or "")
    links = link_texts(markup or "")
    measures = [
        Measure(BODY, count_characters(text)),
        Measure(BODY_EMOJIS, count_emojis(text)),
        Measure(BODY_LINKS, len(links)),
    ]
    longest = max((len(t) for t in links), default=0)
    if longest:
        measures.append(Measure(LINK_TEXT, longest))
    return measures


def body_errors(markup: str) -> list[str]:
    return [m.message for m in measure_body(markup) if not m.ok]
