"""CSRF on every state-changing view, csrf_exempt only where a bearer token or client secret
authenticates (the sandbox's REST, upload and OAuth token endpoints), and GET changing nothing."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from inmail_studio.accounts.models import User

from .conftest import World, app_routes
from .test_roles import READS

ALL_APP_ROUTES = app_routes()


@pytest.mark.parametrize("route", ALL_APP_ROUTES, ids=lambda r: r.name)
def test_a_post_without_a_csrf_token_is_refused_everywhere(
    route: object, world: World, admin_user: User
) -> None:
    name = route.name  # type: ignore[attr-defined]
    if name in ("review:shared", "workspace:join"):
        url = reverse(name, args=["x"])
    else:
        conversation = "conversation" in name and name != "ads:conversation_new"
        url = reverse(name, kwargs=world.kwargs_for(set(route.int_kwargs), conversation=conversation))  # type: ignore[attr-defined]
    client = Client(enforce_csrf_checks=True)
    if name != "accounts:login":
        client.force_login(admin_user)
    response = client.post(url, {"decision": "approve", "username": "ada", "password": "x"})
    assert response.status_code == 403, f"POST {url} -> {response.status_code}"
    assert b"CSRF" in response.content


def _all_patterns() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                found.append((prefix + str(entry.pattern), entry.callback))

    walk(get_resolver(), "")
    return found


# Machine-to-machine endpoints of the sandbox: a browser's cookies are not what authenticates them.
EXEMPT_ALLOWED = re.compile(
    r"^sandbox/linkedin/(\^?rest/.*|upload/images/.*|oauth/v2/(accessToken|introspectToken|revoke))$"
)


def test_only_the_sandboxs_token_authenticated_endpoints_are_csrf_exempt() -> None:
    exempt = [route for route, callback in _all_patterns() if getattr(callback, "csrf_exempt", False)]
    assert exempt, "the sandbox's REST endpoints are expected to be exempt"
    assert [route for route in exempt if not EXEMPT_ALLOWED.match(route)] == []


def test_the_sandbox_consent_page_is_not_csrf_exempt() -> None:
    consent = [cb for route, cb in _all_patterns() if route.endswith("oauth/v2/authorization")]
    assert consent and not getattr(consent[0], "csrf_exempt", False)


# GET views that write on purpose: opening a notification marks that one (the user's own) read,
# and LinkedIn's OAuth return is a GET by the protocol (guarded by the single-use state).
GET_WRITES_ALLOWED = {"review:notification_open", "linkedin:callback"}
WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b(?!.*\"django_session\")", re.IGNORECASE | re.DOTALL)


@pytest.mark.parametrize("name", sorted(READS - GET_WRITES_ALLOWED))
@pytest.mark.parametrize("persona", ["admin_user", "viewer", "approver"])
def test_a_get_changes_nothing(name: str, persona: str, world: World, request: pytest.FixtureRequest) -> None:
    route = next(r for r in ALL_APP_ROUTES if r.name == name)
    conversation = "conversation" in name
    url = reverse(name, kwargs=world.kwargs_for(set(route.int_kwargs), conversation=conversation))
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    client.get(reverse("ads:list"))  # the session exists before we watch
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code < 500
    writes = [q["sql"] for q in queries.captured_queries if WRITE_SQL.match(q["sql"])]
    assert writes == [], f"GET {url} wrote: {writes}"
