"""The conversation diagram's SVG, drawn in Python.

The live check redraws the diagram on every pause in typing; as a template loop over 25 boxes of
5 rows it was the largest part of the editor's answer (issue 14: goal p95 < 30 ms for a 25 x 5 tree).
Same markup as before, every text escaped; positions come from `ads.conversation.diagram.layout`.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ARROWS = (
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
    'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="conv-arrowhead"></path></marker>'
    '<marker id="arrow-bad" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
    'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="conv-arrowhead-bad"></path></marker></defs>'
)


def _n(value: float) -> str:
    """A coordinate as SVG wants it: 16, 16.5 (never 16.0)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _box_label(box: Any) -> str:
    count = len(box.rows)
    parts = [f"{box.name}: {'lead gen form' if box.kind == 'form' else 'message'}"]
    if box.first:
        parts.append("the first message")
    parts.append(f"{count} button{'' if count == 1 else 's'}")
    if box.severity == "error":
        parts.append("has errors")
    elif box.severity == "warning":
        parts.append("has warnings")
    if box.selected:
        parts.append("open")
    return ", ".join(parts)


@register.simple_tag
def conversation_svg(diagram: Any, ad_id: int) -> SafeString:
    """`<svg>` of the diagram: messages are links (hx-get swaps the workspace), buttons rows, edges arrows."""
    # One reverse() for every box: the message id is the only part that changes.
    url = reverse("ads:conversation_message", args=[ad_id, 999999999]).replace("999999999", "{}")
    width, height = _n(round(diagram.width)), _n(round(diagram.height))
    count = len(diagram.boxes)
    out = [
        f'<svg class="conv-svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="group" '
        'aria-labelledby="conv-diagram-title" aria-describedby="conv-diagram-help">'
        f'<title id="conv-diagram-title">Conversation diagram: {count} message{"" if count == 1 else "s"}</title>',
        ARROWS,
    ]
    for edge in diagram.edges:
        classes = "conv-edge"
        if edge.backwards:
            classes += " conv-edge-back"
        if edge.selected:
            classes += " conv-edge-selected"
        if edge.error:
            classes += " conv-edge-error"
        marker = "arrow-bad" if edge.error or edge.backwards else "arrow"
        out.append(
            f'<path d="{_e(edge.d)}" class="{classes}" marker-end="url(#{marker})"><title>{_e(edge.label)}</title></path>'
        )
    for box in diagram.boxes:
        href = url.format(int(box.pk))
        name = _e(box.name)
        x, y = box.x, box.y
        severity = box.severity
        node_class = "conv-node" + (f" conv-node-{severity}" if severity else "")
        box_class = f"conv-box conv-box-{_e(box.kind)}"
        if box.selected:
            box_class += " conv-box-selected"
        if severity:
            box_class += f" conv-box-{severity}"
        current = ' aria-current="true"' if box.selected else ""
        out.append(
            f'<a href="{href}#message-form" hx-get="{href}" hx-target="#conv-workspace" hx-swap="outerHTML" '
            f'class="{node_class}" id="node-{_e(box.ref)}" data-message="{_e(box.ref)}" data-x="{_n(x)}" '
            f'data-y="{_n(y)}" data-h="{_n(box.height)}" tabindex="{0 if box.selected else -1}"{current} '
            f'aria-label="{_e(_box_label(box))}" data-label="{name}">'
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{box.width}" height="{_n(box.height)}" rx="8" class="{box_class}"></rect>'
            f'<text x="{_n(box.text_x)}" y="{_n(box.name_y)}" class="conv-box-name">{"▶ " if box.first else ""}{name}</text>'
            "</a>"
            '<g class="conv-node-detail" aria-hidden="true">'
        )
        if severity:
            out.append(
                f'<circle cx="{_n(box.glyph_x)}" cy="{_n(box.name_y - 5)}" r="8" class="conv-flag conv-flag-{severity}"></circle>'
                f'<text x="{_n(box.glyph_x)}" y="{_n(box.name_y - 1)}" text-anchor="middle" class="conv-flag-text">!</text>'
            )
        out.append(
            f'<text x="{_n(box.glyph_x - 20)}" y="{_n(box.name_y)}" text-anchor="end" class="conv-unsaved-mark">●</text>'
            f'<text x="{_n(box.text_x)}" y="{_n(box.snippet_y)}" class="conv-box-snippet">{_e(box.snippet)}</text>'
        )
        for row in box.rows:
            row_class = "conv-row conv-row-error" if row.has_problem else "conv-row"
            out.append(
                f'<g class="{row_class}" data-button="{_e(row.ref)}"><title>{_e(row.title)}</title>'
                f'<rect x="{_n(x + 6)}" y="{_n(row.y)}" width="{box.width - 12}" height="20" rx="10" class="conv-row-pill"></rect>'
                f'<text x="{_n(x + 14)}" y="{_n(row.text_y)}" class="conv-row-text">{_e(row.text)}</text>'
                f'<text x="{_n(box.glyph_x)}" y="{_n(row.text_y)}" class="conv-row-glyph" text-anchor="end">{_e(row.glyph)}</text></g>'
            )
        out.append("</g>")
    out.append("</svg>")
    # Every value above is escaped by _e or is a number.
    return mark_safe("".join(out))
