from __future__ import annotations

from django.core.cache import cache
from django.test import Client

from inmail_studio.accounts.models import User

from .conftest import PASSWORD


def _sign_in(client: Client, username: str, password: str) -> int:
    return client.post("/accounts/login/", {"username": username, "password": password}).status_code


def test_five_wrong_passwords_lock_the_username_for_a_while(author: User) -> None:
    cache.clear()
    client = Client()
    for _ in range(5):
        assert _sign_in(client, author.username, "wrong") == 200
    response = client.post("/accounts/login/", {"username": author.username, "password": PASSWORD})
    assert response.status_code == 200
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_clears_the_failures(author: User) -> None:
    cache.clear()
    client = Client()
    for _ in range(4):
        _sign_in(client, author.username, "wrong")
    assert _sign_in(client, author.username, PASSWORD) == 302
    Client().logout()
    other = Client()
    for _ in range(4):
        _sign_in(other, author.username, "wrong")
    assert _sign_in(other, author.username, PASSWORD) == 302
