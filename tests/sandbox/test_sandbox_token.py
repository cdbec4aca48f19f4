"""`manage.py sandbox_token` prints a token that the API accepts."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command

from inmail_studio.sandbox.models import Token
from inmail_studio.sandbox.tokens import APP_SCOPES

from .conftest import ACCOUNT_ID, Api


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("sandbox_token", *args, stdout=out)
    return out.getvalue().strip()


def test_the_printed_token_works_against_the_api(rest_base: str, sandbox: None) -> None:
    api = Api(rest_base, run())
    assert api.get(f"/adAccounts/{ACCOUNT_ID}").status_code == 200
    token = Token.objects.get(kind=Token.Kind.ACCESS)
    assert token.member.slug == "ada-admin" and token.scopes == set(APP_SCOPES.split())


def test_member_and_scope_can_be_chosen(rest_base: str, sandbox: None, api_as: Callable[..., Api]) -> None:
    api = Api(rest_base, run("--member", "Maya Marketer", "--scope", "r_ads"))
    assert api.get(f"/adAccounts/{ACCOUNT_ID}").status_code == 200
    assert Token.objects.get(kind=Token.Kind.ACCESS).member.slug == "maya-marketer"
    assert api.post("/inMailContents", {}).status_code == 403


def test_an_unknown_member_or_scope_is_explained(sandbox: None) -> None:
    with pytest.raises(CommandError, match="No sandbox member"):
        run("--member", "nobody")
    with pytest.raises(CommandError, match="Unknown scope"):
        run("--scope", "w_everything")
