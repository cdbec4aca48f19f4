"""The one renderer of how an ad looks in a member's LinkedIn inbox (DESIGN.md, invariant 2).

`render_document` turns a snapshot into a complete HTML document that is shown
inside a sandboxed frame (no scripts) by the editor, the review page, the share
link and the sandbox's test inbox. Everything a member sees comes from the
snapshot: the body is sanitized again here, and macros are filled in for a
sample member with their values escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from . import limits, macros
from .sanitize import sanitize_body

DEVICES = ("desktop", "mobile")
FALLBACK_PERSONA = "fallbacks"

# The frame's own size for each device; the page scales it to fit.
FRAME_SIZE = {"desktop": (1040, 660), "mobile": (390, 760)}


@dataclass(frozen=True)
class PreviewMember:
    key: str
    label: str
    values: Mapping[str, str] = field(default_factory=dict)


FALLBACK_MEMBER = PreviewMember(FALLBACK_PERSONA, "Fallbacks (no profile data)", {})


def first_line(markup: str, length: int = 90) -> str:
    text = " ".join(limits.visible_text(markup).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def context(snapshot: Mapping[str, Any], member: PreviewMember, device: str = "desktop") -> dict[str, Any]:
    """Everything the inbox template needs, from a snapshot and a sample member."""
    device = device if device in DEVICES else "desktop"
    values = member.values
    body = macros.fill_html(sanitize_body(snapshot.get("body", "")), values)
    subject = macros.fill_text(snapshot.get("subject", ""), values)
    footer = macros.fill_text(snapshot.get("footer", ""), values)
    sender = snapshot.get("sender") or None
    cta_url = snapshot.get("landing_page_url") or ("#lead-form" if snapshot.get("lead_form_urn") else "")
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
        "banner": snapshot.get("banner") if device == "desktop" else None,
        "is_conversation": snapshot.get("kind") == "conversation",
    }


def render_document(snapshot: Mapping[str, Any], member: PreviewMember, device: str = "desktop") -> str:
    """The inbox as a standalone HTML document, for a sandboxed frame's `srcdoc`."""
    return render_to_string("ads/preview/document.html", context(snapshot, member, device))


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
