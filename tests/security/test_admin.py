"""The admin site shows the ledger and the audit trail but cannot change them, and never shows a token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad, Revision
from inmail_studio.linkedin.client import Secret
from inmail_studio.linkedin.models import AdLinkedIn, LinkedInConnection, SyncAttempt, SyncCall, TestSend
from inmail_studio.review.models import AuditEvent, Decision, Review, ShareLink

# Rows that record what happened: a staff member who could edit them could fake a sync, a test
# send or an approval (a launch checks AdLinkedIn.synced_hash against the approved revision).
RECORDS: list[type[models.Model]] = [
    Revision,
    AuditEvent,
    Review,
    Decision,
    ShareLink,
    SyncAttempt,
    TestSend,
    AdLinkedIn,
]


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser("root", "root@example.com", "x")


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_records_cannot_be_added_changed_or_deleted_in_the_admin(
    model: type[models.Model], superuser: User
) -> None:
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_a_sync_attempts_calls_cannot_be_added_in_the_admin(superuser: User) -> None:
    request = RequestFactory().get("/admin/")
    request.user = superuser
    inlines = admin.site._registry[SyncAttempt].get_inline_instances(request)
    call_inlines = [i for i in inlines if i.model is SyncCall]
    assert call_inlines
    for inline in call_inlines:
        assert not inline.has_add_permission(request, None)
        assert not inline.has_change_permission(request, None)
        assert not inline.has_delete_permission(request, None)


def test_posting_to_a_sync_attempts_admin_page_changes_nothing(ad: Ad, superuser: User) -> None:
    attempt = SyncAttempt.objects.create(
        ad=ad, revision=ad.current_revision, revision_hash=ad.current_revision.content_hash, status="failed"
    )
    client = Client()
    client.force_login(superuser)
    url = reverse("admin:linkedin_syncattempt_change", args=[attempt.pk])
    response = client.post(url, {"status": "done", "revision_hash": "0" * 64})
    assert response.status_code == 403
    attempt.refresh_from_db()
    assert attempt.status == "failed"


def test_the_connection_admin_page_shows_no_token_even_encrypted(
    workspace: Workspace, superuser: User
) -> None:
    connection = LinkedInConnection(workspace=workspace)
    connection.set_tokens(
        access=Secret("AQX-access-token-value"),
        expires_at=timezone.now() + timedelta(days=60),
        refresh=Secret("AQX-refresh-token-value"),
        refresh_expires_at=None,
    )
    connection.save()
    client = Client()
    client.force_login(superuser)
    pages = [
        client.get(reverse("admin:linkedin_linkedinconnection_changelist")),
        client.get(reverse("admin:linkedin_linkedinconnection_change", args=[connection.pk])),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        for secret in ("AQX-access-token-value", "AQX-refresh-token-value"):
            assert secret not in html
        assert connection.access_token_ciphertext not in html
        assert connection.refresh_token_ciphertext not in html
    assert "AQX" not in repr(connection) and "AQX" not in str(connection)
    assert "AQX" not in repr(connection.access_token)
