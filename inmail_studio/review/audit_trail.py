"""A workspace's audit trail a page at a time, by keyset: deep pages cost what the first one costs.

An agency workspace gathers tens of thousands of events; `OFFSET 20000` reads and throws away twenty
thousand rows before the page it shows. Here a page ends with a cursor (the last row's time and id)
and the next page starts strictly after it, walking the `audit_workspace_time` index
(workspace, -created_at, -id) from there. One query a page, whatever its depth; no count.

The cursor carries no authority: the caller scopes the workspace (by membership) before asking, and
a cursor from elsewhere can only move the starting point within that workspace. One that does not
parse starts from the newest event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from .models import AuditEvent

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    next_cursor: str  # "" on the last page

    @property
    def has_next(self) -> bool:
        return bool(self.next_cursor)


def cursor_of(event: AuditEvent) -> str:
    return f"{event.created_at.isoformat()}~{event.pk}"


def _parse(cursor: str) -> tuple[datetime, int] | None:
    when, _, pk = cursor.partition("~")
    try:
        moment = datetime.fromisoformat(when)
        number = int(pk)
    except ValueError:
        return None
    return (moment, number) if moment.tzinfo is not None else None


def audit_trail_page(
    *, workspace_id: int, cursor: str = "", action: str = "", ad_id: int | None = None, size: int = PAGE_SIZE
) -> AuditPage:
    """The workspace's events newest first, `size` of them after `cursor` (from the newest if empty)."""
    events: QuerySet[AuditEvent] = AuditEvent.objects.filter(workspace_id=workspace_id)
    if action:
        events = events.filter(action=action)
    if ad_id is not None:
        events = events.filter(ad_id=ad_id)
    after = _parse(cursor) if cursor else None
    if after is not None:
        moment, pk = after
        # (created_at, id) < (moment, pk): the range on created_at is the index condition; the few
        # rows that share the cursor's instant are sorted out by id.
        events = events.filter(created_at__lte=moment).exclude(created_at=moment, pk__gte=pk)
    size = max(1, min(size, 500))
    rows = list(events.select_related("actor", "ad", "share_link").order_by("-created_at", "-pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return AuditPage(events=rows, next_cursor=cursor_of(rows[-1]) if more else "")
