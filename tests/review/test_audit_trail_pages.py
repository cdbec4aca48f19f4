"""A workspace's audit trail, a page at a time by keyset: every event once, in order, one query a page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad, State
from inmail_studio.review.audit_trail import audit_trail_page
from inmail_studio.review.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def _events(ad: Ad, actor: User, count: int, action: str = Action.COMMENTED) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            workspace_id=ad.workspace_id,
            ad=ad,
            actor=actor,
            action=action,
            from_state=State.DRAFT,
            to_state=State.DRAFT,
            comment=f"event {i}",
        )
        for i in range(count)
    )


def _walk(workspace_id: int, **filters: Any) -> list[int]:
    seen: list[int] = []
    cursor = ""
    while True:
        page = audit_trail_page(workspace_id=workspace_id, cursor=cursor, size=10, **filters)
        seen += [e.pk for e in page.events]
        if not page.has_next:
            return seen
        cursor = page.next_cursor


def test_paging_by_cursor_shows_every_event_of_the_workspace_once_newest_first(
    make_ad: Callable[..., Ad], author: User, other_workspace: Workspace
) -> None:
    ad = make_ad()
    _events(ad, author, 45)
    theirs = Ad.objects.create(workspace=other_workspace, author=author, name="Theirs")
    _events(theirs, author, 5)

    expected = list(
        AuditEvent.objects.filter(workspace_id=ad.workspace_id)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )
    assert _walk(ad.workspace_id) == expected
    assert len(expected) == 45


def test_events_at_the_same_instant_are_neither_skipped_nor_repeated(
    make_ad: Callable[..., Ad], author: User
) -> None:
    ad = make_ad()
    _events(ad, author, 25)
    # Every event at one instant: only the id orders them, across page boundaries too.
    moment = AuditEvent.objects.filter(ad=ad).values_list("created_at", flat=True).first()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the inserts' foreign-key checks, now
        cursor.execute("ALTER TABLE review_auditevent DISABLE TRIGGER USER")
        cursor.execute("UPDATE review_auditevent SET created_at = %s WHERE ad_id = %s", [moment, ad.pk])
        cursor.execute("ALTER TABLE review_auditevent ENABLE TRIGGER USER")
    ids = sorted(
        AuditEvent.objects.filter(workspace_id=ad.workspace_id).values_list("pk", flat=True), reverse=True
    )
    assert _walk(ad.workspace_id) == ids


def test_each_page_is_one_query_however_deep(
    make_ad: Callable[..., Ad], author: User, django_assert_num_queries: Any
) -> None:
    ad = make_ad()
    _events(ad, author, 60)
    cursor = ""
    for _ in range(5):
        with django_assert_num_queries(1):
            page = audit_trail_page(workspace_id=ad.workspace_id, cursor=cursor, size=10)
            [(e.who, e.ad.name) for e in page.events]  # actor and ad come with the page
        cursor = page.next_cursor


def test_filters_apply_across_pages(make_ad: Callable[..., Ad], author: User) -> None:
    ad = make_ad()
    _events(ad, author, 15, Action.APPROVED)
    _events(ad, author, 15, Action.COMMENTED)
    approved = _walk(ad.workspace_id, action=Action.APPROVED)
    assert len(approved) == 15
    assert set(AuditEvent.objects.filter(pk__in=approved).values_list("action", flat=True)) == {"approved"}


@pytest.mark.parametrize("cursor", ["garbage", "2026-01-01T00:00:00~x", "2026-01-01T00:00:00~5", "~"])
def test_a_cursor_that_does_not_parse_starts_from_the_newest(
    cursor: str, make_ad: Callable[..., Ad], author: User
) -> None:
    ad = make_ad()
    _events(ad, author, 3)
    page = audit_trail_page(workspace_id=ad.workspace_id, cursor=cursor)
    assert len(page.events) == 3
    assert not page.has_next


def test_the_admins_audit_list_pages_show_the_trail_in_order(
    make_ad: Callable[..., Ad], author: User
) -> None:
    """The admin's change list pages by deferred join (ids from the index, then the rows): same rows."""
    from inmail_studio.review.admin import AuditEventAdmin
    from tests.conftest import client_for

    ad = make_ad()
    _events(ad, author, 150)
    expected = list(AuditEvent.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    admin = User.objects.create_superuser("auditor", password=None)
    client = client_for(admin)
    shown: list[int] = []
    pages = -(-len(expected) // AuditEventAdmin.list_per_page)
    assert pages >= 2
    for number in range(1, pages + 1):
        response = client.get("/admin/review/auditevent/", {"p": number})
        assert response.status_code == 200
        shown += [e.pk for e in response.context["cl"].result_list]
    assert shown == expected
