"""The per-URL sweep, continued: every form gets NUL characters and oversized bodies, and answers a
clear 4xx, never a 500 (issue 11). A NUL reached PostgreSQL (which can't store one) from several
forms; bodies up to 5 MB were read whole. The lists of routes are test_roles.py's, which fail when a
new view is not classified, so a new form joins this sweep too."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad
from inmail_studio.review.models import AuditEvent, Comment, ShareLink
from inmail_studio.review.services import share_token

from .conftest import World, app_routes
from .test_roles import HARMLESS_POSTS, READS, WRITES

ROUTES = {route.name: route for route in app_routes()}
POSTS = sorted(set(WRITES) | HARMLESS_POSTS)


def _url(name: str, world: World) -> str:
    if name == "review:shared":
        return reverse(name, args=[share_token(world.link)])
    if name == "workspace:join":
        return reverse(name, args=["not-a-real-invitation"])
    route = ROUTES[name]
    conversation = "conversation" in name and name != "ads:conversation_new"
    return reverse(name, kwargs=world.kwargs_for(set(route.int_kwargs), conversation=conversation))


def _data(name: str) -> dict[str, Any]:
    base = {k: v for k, v in WRITES.get(name, {}).items() if v is not None}
    if name == "accounts:login":
        base = {"username": "ada", "password": "x"}
    if name == "review:shared":
        base = {"verdict": "approved", "comment": "Fine"}
    return {**base, "comment": base.get("comment", "Looks fine")}


def _state(world: World) -> tuple[object, ...]:
    return (
        Ad.objects.count(),
        AuditEvent.objects.count(),
        Comment.objects.count(),
        ShareLink.objects.count(),
        list(Ad.objects.values_list("name", "subject", "body").order_by("pk")),
    )


@pytest.fixture
def admin_client(world: World, admin_user: User) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("name", POSTS)
def test_a_nul_character_in_any_field_of_any_form_is_a_clear_400_and_saves_nothing(
    name: str, world: World, admin_client: Client
) -> None:
    data = _data(name)
    before = _state(world)
    for field, value in data.items():
        poisoned = {**data, field: f"{value}\x00tail" if isinstance(value, str) else value}
        response = admin_client.post(_url(name, world), poisoned)
        assert response.status_code == 400, (name, field, response.status_code)
        assert "NUL character" in response.content.decode(), (name, field)
    assert _state(world) == before, name


@pytest.mark.parametrize("name", POSTS)
def test_a_nul_character_in_a_field_name_is_refused_too(
    name: str, world: World, admin_client: Client
) -> None:
    response = admin_client.post(_url(name, world), {**_data(name), "x\x00y": "1"})
    assert response.status_code == 400


# The health endpoints answer before any other middleware and read nothing of the request but its path.
HEALTH = {"healthz", "readyz"}


@pytest.mark.parametrize("name", sorted(set(READS) - HEALTH))
def test_a_nul_character_in_a_query_string_is_a_clear_400(
    name: str, world: World, admin_client: Client
) -> None:
    response = admin_client.get(_url(name, world), {"q": "a\x00b", "persona": "\x00"})
    assert response.status_code == 400, name
    assert "NUL character" in response.content.decode()


@pytest.mark.parametrize("name", POSTS)
def test_a_request_over_the_size_limit_is_a_clear_413_to_pages_and_htmx(
    name: str, world: World, admin_client: Client, settings: Any
) -> None:
    settings.MAX_REQUEST_BYTES = 16 * 1024
    before = _state(world)
    data = {**_data(name), "comment": "x" * 32 * 1024}
    page = admin_client.post(_url(name, world), data)
    assert page.status_code == 413, name
    assert "InMail Studio takes at most" in page.content.decode()
    fragment = admin_client.post(_url(name, world), data, headers={"HX-Request": "true"})
    assert fragment.status_code == 413 and fragment["HX-Retarget"] == "#messages", name
    assert _state(world) == before, name


@pytest.mark.parametrize("name", POSTS)
def test_form_text_over_djangos_limit_is_a_clear_413(
    name: str, world: World, admin_client: Client, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024
    response = admin_client.post(_url(name, world), {**_data(name), "comment": "x" * 32 * 1024})
    assert response.status_code == 413, name
    assert "of text" in response.content.decode()


@pytest.mark.parametrize("name", POSTS)
def test_every_text_field_far_over_its_limit_is_never_a_server_error(
    name: str, world: World, admin_client: Client
) -> None:
    data = _data(name)
    big = {k: (v * (100_000 // max(1, len(v)) + 1) if isinstance(v, str) else v) for k, v in data.items()}
    response = admin_client.post(_url(name, world), big)
    assert response.status_code < 500, (name, response.status_code)


def _all_routes() -> list[str]:
    """Every URL pattern of the project (the admin's and the sandbox's included), with sample values."""
    found: list[str] = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                found.append(prefix + str(entry.pattern))

    walk(get_resolver(), "")
    return found


def _sample(route: str) -> str:
    import re

    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<(?:str|slug|path):\w+>", "sample", path)
    path = re.sub(r"<\w+>", "sample", path)
    return "/" + path.replace("^", "").replace("$", "").replace("(?P<rest>.*)", "x").replace(
        "(?P<path>.*)", "x"
    )


@pytest.mark.parametrize("route", _all_routes())
def test_every_url_of_the_project_refuses_a_nul_before_any_view_runs(route: str, db: None) -> None:
    response = Client().post(_sample(route), {"field": "a\x00b"})
    assert response.status_code == 400, (route, response.status_code)


@pytest.mark.parametrize(
    "value",
    ["²", "9" * 5000, "-1", " 1 ", "1e309"],
    ids=["superscript", "5000 digits", "negative", "spaced", "float"],
)
@pytest.mark.parametrize("name", POSTS)
def test_numbers_that_python_cannot_read_are_never_a_server_error(
    name: str, value: str, world: World, admin_client: Client
) -> None:
    data = {k: value for k in _data(name)} | {
        "days": value,
        "page": value,
        "persona": value,
        "workspace": value,
    }
    response = admin_client.post(_url(name, world), data)
    assert response.status_code < 500, (name, response.status_code)
    response = admin_client.get(_url(name, world), {"page": value, "m": value, "a": value, "b": value})
    assert response.status_code < 500, (name, response.status_code)


@pytest.mark.parametrize("value", ["²", "9" * 5000], ids=["superscript", "5000 digits"])
@pytest.mark.parametrize("name", sorted(READS))
def test_query_numbers_that_python_cannot_read_are_never_a_server_error(
    name: str, value: str, world: World, admin_client: Client
) -> None:
    query = {
        key: value for key in ("page", "m", "a", "b", "rev", "persona", "device", "sender", "state", "path")
    }
    response = admin_client.get(_url(name, world), query)
    assert response.status_code < 500, (name, response.status_code)
