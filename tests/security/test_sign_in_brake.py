"""The sign-in brake: every sign-in page, atomic under a parallel burst, keyed on the real client.

Django admin's own sign-in page had no brake, the product's counter read, checked the password,
then wrote (so parallel guesses all passed), and it was keyed on REMOTE_ADDR, the proxy's
address in production (issue 11). Replaces tests/test_sign_in_throttle.py.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import resolve

from inmail_studio.accounts.brake import AdminSignInForm, SignInForm
from inmail_studio.accounts.models import User
from tests.conftest import PASSWORD, make_user

PAGES = {"product": "/accounts/login/", "admin": "/admin/login/"}
LOCKED = "Too many failed sign-ins"


@pytest.fixture
def staff(db: None) -> User:
    return make_user("root", is_staff=True, is_superuser=True)


def _sign_in(client: Client, page: str, username: str, password: str) -> Any:
    return client.post(PAGES[page], {"username": username, "password": password})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("page", sorted(PAGES))
def test_five_wrong_passwords_lock_the_username_on_every_sign_in_page(page: str, staff: User) -> None:
    client = Client()
    for _ in range(4):
        response = _sign_in(client, page, staff.username, "wrong")
        assert response.status_code == 200 and LOCKED not in response.content.decode()
    fifth = _sign_in(client, page, staff.username, "wrong")
    assert LOCKED in fifth.content.decode()
    locked = _sign_in(client, page, staff.username, PASSWORD)
    assert locked.status_code == 200
    html = locked.content.decode()
    assert LOCKED in html and "Wait 15 minutes" in html
    assert 'name="password"' in html  # the sign-in page, with its message, not a bare error page
    assert not _signed_in(client)


def test_failures_on_one_sign_in_page_count_on_the_other(staff: User) -> None:
    client = Client()
    for page in ["admin", "product", "admin", "product", "admin"]:
        _sign_in(client, page, staff.username, "wrong")
    assert LOCKED in _sign_in(client, "product", staff.username, PASSWORD).content.decode()
    assert not _signed_in(client)


def test_a_successful_sign_in_clears_the_failures(author: User) -> None:
    client = Client()
    for _ in range(4):
        _sign_in(client, "product", author.username, "wrong")
    assert _sign_in(client, "product", author.username, PASSWORD).status_code == 302
    other = Client()
    for _ in range(4):
        _sign_in(other, "product", author.username, "wrong")
    assert _sign_in(other, "product", author.username, PASSWORD).status_code == 302


def test_the_failures_live_in_the_database_so_every_process_sees_them(author: User) -> None:
    client = Client()
    for _ in range(5):
        _sign_in(client, "product", author.username, "wrong")
    cache.clear()  # what one process remembers in memory is not what the brake relies on
    assert AccessAttempt.objects.get(username=author.username).failures_since_start == 5
    assert LOCKED in _sign_in(Client(), "product", author.username, PASSWORD).content.decode()


def test_the_lockout_is_per_client_behind_the_trusted_proxy(author: User, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66")
    for _ in range(5):
        _sign_in(attacker, "product", author.username, "wrong")
    # Writing another address in front of the proxy's does not reset the attacker's count...
    dodging = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.66")
    assert LOCKED in _sign_in(dodging, "product", author.username, PASSWORD).content.decode()
    # ...and the real user, behind the same proxy from their own address, is not locked out.
    user = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.10")
    assert _sign_in(user, "product", author.username, PASSWORD).status_code == 302


def test_behind_no_proxy_a_forwarded_header_changes_nothing(author: User, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        spoofing = Client(REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        _sign_in(spoofing, "product", author.username, "wrong")
    again = Client(REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert LOCKED in _sign_in(again, "product", author.username, PASSWORD).content.decode()


def test_every_sign_in_entry_is_braked() -> None:
    """The product's and the admin's login views use the braked forms, and authenticate() itself is
    guarded: axes' backend comes first and refuses any caller that does not pass the request."""
    from django.conf import settings

    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    product = resolve(PAGES["product"]).func
    assert product.view_initkwargs["authentication_form"] is SignInForm  # type: ignore[attr-defined]
    assert admin.site.login_form is AdminSignInForm
    from axes.exceptions import AxesBackendRequestParameterRequired

    with pytest.raises(AxesBackendRequestParameterRequired):
        authenticate(username="someone", password="guess")


class CountingHasher(MD5PasswordHasher):
    """MD5 (the suite's fast hasher) that counts password checks and lingers a little in each, as a
    real hash does, so parallel guesses overlap."""

    algorithm = "counting_md5"
    checks = 0
    _lock = threading.Lock()

    def verify(self, password: str, encoded: str) -> bool:
        with CountingHasher._lock:
            CountingHasher.checks += 1
        time.sleep(0.05)
        return super().verify(password, encoded)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the brake's lock is PostgreSQL's")
def test_a_parallel_burst_of_wrong_guesses_checks_no_more_passwords_than_the_limit(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["tests.security.test_sign_in_brake.CountingHasher"]
    victim = make_user("victim", is_staff=True, is_superuser=True)
    CountingHasher.checks = 0
    guesses = 16
    barrier = threading.Barrier(guesses)
    answers: list[Any] = [None] * guesses

    def guess(i: int) -> None:
        try:
            client = Client()
            barrier.wait()
            page = "admin" if i % 2 else "product"
            answers[i] = _sign_in(client, page, victim.username, f"guess-{i}").status_code
        except Exception as error:
            answers[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [200] * guesses
    assert CountingHasher.checks <= settings.AXES_FAILURE_LIMIT, CountingHasher.checks
    # And the right password, guessed now, is refused too: the burst used up the attempts.
    assert LOCKED in _sign_in(Client(), "product", victim.username, PASSWORD).content.decode()
    assert CountingHasher.checks <= settings.AXES_FAILURE_LIMIT
