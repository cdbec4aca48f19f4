"""One workspace full of objects of every kind, for the security tests to aim at from outside and below.

`world` builds, through the real services, everything a URL can name by id: a message ad, a
conversation ad with its messages, a variant set, a share link and a notification. The
outsider (admin of another workspace) must find none of it; the viewer must change none of it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from inmail_studio.accounts.models import Membership, Role, User, Workspace
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.conversation import services as conversation_services
from inmail_studio.ads.models import Ad, Sender
from inmail_studio.guidance import services as guidance_services
from inmail_studio.review import services as review_services
from inmail_studio.review.models import Notification, ShareLink
from inmail_studio.studio.workspace import services as workspace_services
from tests.conftest import GOOD_AD, make_persona, make_sender, make_workspace


@dataclass
class World:
    ad: Ad
    conversation: Ad
    message_id: int
    link: ShareLink
    notification: Notification
    set_id: int
    membership_id: int = 0
    invitation_id: int = 0
    sender_id: int = 0

    def kwargs_for(self, names: set[str], *, conversation: bool) -> dict[str, int]:
        ad = self.conversation if conversation else self.ad
        values = {
            "ad_id": ad.pk,
            "message_id": self.message_id,
            "link_id": self.link.pk,
            "notification_id": self.notification.pk,
            "set_id": self.set_id,
            "membership_id": self.membership_id,
            "invitation_id": self.invitation_id,
            "sender_id": self.sender_id,
        }
        return {name: values[name] for name in names}


def build_world(workspace: Workspace, author: User, approver: User, admin_user: User, ad: Ad) -> World:
    conversation = conversation_services.conversation_create(
        workspace=workspace, author=author, name="Spring event", template_key="event-invitation"
    )
    message_id = conversation.conversation.messages.values_list("pk", flat=True).first()  # type: ignore[attr-defined]
    assert message_id is not None
    variant = guidance_services.variant_create(ad_id=ad.pk, author=author, subject="Another subject")
    review_services.submit(ad_id=ad.pk, actor=author)
    link = review_services.share_link_create(ad_id=ad.pk, creator=author, recipient="Legal").link
    notification = Notification.objects.filter(recipient=approver).first()
    assert notification is not None
    ad.refresh_from_db()
    invitation = workspace_services.invitation_create(
        workspace_id=workspace.pk, admin=admin_user, email="newcomer@example.org", role=Role.AUTHOR
    ).invitation
    return World(
        membership_id=Membership.objects.get(user=author, workspace=workspace).pk,
        invitation_id=invitation.pk,
        sender_id=ad.sender_id or 0,
        ad=ad,
        conversation=conversation,
        message_id=message_id,
        link=link,
        notification=notification,
        set_id=variant.variant.variant_set_id,  # type: ignore[attr-defined]
    )


# The world is built once and kept for a run of tests that use it (about 900 of them: the sweeps),
# as Django's TestCase keeps `setUpTestData`: it is written inside a transaction left open, each test
# runs in a savepoint of it that is rolled back (pytest-django's `db`), and each test gets its own
# copy of the Python objects. The transaction is rolled back as soon as the next test doesn't use the
# world, so no other test ever sees it (tests/security/test_shared_world.py checks both).


@dataclass
class Shared:
    workspace: Workspace
    author: User
    approver: User
    admin_user: User
    sender: Sender
    ad: Ad
    world: World


class _Kept:
    def __init__(self) -> None:
        self.shared: Shared | None = None
        self.atomic: Any = None
        self.blocker: Any = None

    def open(self, blocker: Any) -> Shared:
        if self.shared is None:
            self.blocker = blocker
            with blocker.unblock():
                self.atomic = transaction.atomic()
                self.atomic.__enter__()
                try:
                    workspace = make_workspace("Acme Cloud")
                    people = {
                        kind: make_persona(kind, workspace) for kind in ("author", "approver", "admin_user")
                    }
                    sender = make_sender(workspace)
                    ad = ad_services.ad_create(
                        workspace=workspace, author=people["author"], fields={**GOOD_AD, "sender": sender}
                    )
                    world = build_world(
                        workspace, people["author"], people["approver"], people["admin_user"], ad
                    )
                except BaseException:
                    self.close()
                    raise
                self.shared = Shared(workspace=workspace, sender=sender, ad=ad, world=world, **people)
        assert self.shared is not None
        return self.shared

    def close(self) -> None:
        if self.atomic is not None:
            with self.blocker.unblock():
                transaction.set_rollback(True)
                self.atomic.__exit__(None, None, None)
        self.shared = self.atomic = None


KEPT = _Kept()


@pytest.fixture(autouse=True)
def _keep_the_world(request: pytest.FixtureRequest) -> None:
    # Autouse, so it runs before `db` opens the test's own transaction (which then is a savepoint).
    if "_shared_world" in request.fixturenames:
        request.getfixturevalue("django_db_setup")
        KEPT.open(request.getfixturevalue("django_db_blocker"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    result = yield  # the test's fixtures are torn down first: its savepoint is rolled back
    if nextitem is None or "_shared_world" not in getattr(nextitem, "fixturenames", ()):
        KEPT.close()
    return result


@pytest.fixture
def _shared_world(db: None) -> Shared:
    assert KEPT.shared is not None
    return copy.deepcopy(KEPT.shared)


def _shared(request: pytest.FixtureRequest) -> Shared | None:
    if "_shared_world" in request.fixturenames:
        shared: Shared = request.getfixturevalue("_shared_world")
        return shared
    return None


@pytest.fixture
def world(_shared_world: Shared) -> World:
    return _shared_world.world


# The personas of tests/conftest.py, taken from the kept world when the test uses it.
@pytest.fixture
def workspace(request: pytest.FixtureRequest, db: None) -> Workspace:
    shared = _shared(request)
    return shared.workspace if shared else make_workspace("Acme Cloud")


@pytest.fixture
def author(request: pytest.FixtureRequest, workspace: Workspace) -> User:
    shared = _shared(request)
    return shared.author if shared else make_persona("author", workspace)


@pytest.fixture
def approver(request: pytest.FixtureRequest, workspace: Workspace) -> User:
    shared = _shared(request)
    return shared.approver if shared else make_persona("approver", workspace)


@pytest.fixture
def admin_user(request: pytest.FixtureRequest, workspace: Workspace) -> User:
    shared = _shared(request)
    return shared.admin_user if shared else make_persona("admin_user", workspace)


@pytest.fixture
def sender(request: pytest.FixtureRequest, workspace: Workspace) -> Sender:
    shared = _shared(request)
    return shared.sender if shared else make_sender(workspace)


@pytest.fixture
def ad(request: pytest.FixtureRequest, make_ad: Callable[..., Ad]) -> Ad:
    shared = _shared(request)
    return shared.ad if shared else make_ad()


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name, e.g. "ads:edit"
    route: str  # the pattern, for messages
    int_kwargs: frozenset[str]
    callback: Any


def app_routes() -> list[Route]:
    """Every named URL of the product's own apps (not the admin, not the sandbox)."""
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = ":".join(filter(None, [namespace, entry.namespace or ""]))
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and entry.name:
                kwargs = frozenset(
                    name
                    for name, converter in entry.pattern.converters.items()
                    if converter.regex == "[0-9]+"
                )
                found.append(
                    Route(
                        name=f"{namespace}:{entry.name}" if namespace else entry.name,
                        route=prefix + str(entry.pattern),
                        int_kwargs=kwargs,
                        callback=entry.callback,
                    )
                )

    walk(get_resolver(), "", "")
    return [r for r in found if not r.name.startswith(("admin:", "sandbox:"))]
