"""The audit trail: append-only in code and in the database; the admin lists, filters and exports it."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad
from inmail_studio.review import services
from inmail_studio.review.models import AuditEvent
from tests.conftest import client_for, make_user


def _hash(ad: Ad) -> str:
    ad.refresh_from_db()
    return ad.current_revision.content_hash  # type: ignore[union-attr]


@pytest.fixture
def trail(ad: Ad, author: User, approver: User) -> Ad:
    services.submit(ad_id=ad.pk, actor=author, ip="203.0.113.7")
    services.approve(
        ad_id=ad.pk, approver=approver, revision_hash=_hash(ad), comment="Good to go", ip="198.51.100.2"
    )
    return ad


def test_an_audit_row_records_actor_action_states_revision_comment_and_ip(trail: Ad, approver: User) -> None:
    event = AuditEvent.objects.filter(ad=trail).first()
    assert event is not None
    assert event.actor == approver
    assert (event.action, event.from_state, event.to_state) == (
        "approved_with_comment",
        "in_review",
        "approved",
    )
    assert event.revision_hash == _hash(trail)
    assert (event.comment, event.ip) == ("Good to go", "198.51.100.2")


def test_no_code_path_updates_or_deletes_audit_rows(trail: Ad) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(TypeError):
        AuditEvent.objects.all().update(comment="rewritten")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_database_refuses_to_change_audit_rows_even_with_raw_sql(trail: Ad) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE review_auditevent SET comment = 'rewritten'")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM review_auditevent")


@pytest.fixture
def staff() -> User:
    return make_user("root", is_staff=True, is_superuser=True)


def test_the_admin_lists_and_filters_the_audit_trail_read_only(trail: Ad, staff: User) -> None:
    client = client_for(staff)
    listing = client.get("/admin/review/auditevent/")
    assert listing.status_code == 200
    assert "Export CSV" in listing.content.decode()
    filtered = client.get("/admin/review/auditevent/?action__exact=submitted")
    assert filtered.context["cl"].result_count == 1
    event = AuditEvent.objects.first()
    assert event is not None
    change = client.post(f"/admin/review/auditevent/{event.pk}/change/", {"comment": "rewritten"})
    assert change.status_code == 403
    assert client.post(f"/admin/review/auditevent/{event.pk}/delete/").status_code == 403
    event.refresh_from_db()
    assert event.comment == "Good to go"


def test_the_admin_exports_the_filtered_trail_as_csv(trail: Ad, staff: User) -> None:
    response = client_for(staff).get("/admin/review/auditevent/export/?action__exact=approved_with_comment")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))  # type: ignore[attr-defined]
    assert rows[0][:6] == ["time", "workspace", "ad", "actor", "stakeholder", "action"]
    assert len(rows) == 2
    assert rows[1][3:8] == ["bob", "", "approved_with_comment", "in_review", "approved"]
    assert rows[1][10] == "198.51.100.2"


def test_the_audit_export_is_for_staff_only(trail: Ad, author: User) -> None:
    assert client_for(author).get("/admin/review/auditevent/export/").status_code == 302
