"""The one renderer of how an ad looks in a member's LinkedIn inbox (DESIGN.md, invariant 2).

`render_document` turns a snapshot into a complete HTML document that is shown
inside a sandboxed frame (no scripts) by the editor, the review page, the share
link and the sandbox's test inbox. Everything a member sees comes from the
snapshot: the body is sanitized again here, and macros are filled in for a
sample member with their values escaped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from . import limits, macros, media
from .conversation.tree import walk
from .sanitize import BodyTooLarge, sanitize_body

DEVICES = ("desktop", "mobile")
FALLBACK_PERSONA = "fallbacks"

# The frame's own size for each device, never scaled down (text stays at LinkedIn's 14 px): desktop is
# LinkedIn's 1128 px content column plus a margin, where a page column is narrower the frame scrolls
# sideways inside its box. Inside it, the reading pane is twice the conversation list's width.
FRAME_SIZE = {"desktop": (1160, 680), "mobile": (390, 760)}

# Other conversations in the member's inbox, drawn dimmed around the ad so the list reads as an inbox
# (not a page still loading). Invented people; nothing of a real member or of the workspace.
NEIGHBOURS = (
    {
        "name": "Priya Raman",
        "initials": "PR",
        "hue": "teal",
        "date": "Mon",
        "snippet": "Thanks, that helps. Talk Thursday?",
    },
    {
        "name": "Tom Becker",
        "initials": "TB",
        "hue": "amber",
        "date": "Sep 12",
        "snippet": "You: Sounds good, I'll send the deck over.",
    },
    {
        "name": "Lena Fischer",
        "initials": "LF",
        "hue": "plum",
        "date": "Sep 9",
        "snippet": "Congrats on the new role!",
    },
    {
        "name": "Marco Rossi",
        "initials": "MR",
        "hue": "slate",
        "date": "Sep 3",
        "snippet": "Great meeting you at the summit last week.",
    },
    {
        "name": "Aisha Khan",
        "initials": "AK",
        "hue": "green",
        "date": "Aug 28",
        "snippet": "You: Happy to intro you to our CFO.",
    },
)


@functools.cache
def _neighbour_rows(count: int) -> str:
    """The first `count` neighbours' rows, drawn once per process (a template's safe output): they never
    change, and drawing them per preview (five includes on every keystroke) was a good part of the
    document's cost."""
    return render_to_string("ads/preview/_neighbours.html", {"neighbours": NEIGHBOURS[:count]})


@dataclass(frozen=True)
class PreviewMember:
    key: str
    label: str
    values: Mapping[str, str] = field(default_factory=dict)


FALLBACK_MEMBER = PreviewMember(FALLBACK_PERSONA, "Fallbacks (no profile data)", {})


# A block that opens after bare text ("Hi,<p>Next</p>", as a browser's editor writes it) starts a new line.
_BLOCK_START = re.compile(r"<(p|li|ul|ol)\b", re.IGNORECASE)


