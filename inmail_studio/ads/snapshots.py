"""The snapshot of an ad: what a revision stores, what the preview renders, what a diff compares.

A snapshot is plain JSON, so a revision can be rendered, compared and synced
long after the sender, banner or draft it came from has changed.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import media
from .models import Ad, CtaKind, Image, Kind, Sender
from .sanitize import sanitize_body

SNAPSHOT_VERSION = 1

# The fields a person compares, in the order they read an ad, with their labels.
FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Ad name"),
    ("sender", "Sender"),
    ("subject", "Subject"),
    ("body", "Body"),
    ("cta_kind", "Call to action"),
    ("cta_text", "Button text"),
    ("landing_page_url", "Landing page URL"),
    ("lead_form_urn", "Lead gen form"),
    ("footer", "Custom footer"),
    ("banner", "Banner"),
)


def sender_snapshot(sender: Sender | None) -> dict[str, Any] | None:
    if sender is None:
        return None
    return {
        "id": sender.pk,
        "urn": sender.urn,
        "name": sender.name,
        "headline": sender.headline,
        "photo": media.stable_url(sender.photo) if sender.photo else "",
    }


def banner_snapshot(image: Image | None) -> dict[str, Any] | None:
    if image is None:
        return None
    return {
        "id": image.pk,
        "sha256": image.sha256,
        "url": media.stable_url(image.file),
        "name": image.original_name,
    }


def build(
    *,
    kind: str = Kind.MESSAGE,
    name: str = "",
    sender: Sender | None = None,
    subject: str = "",
    body: str = "",
    footer: str = "",
    cta_kind: str = CtaKind.LANDING_PAGE,
    cta_text: str = "",
    landing_page_url: str = "",
    lead_form_urn: str = "",
    banner: Image | None = None,
    tree: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A snapshot from field values; the body is sanitized here so no snapshot ever holds unsafe HTML.

    Conversation ads also carry their whole `tree` (see `conversation.tree_of`), so the
    content hash covers every message and button. Message ad snapshots have no `tree` key.
    """
    snapshot = {
        "v": SNAPSHOT_VERSION,
        "kind": kind,
        "name": name.strip(),
        "sender": sender_snapshot(sender),
        "subject": subject.strip(),
        "body": sanitize_body(body),
        "footer": footer.strip(),
        "cta_kind": cta_kind,
        "cta_text": cta_text.strip(),
        "landing_page_url": landing_page_url.strip() if cta_kind == CtaKind.LANDING_PAGE else "",
        "lead_form_urn": lead_form_urn.strip() if cta_kind == CtaKind.LEAD_FORM else "",
        "banner": banner_snapshot(banner),
    }
    if kind == Kind.CONVERSATION:
        snapshot["tree"] = tree if tree is not None else {"lead_gen": False, "first": None, "messages": []}
    return snapshot


def of_ad(ad: Ad) -> dict[str, Any]:
    return build(
        kind=ad.kind,
        name=ad.name,
        sender=ad.sender,
        subject=ad.subject,
        body=ad.body,
        footer=ad.footer,
        cta_kind=ad.cta_kind,
        cta_text=ad.cta_text,
        landing_page_url=ad.landing_page_url,
        lead_form_urn=ad.lead_form_urn,
        banner=ad.banner,
        tree=_tree_of_ad(ad) if ad.kind == Kind.CONVERSATION else None,
    )


def _tree_of_ad(ad: Ad) -> dict[str, Any] | None:
    from .conversation.tree import tree_of
    from .models import Conversation

    conversation = Conversation.objects.filter(ad=ad).first() if ad.pk else None
    return tree_of(conversation) if conversation is not None else None


def display_value(snapshot: Mapping[str, Any], field: str) -> str:
    """A field as a reviewer reads it, as plain text."""
    value = snapshot.get(field)
    if field == "sender":
        return f"{value['name']} ({value['urn']})" if value else ""
    if field == "banner":
        return value.get("name") or value["sha256"][:12] if value else ""
    if field == "cta_kind":
        return CtaKind(value).label if value in CtaKind.values else str(value or "")
    return str(value or "")


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def inline_diff(self) -> SafeString:
        """Word-level diff as HTML: removed words in <del>, added words in <ins>, all text escaped."""
        a, b = self.before.split(" "), self.after.split(" ")
        out: list[str] = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if op == "equal":
                out.append(escape(" ".join(a[i1:i2])))
                continue
            if i2 > i1:
                out.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
            if j2 > j1:
                out.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
        return mark_safe(" ".join(out))


def compare(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[FieldChange]:
    """Field-by-field comparison of two snapshots (`before` None means a first version)."""
    return [
        FieldChange(
            field=field,
            label=label,
            before=display_value(before, field) if before else "",
            after=display_value(after, field),
        )
        for field, label in FIELDS
    ]
