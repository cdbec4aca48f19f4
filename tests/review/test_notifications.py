"""The bell and the email: who hears about what, with a link to the right page; email can be turned off."""

from __future__ import annotations

from typing import Any

from django.core import mail

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad
from inmail_studio.review import services
from inmail_studio.review.models import Notification
from tests.conftest import client_for


def _hash(ad: Ad) -> str:
    ad.refresh_from_db()
    return ad.current_revision.content_hash  # type: ignore[union-attr]


def test_a_review_request_rings_the_approvers_and_emails_them(
    ad: Ad,
    author: User,
    approver: User,
    admin_user: User,
    viewer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(ad_id=ad.pk, actor=author)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"bob", "ada"}
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.com", "bob@example.com"]
    assert f"/review/ads/{ad.pk}/" in mail.outbox[0].body
    assert "asks you to review" in mail.outbox[0].subject


def test_a_decision_tells_the_author_with_a_link_to_the_editor(
    ad: Ad, author: User, approver: User, django_capture_on_commit_callbacks: Any
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_changes(ad_id=ad.pk, approver=approver, revision_hash=_hash(ad), comment="Shorter.")
    note = Notification.objects.get(recipient=author)
    assert "requested changes" in note.message
    assert note.url == f"/ads/{ad.pk}/"
    assert [m.to for m in mail.outbox] == [[author.email]]


def test_people_who_turned_email_off_only_get_the_bell(
    ad: Ad, author: User, approver: User, django_capture_on_commit_callbacks: Any
) -> None:
    approver.email_notifications = False
    approver.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(ad_id=ad.pk, actor=author)
    assert Notification.objects.filter(recipient=approver).count() == 1
    assert mail.outbox == []


def test_the_bell_shows_the_unread_count_and_polls_for_it(ad: Ad, author: User, approver: User) -> None:
    client = client_for(approver)
    assert 'class="bell-count"' not in client.get("/review/notifications/bell/").content.decode()
    services.submit(ad_id=ad.pk, actor=author)
    bell = client.get("/review/notifications/bell/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-unread="1"' in bell
    assert 'hx-trigger="every' in bell
    page = client.get("/review/").content.decode()
    assert 'data-unread="1"' in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(
    ad: Ad, author: User, approver: User
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    note = Notification.objects.get(recipient=approver)
    response = client_for(approver).get(f"/review/notifications/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/review/ads/{ad.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert client_for(author).get(f"/review/notifications/{note.pk}/").status_code == 404


def test_mark_all_read_clears_the_count(ad: Ad, author: User, approver: User) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    client = client_for(approver)
    client.post("/review/notifications/")
    assert "data-unread" not in client.get("/review/notifications/bell/").content.decode()
