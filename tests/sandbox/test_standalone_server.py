"""`manage.py sandbox_serve`: the sandbox as a server of its own, as stripe-mock serves Stripe (issue 9 item 4).

The server runs as a real process with its own database, even when started from an environment
that is production's; the app here runs with LINKEDIN_SANDBOX off and only its base URLs pointing
at the server, and connects (OAuth, as a browser goes through it), imports and syncs against it.
"""

from __future__ import annotations

import importlib
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from django.test import Client

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import Ad, Sender, State
from inmail_studio.linkedin.models import AdLinkedIn, LinkedInConnection
from inmail_studio.review import services as review_services
from tests.conftest import GOOD_AD
from tests.production.conftest import ROOT, base_env, free_port, started_in

# Real processes (gunicorn, the standalone sandbox server): selected with -m slow, and run by make test.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
ACCOUNT = "urn:li:sponsoredAccount:508915158"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The server, started from an environment that is an app's production one: it must ignore all of it.

    One server for the module's tests: it migrates and seeds its own database as it starts (seconds
    of CPU), and what the tests do to it doesn't meet (the sync writes a creative for its own
    content, the token command issues one more token, the first test reads what every server starts
    with)."""
    folder = tmp_path_factory.mktemp("standalone-sandbox")
    port, database = free_port(), folder / "linkedin.sqlite3"
    app_production = {
        "DJANGO_ENV": "production",
        "DATABASE_URL": "postgres://nobody@db.invalid:5432/app",
        "CELERY_BROKER_URL": "redis://redis.invalid:6379/0",
        "CACHE_URL": "redis://redis.invalid:6379/1",
        "SECRET_KEY": "the-apps-own-secret-key",
        "LINKEDIN_SANDBOX": "false",
        "ALLOWED_HOSTS": "studio.example.com",
    }
    processes = started_in(folder)
    process = next(processes)(
        "sandbox_serve",
        [
            sys.executable,
            "manage.py",
            "sandbox_serve",
            "--port",
            str(port),
            "--database-url",
            f"sqlite:///{database}",
        ],
        base_env(**app_production),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        process.wait_until(lambda: requests.get(f"{url}/healthz", timeout=2).status_code == 200, timeout=90)
        yield url, database
    finally:
        processes.close()  # stops the server by PID


@pytest.fixture
def app_uses(server: tuple[str, Path], settings: Any) -> str:
    """This app, with the sandbox off, talking to the server as it would talk to LinkedIn."""
    url, _ = server
    # The root urlconf reads LINKEDIN_SANDBOX once, when it is first imported: import it first, so
    # the tests after this one in the same process still find the mounted sandbox.
    importlib.import_module(settings.ROOT_URLCONF)
    settings.LINKEDIN_SANDBOX = False
    settings.LINKEDIN_API_BASE_URL = f"{url}/rest"
    settings.LINKEDIN_OAUTH_BASE_URL = f"{url}/oauth/v2"
    return url


def test_the_server_serves_the_sandbox_at_linkedins_paths_and_nothing_of_the_app(
    server: tuple[str, Path],
) -> None:
    url, database = server
    unauthenticated = requests.get(
        f"{url}/rest/adAccounts?q=search",
        headers={"LinkedIn-Version": settings.LINKEDIN_API_VERSION, "X-Restli-Protocol-Version": "2.0.0"},
        timeout=5,
    )
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["code"] == "EMPTY_ACCESS_TOKEN"  # LinkedIn's error, from the sandbox
    inbox = requests.get(f"{url}/inbox/", timeout=5, allow_redirects=False)  # test inboxes need sign-in
    assert inbox.status_code == 302 and inbox.headers["Location"].startswith("/admin/login/")
    for path in ("/ads/", "/accounts/login/", "/sandbox/linkedin/rest/adAccounts", "/linkedin/"):
        assert requests.get(f"{url}{path}", timeout=5).status_code == 404, path
    with sqlite3.connect(database) as db:  # its own database, seeded with the demo accounts
        assert db.execute("SELECT count(*) FROM sandbox_adaccount").fetchone()[0] >= 1


def _connect(url: str, admin: User) -> Client:
    """An admin connects as a browser does: the app sends them to the server, they allow, it sends them back."""
    client = Client()
    client.force_login(admin)
    start = client.post("/linkedin/connect/")
    authorize = start["Location"]
    assert authorize.startswith(f"{url}/oauth/v2/authorization?")
    browser = requests.Session()
    consent = browser.get(authorize, timeout=5)
    assert consent.status_code == 200
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', consent.text))
    back = browser.post(
        authorize.split("?", 1)[0],
        data={**fields, "member": "ada-admin", "decision": "allow"},
        allow_redirects=False,
        timeout=5,
    )
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/linkedin/callback/"
    assert "code" in parse_qs(callback.query)
    done = client.get(f"{callback.path}?{callback.query}")
    assert done["Location"] == "/linkedin/account/", done.get("Location")
    assert client.post("/linkedin/account/", {"account": ACCOUNT}).status_code == 302
    return client


def test_an_app_with_the_sandbox_off_connects_imports_and_syncs_against_the_server(
    app_uses: str,
    server: tuple[str, Path],
    workspace: Workspace,
    admin_user: User,
    author: User,
    approver: User,
) -> None:
    _connect(app_uses, admin_user)
    connection = LinkedInConnection.objects.get(workspace=workspace)
    assert connection.member_urn == "urn:li:person:ada-admin"
    workspace.refresh_from_db()
    assert workspace.ad_account_urn == ACCOUNT
    campaign = workspace.linkedin_campaigns.get(name="Q4 Finance Webinar")  # imported from the server
    sender = Sender.objects.get(workspace=workspace, urn="urn:li:person:dana-whitfield")

    ad = ad_services.ad_create(workspace=workspace, author=author, fields={**GOOD_AD, "sender": sender})
    AdLinkedIn.objects.create(ad=ad, campaign_urn=campaign.urn)
    review_services.submit(ad_id=ad.pk, actor=author)
    ad.refresh_from_db()
    assert ad.current_revision is not None
    review_services.approve(ad_id=ad.pk, approver=approver, revision_hash=ad.current_revision.content_hash)

    ad = Ad.objects.get(pk=ad.pk)
    link = AdLinkedIn.objects.get(ad=ad)
    assert ad.state == State.SYNCED, link
    _, database = server
    with sqlite3.connect(database) as db:  # the creative is in the server's database, not the app's
        rows = db.execute(
            "SELECT count(*) FROM sandbox_creative WHERE content_reference = ?", (link.content_urn,)
        )
        assert rows.fetchone()[0] == 1


def test_the_token_command_works_against_the_servers_own_database(server: tuple[str, Path]) -> None:
    url, database = server
    printed = subprocess.run(
        [sys.executable, "manage.py", "sandbox_token", "--member", "ada-admin"],
        cwd=ROOT,
        env=base_env(
            DJANGO_SETTINGS_MODULE="inmail_studio.sandbox.server_settings",
            DATABASE_URL=f"sqlite:///{database}",
            LINKEDIN_SANDBOX="true",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert printed.returncode == 0, printed.stderr
    accounts = requests.get(
        f"{url}/rest/adAccounts?q=search",
        headers={
            "Authorization": f"Bearer {printed.stdout.strip()}",
            "LinkedIn-Version": settings.LINKEDIN_API_VERSION,
            "X-Restli-Protocol-Version": "2.0.0",
        },
        timeout=5,
    )
    assert accounts.status_code == 200, accounts.text
    assert any(element.get("id") == 508915158 for element in accounts.json()["elements"])


def test_the_server_refuses_to_run_with_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import inmail_studio.sandbox.server_settings"],
        cwd=ROOT,
        env=base_env(
            DJANGO_ENV="production",
            SECRET_KEY="x" * 60,
            ALLOWED_HOSTS="a",
            DATABASE_URL="sqlite:///x",
            CELERY_BROKER_URL="redis://x",
            CACHE_URL="redis://x",
            LINKEDIN_TOKEN_KEYS="J8rlcA0Fq2qVm6T8vH2tWmM1o5m8iQ2W0b3kL4y7u9E=",
            LINKEDIN_CLIENT_SECRET="real",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "never runs with production settings" in result.stderr
