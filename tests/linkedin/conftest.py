"""The LinkedIn sandbox served over real HTTP (pytest-django's live_server), and a connected workspace."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.urls import get_resolver
from django.utils import timezone

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import Ad, Sender
from inmail_studio.linkedin import services
from inmail_studio.linkedin.client import Secret
from inmail_studio.linkedin.models import AdLinkedIn, LinkedInConnection
from inmail_studio.review import services as review_services
from inmail_studio.sandbox import models as sandbox
from inmail_studio.sandbox.seed import seed
from inmail_studio.sandbox.tokens import APP_SCOPES, sandbox_token_issue, tokens_issue
from tests.conftest import GOOD_AD

ACCOUNT = "urn:li:sponsoredAccount:508915158"
WEBINAR = "Q4 Finance Webinar"


@pytest.fixture
def sandbox_url(live_server: Any, settings: Any, transactional_db: None) -> str:
    """The sandbox, seeded, with the client pointed at it and timeouts short enough for a test: 2 s to
    read still tells the sandbox's 3 s hang apart, with room for an answer on a loaded two-core machine
    (1 s was exceeded there by ordinary answers). The URL configuration is loaded here, not by the
    live server's first answer, which under load alone took about a second."""
    get_resolver().url_patterns  # noqa: B018  (the live server runs in this process: loaded once for both)
    seed()
    settings.LINKEDIN_API_BASE_URL = f"{live_server.url}/sandbox/linkedin/rest"
    settings.LINKEDIN_OAUTH_BASE_URL = f"{live_server.url}/sandbox/linkedin/oauth/v2"
    settings.LINKEDIN_CONNECT_TIMEOUT = 2.0
    settings.LINKEDIN_READ_TIMEOUT = 2.0
    settings.SANDBOX_HANG_SECONDS = 3
    settings.LINKEDIN_SANDBOX_FAULTS = ""
    return str(live_server.url)


def member(slug: str = "ada-admin") -> sandbox.Member:
    return sandbox.Member.objects.get(slug=slug)


@pytest.fixture
def token(sandbox_url: str) -> Secret:
    return Secret(sandbox_token_issue(member=member()))


def connect(
    workspace: Workspace,
    admin: User,
    *,
    slug: str = "ada-admin",
    ttl: timedelta | None = None,
    scope: str = APP_SCOPES,
    choose: bool = True,
) -> LinkedInConnection:
    """Connect a workspace as the sandbox member would through the consent page, then choose the demo account."""
    issued = tokens_issue(member=member(slug), client_id="inmail-studio-dev", scope=scope)
    now = timezone.now()
    connection = LinkedInConnection(
        workspace=workspace, connected_by=admin, member_urn=f"urn:li:person:{slug}"
    )
    connection.set_tokens(
        access=Secret(issued.access_token),
        expires_at=now + (ttl or timedelta(days=60)),
        refresh=Secret(issued.refresh_token) if issued.refresh_token else None,
        refresh_expires_at=now + timedelta(days=365),
    )
    connection.scopes = scope
    connection.save()
    if choose:
        services.account_choose(workspace_id=workspace.pk, admin=admin, account_urn=ACCOUNT)
    workspace.refresh_from_db()
    return connection


@pytest.fixture
def connected(sandbox_url: str, workspace: Workspace, admin_user: User) -> LinkedInConnection:
    return connect(workspace, admin_user)


@pytest.fixture
def webinar(connected: LinkedInConnection, workspace: Workspace) -> str:
    return str(workspace.linkedin_campaigns.get(name=WEBINAR).urn)


@pytest.fixture
def make_synced_ready_ad(
    connected: LinkedInConnection, workspace: Workspace, author: User, approver: User, webinar: str
) -> Callable[..., Ad]:
    """An ad by the author, with Dana (an approved sender in the sandbox) and the webinar campaign, approved."""

    def make(
        *,
        approve: bool = True,
        campaign: str | None = None,
        sender_urn: str = "urn:li:person:dana-whitfield",
        **fields: Any,
    ) -> Ad:
        sender = Sender.objects.get(workspace=workspace, urn=sender_urn)
        ad = ad_services.ad_create(
            workspace=workspace, author=author, fields={**GOOD_AD, "sender": sender, **fields}
        )
        AdLinkedIn.objects.create(ad=ad, campaign_urn=webinar if campaign is None else campaign)
        if approve:
            approve_ad(ad, author=author, approver=approver)
        ad.refresh_from_db()
        return ad

    return make


def approve_ad(ad: Ad, *, author: User, approver: User) -> None:
    review_services.submit(ad_id=ad.pk, actor=author)
    ad.refresh_from_db()
    assert ad.current_revision is not None
    review_services.approve(ad_id=ad.pk, approver=approver, revision_hash=ad.current_revision.content_hash)


def creatives_of(content_urn: str) -> list[sandbox.Creative]:
    return list(sandbox.Creative.objects.filter(content_reference=content_urn))


def run_when_due(attempt_id: int) -> None:
    """What the task's retry does once its countdown has passed (in-process Celery doesn't wait it out):
    the attempt is due and runs again. A further transient error leaves it waiting for the next retry."""
    from inmail_studio.linkedin.models import SyncAttempt

    SyncAttempt.objects.filter(pk=attempt_id, retry_at__isnull=False).update(retry_at=timezone.now())
    with contextlib.suppress(services.RetryLater):
        services.sync_run(attempt_id=attempt_id)