def first_line(markup: str, length: int = 90) -> str:
    text = " ".join(limits.visible_text(_BLOCK_START.sub(r" <\1", markup)).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _body(markup: str, values: Mapping[str, str]) -> str:
    """A body as the member reads it: sanitized, then macros filled (their values escaped).

    A body too long to sanitize (never saved as such; forms refuse it) shows as empty, not as an error.
    """
    try:
        cleaned = sanitize_body(markup)
    except BodyTooLarge:
        return ""
    filled = macros.fill_html(cleaned, values)
    if macros.in_addresses(cleaned):
        # A member's details became part of a link's address: it must pass the allowlist again
        # (a first name of "javascript:…" loses the link, keeps the text).
        filled = sanitize_body(filled)
    return filled


def _address(url: str) -> str:
    """A link address the preview may draw: http(s) only (the form's value may not be saved yet)."""
    cleaned = "".join(c for c in url if c.isprintable() and not c.isspace())
    return url if urlsplit(cleaned).scheme.lower() in ("http", "https") else ""


def context(
    snapshot: Mapping[str, Any],
    member: PreviewMember,
    device: str = "desktop",
    *,
    path: Sequence[str] = (),
    walk_url: str = "",
    drafting: bool = True,
) -> dict[str, Any]:
    """Everything the inbox template needs, from a snapshot and a sample member.

    `drafting` marks where a marketer is still writing (editor, review): empty places such as
    the banner rail are labelled there; a member's real inbox (the sandbox) leaves them empty.

    For a conversation ad, `path` is the button ids the member has clicked so far and
    `walk_url` the address (ending in `path=`) that reply buttons link to; without it the
    buttons are drawn but lead nowhere (a still picture, as in a share link).
    """
    device = device if device in DEVICES else "desktop"
    values = member.values
    body = _body(snapshot.get("body", ""), values)
    subject = macros.fill_text(snapshot.get("subject", ""), values)
    footer = macros.fill_text(snapshot.get("footer", ""), values)
    # Media addresses are made now: a snapshot holds stable ones (signed URLs expire).
    sender = media.served(snapshot.get("sender") or None, "photo")
    cta_url = _address(snapshot.get("landing_page_url") or "") or (
        "#lead-form" if snapshot.get("lead_form_urn") else ""
    )
    is_conversation = snapshot.get("kind") == "conversation"
    conversation = _conversation_context(snapshot, values, path, walk_url) if is_conversation else None
    if conversation is not None:
        body = conversation["opening"]
    return {
        "device": device,
        "member": member,
        "sender": sender,
        "sender_initials": "".join(p[0] for p in (sender or {}).get("name", "?").split()[:2]).upper(),
        "subject": subject,
        "body": SafeString(body),
        "preview_line": first_line(body),
        "footer": footer,
        "cta_text": snapshot.get("cta_text", ""),
        "cta_url": cta_url,
        "is_lead_form": snapshot.get("cta_kind") == "lead_form",
        "banner": media.served(snapshot.get("banner"), "url") if device == "desktop" else None,
        "drafting": drafting,
        "neighbour_rows": _neighbour_rows(len(NEIGHBOURS) if device == "desktop" else 2),
        "is_conversation": is_conversation,
        "conversation": conversation,
    }


def _conversation_context(
    snapshot: Mapping[str, Any], values: Mapping[str, str], path: Sequence[str], walk_url: str
) -> dict[str, Any]:
    """The thread so far as bubbles (sender's messages, member's replies) and the buttons to click now."""
    tree = snapshot.get("tree") or {}
    walked = walk(tree, list(path))
    taken = walked.path

    def href(ids: Sequence[str]) -> str:
        return walk_url + ".".join(ids) if walk_url else ""

    def bubble(message: Mapping[str, Any]) -> dict[str, Any]:
        is_form = message.get("kind") == "form"
        body = "" if is_form else _body(message.get("body", ""), values)
        return {"id": message["id"], "body": SafeString(body), "is_form": is_form}

    steps = []
    for step in walked.steps:
        chosen = step.chosen
        steps.append(
            {
                "message": bubble(step.message),
                "reply": macros.fill_text(chosen.get("text", ""), values) if chosen else "",
            }
        )
    current = walked.current
    options = []
    if current is not None:
        for button in current.get("buttons", []):
            is_link = button.get("action") == "website"
            options.append(
                {
                    "id": button["id"],
                    "text": button.get("text") or "…",
                    "href": href([*taken, button["id"]]),
                    "is_website": is_link,
                }
            )
    opening_message = next((m for m in tree.get("messages", []) if m.get("id") == tree.get("first")), None)
    opening = _body(opening_message.get("body", ""), values) if opening_message else ""
    return {
        "steps": steps,
        "options": options,
        "ending": walked.ending,
        "ending_url": walked.ending_url,
        "finished": current is None,
        "path": taken,
        "back_href": href(taken[:-1]) if taken else "",
        "restart_href": href([]) if taken else "",
        "walkable": bool(walk_url),
        "opening": opening,
    }


def render_document(
    snapshot: Mapping[str, Any],
    member: PreviewMember,
    device: str = "desktop",
    *,
    path: Sequence[str] = (),
    walk_url: str = "",
    drafting: bool = True,
) -> str:
    """The inbox as a standalone HTML document, for a sandboxed frame's `srcdoc` (or `src`)."""
    return render_to_string(
        "ads/preview/document.html",
        context(snapshot, member, device, path=path, walk_url=walk_url, drafting=drafting),
    )


def frame(snapshot: Mapping[str, Any], member: PreviewMember, device: str = "desktop") -> dict[str, Any]:
    """Template context for `ads/preview/_frame.html`: the document and the frame's size."""
    device = device if device in DEVICES else "desktop"
    width, height = FRAME_SIZE[device]
    return {
        "document": render_document(snapshot, member, device),
        "device": device,
        "frame_width": width,
        "frame_height": height,
    }


def macro_problems(snapshot: Mapping[str, Any]) -> list[macros.MacroProblem]:
    text = " ".join(str(snapshot.get(f, "")) for f in ("subject", "body", "footer"))
    return macros.find_problems(text)


__all__ = ["FALLBACK_MEMBER", "PreviewMember", "context", "frame", "macro_problems", "render_document"]
