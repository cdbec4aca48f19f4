"""No share-link token, OAuth code or state, or LinkedIn token reaches a log (issue 11 item 7).

A real gunicorn, with the project's gunicorn settings and JSON logs as in production, serves the
app; a person's share-link and OAuth flows go through it over HTTP (the LinkedIn side is the
sandbox in the live server). Everything gunicorn wrote (its access log and Django's loggers,
the request logger's 4xx warnings included) and everything this process logged is then searched
for every secret the flows used. The redacted forms must be there: a log that lost the lines
altogether would prove nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad
from inmail_studio.linkedin.models import LinkedInConnection
from inmail_studio.review import services as review_services
from inmail_studio.sandbox.seed import seed
from tests.conftest import PASSWORD

from .conftest import BIN, Process, base_env, database_url, free_port

# Real processes (gunicorn, the standalone sandbox server): selected with -m slow, and run by make test.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def gunicorn(processes: Callable[..., Process], live_server: Any) -> str:
    seed()
    port = free_port()
    env = base_env(
        DATABASE_URL=database_url(),
        INMAIL_TESTING="1",
        LOG_FORMAT="json",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        LINKEDIN_API_BASE_URL=f"{live_server.url}/sandbox/linkedin/rest",
        LINKEDIN_OAUTH_BASE_URL=f"{live_server.url}/sandbox/linkedin/oauth/v2",
    )
    web = processes(
        "gunicorn",
        [str(BIN / "gunicorn"), "-c", "python:inmail_studio.gunicorn_conf", "inmail_studio.wsgi:application"],
        env,
    )
    url = f"http://127.0.0.1:{port}"
    web.wait_until(lambda: requests.get(f"{url}/healthz", timeout=2).status_code == 200)
    return url


def _sign_in(url: str, username: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{url}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token
    answer = session.post(
        f"{url}/accounts/login/",
        data={"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    return session


def _csrf(session: requests.Session, page: str) -> str:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(page, timeout=10).text)
    assert token, page
    return token.group(1)


def _oauth(url: str, admin: User) -> dict[str, str]:
    """Connect LinkedIn as a browser does; returns the secrets the flow carried."""
    browser = _sign_in(url, admin.username)
    start = browser.post(
        f"{url}/linkedin/connect/",
        data={"csrfmiddlewaretoken": _csrf(browser, f"{url}/linkedin/")},
        allow_redirects=False,
        timeout=10,
    )
    authorize = start.headers["Location"]
    state = parse_qs(urlsplit(authorize).query)["state"][0]
    consent = browser.get(authorize, timeout=10)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', consent.text))
    back = browser.post(
        authorize.split("?", 1)[0],
        data={**fields, "member": "ada-admin", "decision": "allow"},
        allow_redirects=False,
        timeout=10,
    )
    callback = back.headers["Location"]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    done = browser.get(callback, allow_redirects=False, timeout=20)
    assert done.headers["Location"].endswith("/linkedin/account/"), done.headers
    return {"OAuth state": state, "OAuth code": code}


def _share(url: str, ad: Ad, author: User) -> dict[str, str]:
    """A stakeholder opens a share link, a page asset is fetched with it as Referer, then it is revoked."""
    review_services.submit(ad_id=ad.pk, actor=author)
    shared = review_services.share_link_create(ad_id=ad.pk, creator=author, recipient="Legal")
    link = f"{url}/review/s/{shared.token}/"
    stakeholder = requests.Session()
    assert stakeholder.get(link, timeout=10).status_code == 200
    stakeholder.get(f"{url}/static/css/app.css", headers={"Referer": link}, timeout=10)
    assert stakeholder.get(f"{link}?frame=1&path=", timeout=10).status_code == 200
    review_services.share_link_revoke(link_id=shared.link.pk, actor=author)
    assert stakeholder.get(link, timeout=10).status_code in (403, 404, 410)  # Django's request logger warns
    return {"share-link token": shared.token}


def test_share_link_and_oauth_flows_leave_no_secret_in_any_log(
    gunicorn: str,
    admin_user: User,
    author: User,
    ad: Ad,
    workspace: Workspace,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    secrets = {**_oauth(gunicorn, admin_user), **_share(gunicorn, ad, author)}
    connection = LinkedInConnection.objects.get(workspace=workspace)
    secrets["LinkedIn access token"] = connection.access_token.reveal()
    refresh = connection.refresh_token
    if refresh:
        secrets["LinkedIn refresh token"] = refresh.reveal()

    output = (tmp_path / "gunicorn.log").read_text()
    logged = output + caplog.text
    for name, value in secrets.items():
        assert value not in logged, f"the {name} was written to a log"

    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    paths = [f"{line['http']['path']}?{line['http']['query']}" for line in access]
    # The lines are there, redacted, with what an operator needs.
    assert any(p.startswith("/review/s/[redacted]/") for p in paths), paths
    assert any(p.startswith("/linkedin/callback/?code=[redacted]&state=[redacted]") for p in paths), paths
    assert any("/review/s/[redacted]/" in line["http"]["referer"] for line in access)
    assert all(line.get("request_id") for line in access if line["http"]["path"].startswith("/review/"))
    warnings = [line for line in lines if line["logger"] == "django.request"]
    assert any(line["message"].endswith("/review/s/[redacted]/") for line in warnings), warnings
