"""The periodic jobs (Celery beat) against the sandbox over HTTP: token refresh ahead of expiry, a
revoked grant noticed and shown, and sender permissions re-imported so a lapsed one flags every
draft that uses it before anyone tries to sync."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad, Sender, SenderPermission, State
from inmail_studio.linkedin import tasks
from inmail_studio.linkedin.client import LinkedIn, Unauthorized
from inmail_studio.linkedin.models import ConnectionStatus, LinkedInConnection
from inmail_studio.sandbox import models as sandbox
from tests.conftest import client_for

from .conftest import connect

MakeAd = Callable[..., Ad]


def _revoke(token: str) -> None:
    response = requests.post(
        f"{settings.LINKEDIN_OAUTH_BASE_URL}/revoke",
        data={
            "token": token,
            "client_id": settings.LINKEDIN_CLIENT_ID,
            "client_secret": settings.LINKEDIN_CLIENT_SECRET,
        },
        timeout=5,
    )
    assert response.status_code == 200


def test_the_beat_job_refreshes_tokens_that_expire_soon_and_leaves_the_rest(
    sandbox_url: str, workspace: Workspace, other_workspace: Workspace, admin_user: User, outsider: User
) -> None:
    soon = connect(workspace, admin_user, ttl=timedelta(days=1))
    later = connect(other_workspace, outsider, ttl=timedelta(days=50))
    old_soon, old_later = soon.access_token, later.access_token

    assert tasks.refresh_tokens_task() == 1

    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.access_token != old_soon and soon.refreshed_at is not None
    assert soon.expires_at > timezone.now() + timedelta(days=50)  # the sandbox's 60-day token
    assert soon.status == ConnectionStatus.ACTIVE
    assert later.access_token == old_later and later.refreshed_at is None
    # The new token works, and the refresh token was kept (refreshing doesn't replace it).
    assert LinkedIn(token=soon.access_token).userinfo()["sub"] == "ada-admin"
    assert soon.refresh_token is not None


def test_a_refresh_linkedin_refuses_marks_the_connection_revoked_and_shows_the_admin_why(
    sandbox_url: str, workspace: Workspace, admin_user: User, author: User
) -> None:
    connection = connect(workspace, admin_user, ttl=timedelta(hours=1))
    refresh = connection.refresh_token
    assert refresh is not None
    _revoke(refresh.reveal())

    assert tasks.refresh_tokens_task() == 0

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.REVOKED
    assert "reconnect LinkedIn" in connection.status_detail
    page = html.unescape(client_for(admin_user).get("/ads/").content.decode())
    assert "LinkedIn needs reconnecting" in page and connection.status_detail in page
    assert b"LinkedIn needs reconnecting" not in client_for(author).get("/ads/").content
    # Revoked stays revoked: the next run does not try again with a dead refresh token.
    assert tasks.refresh_tokens_task() == 0


def test_a_401_during_a_sync_marks_the_connection_revoked_and_the_sync_failed(
    make_synced_ready_ad: MakeAd, connected: LinkedInConnection
) -> None:
    refresh = connected.refresh_token
    assert refresh is not None
    _revoke(refresh.reveal())  # removes the app: its access tokens are revoked with it
    with pytest.raises(Unauthorized) as refused:
        LinkedIn(token=connected.access_token).userinfo()
    assert refused.value.code == "REVOKED_ACCESS_TOKEN"
    ad = make_synced_ready_ad()
    assert ad.state == State.SYNC_FAILED
    connected.refresh_from_db()
    assert connected.status == ConnectionStatus.REVOKED
    assert ad.sync_attempts.get().error_code in ("REVOKED_ACCESS_TOKEN", "NOT_CONNECTED")


def test_a_sender_whose_permission_lapses_is_flagged_on_every_draft_before_any_sync(
    connected: LinkedInConnection, make_synced_ready_ad: MakeAd, workspace: Workspace, author: User
) -> None:
    drafts = [make_synced_ready_ad(approve=False, name=f"Draft {i}") for i in range(2)]
    other = make_synced_ready_ad(approve=False, name="Marcus's", sender_urn="urn:li:person:marcus-lee")
    sandbox.SenderPermission.objects.filter(member__slug="dana-whitfield").update(state="REVOKED")

    assert tasks.import_all_senders_task() == 1

    dana = Sender.objects.get(workspace=workspace, urn="urn:li:person:dana-whitfield")
    assert dana.permission == SenderPermission.REVOKED and dana.permission_updated_at is not None
    client = client_for(author)
    for ad in drafts:
        editor = html.unescape(client.get(f"/ads/{ad.pk}/").content.decode())
        assert "Dana Whitfield withdrew permission to send ads for this account" in editor
    assert "withdrew permission" not in html.unescape(client.get(f"/ads/{other.pk}/").content.decode())
    listing = html.unescape(client.get("/ads/").content.decode())
    assert listing.count("Sender permission revoked: LinkedIn will refuse this ad") == 2
    assert not any(ad.sync_attempts.exists() for ad in [*drafts, other])


def test_a_sender_who_approves_again_is_no_longer_flagged(
    connected: LinkedInConnection, make_synced_ready_ad: MakeAd, workspace: Workspace, author: User
) -> None:
    ad = make_synced_ready_ad(approve=False)
    permission = sandbox.SenderPermission.objects.filter(member__slug="dana-whitfield")
    permission.update(state="REQUESTED")
    tasks.import_all_senders_task()
    assert "hasn't approved sending ads" in html.unescape(
        client_for(author).get(f"/ads/{ad.pk}/").content.decode()
    )
    permission.update(state="APPROVED")
    tasks.import_all_senders_task()
    assert Sender.objects.get(workspace=workspace, urn="urn:li:person:dana-whitfield").can_send
    page = html.unescape(client_for(author).get(f"/ads/{ad.pk}/").content.decode())
    assert "hasn't approved sending ads" not in page
    assert "Sender permission" not in html.unescape(client_for(author).get("/ads/").content.decode())


def test_a_connection_without_an_ad_account_is_skipped_by_the_sender_import(
    sandbox_url: str, workspace: Workspace, admin_user: User
) -> None:
    connect(workspace, admin_user)
    Workspace.objects.filter(pk=workspace.pk).update(ad_account_urn="")
    assert tasks.import_all_senders_task() == 0
