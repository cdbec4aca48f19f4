"""Personas and factories shared by the whole suite.

The personas follow STYLE.md: an author, an approver, an admin and a viewer in
one workspace, and an outsider who belongs to another workspace.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from inmail_studio.accounts.models import Membership, Role, User, Workspace
from inmail_studio.ads import services
from inmail_studio.ads.models import Ad, Sender, SenderPermission
from tests import flush, testdb

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's, except that the migrations run once per run, not once per worker (tests/testdb.py)."""
    workerinput = getattr(request.config, "workerinput", None)
    with django_db_blocker.unblock():
        original_name = testdb.setup(workerinput["testrunuid"] if workerinput else None)
    yield
    with django_db_blocker.unblock():
        testdb.teardown(original_name)
        if workerinput is None:
            testdb.drop_template()


def pytest_sessionfinish(session: pytest.Session) -> None:
    # The xdist controller drops the template its workers copied, once they have all finished.
    config = session.config
    if getattr(config, "workerinput", None) is None and getattr(config.option, "numprocesses", None):
        from pytest_django.plugin import blocking_manager_key

        with config.stash[blocking_manager_key].unblock():
            testdb.drop_template()


@pytest.fixture(scope="session", autouse=True)
def _quick_flush() -> Iterator[None]:
    """Transactional tests empty only the tables they wrote to (see tests/flush.py)."""
    yield from flush.install()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Sign-in throttling and other counters live in the cache: no test inherits another's.
    from django.core.cache import cache

    cache.clear()


def make_user(username: str, **extra: Any) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.com", **extra
    )


def make_workspace(name: str = "Acme", **extra: Any) -> Workspace:
    n = next(_seq)
    return Workspace.objects.create(
        name=name, slug=f"ws-{n}", ad_account_urn=f"urn:li:sponsoredAccount:{1000 + n}", **extra
    )


def join(user: User, workspace: Workspace, role: str) -> User:
    Membership.objects.create(user=user, workspace=workspace, role=role)
    return user


# The people of STYLE.md: (username, first name, last name, role); the outsider belongs to `other_workspace`.
PERSONAS: dict[str, tuple[str, str, str, str]] = {
    "author": ("alice", "Alice", "Author", Role.AUTHOR),
    "approver": ("bob", "Bob", "Approver", Role.APPROVER),
    "admin_user": ("ada", "Ada", "Admin", Role.ADMIN),
    "viewer": ("vic", "Vic", "Viewer", Role.VIEWER),
    "outsider": ("olga", "Olga", "Outsider", Role.ADMIN),
}


def make_persona(kind: str, workspace: Workspace) -> User:
    username, first_name, last_name, role = PERSONAS[kind]
    return join(make_user(username, first_name=first_name, last_name=last_name), workspace, role)


@pytest.fixture
def workspace(db: None) -> Workspace:
    return make_workspace("Acme Cloud")


@pytest.fixture
def other_workspace(db: None) -> Workspace:
    return make_workspace("Globex")


@pytest.fixture
def author(workspace: Workspace) -> User:
    return make_persona("author", workspace)


@pytest.fixture
def approver(workspace: Workspace) -> User:
    return make_persona("approver", workspace)


@pytest.fixture
def admin_user(workspace: Workspace) -> User:
    return make_persona("admin_user", workspace)


@pytest.fixture
def viewer(workspace: Workspace) -> User:
    return make_persona("viewer", workspace)


@pytest.fixture
def outsider(other_workspace: Workspace) -> User:
    return make_persona("outsider", other_workspace)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def make_sender(workspace: Workspace) -> Sender:
    return Sender.objects.create(
        workspace=workspace,
        urn="urn:li:person:dana",
        name="Dana Whitfield",
        headline="VP Marketing at Acme Cloud",
        permission=SenderPermission.APPROVED,
    )


@pytest.fixture
def sender(workspace: Workspace) -> Sender:
    return make_sender(workspace)


GOOD_AD: dict[str, Any] = {
    "name": "Q4 webinar invite",
    "subject": "%FIRSTNAME%, a seat for our Q4 webinar?",
    "body": "<p>Hi %FIRSTNAME%,</p><p>Join us on <b>12 December</b>.</p>",
    "cta_text": "Save my seat",
    "landing_page_url": "https://example.com/webinar",
    "footer": "Acme Cloud, 1 Market St.",
}


@pytest.fixture
def make_ad(workspace: Workspace, author: User, sender: Sender) -> Callable[..., Ad]:
    def make(**fields: Any) -> Ad:
        values = {**GOOD_AD, "sender": sender, **fields}
        return services.ad_create(workspace=workspace, author=author, fields=values)

    return make


@pytest.fixture
def ad(make_ad: Callable[..., Ad]) -> Ad:
    return make_ad()
