"""The conversation as a diagram: messages as boxes in columns by depth, buttons as labelled arrows.

Laid out on the server and drawn as SVG (positions are SVG attributes, so the
CSP's ban on inline styles does not get in the way). Columns are the shortest
number of replies from the first message; messages nobody reaches stand in a
last column of their own, so they can't hide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from inmail_studio.ads import limits
from inmail_studio.ads.conversation.tree import Tree, message_name, messages_by_id, next_message_id
from inmail_studio.ads.conversation.validation import Problem
from inmail_studio.ads.models import ButtonAction, MessageKind

BOX_WIDTH = 220
HEADER = 48  # name and first words of the message
ROW = 24  # one button
PAD = 8
COLUMN_GAP = 96
ROW_GAP = 24
MARGIN = 16

ACTION_GLYPHS = {
    ButtonAction.MESSAGE: "→",
    ButtonAction.WEBSITE: "↗",
    ButtonAction.LEAD_FORM: "▤",
    ButtonAction.THANK_YOU: "✓",
    ButtonAction.END: "✕",
}


def _clip(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


@dataclass
class Row:
    ref: str
    text: str
    glyph: str
    action: str
    y: float
    has_problem: bool = False
    title: str = ""

    @property
    def text_y(self) -> float:
        return self.y + 16


@dataclass
class Box:
    ref: str
    name: str
    snippet: str
    kind: str
    x: float
    y: float
    height: float
    first: bool = False
    selected: bool = False
    severity: str = ""  # "", "warning", "error"
    rows: list[Row] = field(default_factory=list)

    @property
    def width(self) -> int:
        return BOX_WIDTH

    @property
    def pk(self) -> str:
        return self.ref[1:]

    @property
    def name_y(self) -> float:
        return self.y + 20

    @property
    def snippet_y(self) -> float:
        return self.y + 38

    @property
    def right(self) -> float:
        return self.x + BOX_WIDTH

    @property
    def text_x(self) -> float:
        return self.x + 10

    @property
    def glyph_x(self) -> float:
        return self.x + BOX_WIDTH - 12


@dataclass
class Edge:
    d: str
    label: str
    backwards: bool
    selected: bool
    error: bool


@dataclass
class Diagram:
    boxes: list[Box]
    edges: list[Edge]
    width: float
    height: float
    column_count: int
    has_unreachable: bool


def layout(tree: Tree, problems: Iterable[Problem] = (), selected: str | None = None) -> Diagram:
    by_id = messages_by_id(tree)
    messages = list(tree.get("messages", []))
    problems = list(problems)
    severity: dict[str, str] = {}
    bad_buttons: set[str] = set()
    for p in problems:
        if p.message_id:
            current = severity.get(p.message_id, "")
            severity[p.message_id] = "error" if p.is_error or current == "error" else "warning"
        if p.button_id and p.is_error:
            bad_buttons.add(p.button_id)

    # Depth by breadth-first search from the first message.
    depth: dict[str, int] = {}
    order: list[str] = []
    first = tree.get("first")
    if first in by_id:
        depth[first] = 0
        queue = [first]
        while queue:
            current = queue.pop(0)
            order.append(current)
            for button in by_id[current].get("buttons", []):
                target = next_message_id(button)
                if target in by_id and target not in depth:
                    depth[target] = depth[current] + 1
                    queue.append(target)
    reachable_columns = max(depth.values(), default=-1) + 1
    unreachable = [m["id"] for m in messages if m["id"] not in depth]
    for ref in unreachable:
        depth[ref] = reachable_columns
        order.append(ref)

    columns: dict[int, list[str]] = {}
    for ref in order:
        columns.setdefault(depth[ref], []).append(ref)

    boxes: dict[str, Box] = {}
    height = 0.0
    for column, refs in columns.items():
        y = float(MARGIN)
        x = MARGIN + column * (BOX_WIDTH + COLUMN_GAP)
        for ref in refs:
            message = by_id[ref]
            buttons = message.get("buttons", [])
            box_height = HEADER + ROW * len(buttons) + (PAD if buttons else 0)
            if message.get("kind") == MessageKind.FORM:
                snippet = message.get("form_urn") or "Lead gen form (choose the form)"
            else:
                snippet = limits.visible_text(message.get("body") or "") or "No text yet"
            box = Box(
                ref=ref,
                name=_clip(message_name(message), 26),
                snippet=_clip(snippet, 32),
                kind=message.get("kind", MessageKind.TEXT),
                x=x,
                y=y,
                height=box_height,
                first=ref == first,
                selected=ref == selected,
                severity=severity.get(ref, ""),
            )
            for i, button in enumerate(buttons):
                action = button.get("action", "")
                target = next_message_id(button)
                title = ButtonAction(action).label if action in ButtonAction.values else action
                if target:
                    title += f": {message_name(by_id.get(target))}"
                elif action == ButtonAction.WEBSITE:
                    title += f": {button.get('url') or 'no address'}"
                box.rows.append(
                    Row(
                        ref=button["id"],
                        text=_clip(button.get("text") or "(no text)", 24),
                        glyph=ACTION_GLYPHS.get(action, "?"),
                        action=action,
                        y=y + HEADER + ROW * i,
                        has_problem=button["id"] in bad_buttons,
                        title=title,
                    )
                )
            boxes[ref] = box
            y += box_height + ROW_GAP
        height = max(height, y)

    edges: list[Edge] = []
    for box in boxes.values():
        for row in box.rows:
            button = next(b for b in by_id[box.ref]["buttons"] if b["id"] == row.ref)
            goal = boxes.get(next_message_id(button) or "")
            if goal is None:
                continue
            x1, y1 = box.right, row.y + ROW / 2
            x2, y2 = goal.x, goal.y + 20
            backwards = goal.x <= box.x
            if backwards:
                # Loop around above: out to the right, over the top, into the target's left side.
                top = min(box.y, goal.y) - 12
                d = (
                    f"M{x1:.0f},{y1:.0f} C{x1 + 60:.0f},{y1:.0f} {x1 + 60:.0f},{top:.0f} {x1:.0f},{top:.0f} "
                    f"L{x2 + 20:.0f},{top:.0f} C{x2 - 40:.0f},{top:.0f} {x2 - 40:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
                )
            else:
                mid = (x1 + x2) / 2
                d = f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
            edges.append(
                Edge(
                    d=d,
                    label=row.text,
                    backwards=backwards,
                    selected=selected in (box.ref, goal.ref),
                    error=row.has_problem,
                )
            )

    column_count = len(columns)
    width = MARGIN * 2 + column_count * BOX_WIDTH + max(column_count - 1, 0) * COLUMN_GAP + 60
    return Diagram(
        boxes=list(boxes.values()),
        edges=edges,
        width=max(width, 320),
        height=max(height + MARGIN, 120),
        column_count=column_count,
        has_unreachable=bool(unreachable),
    )
