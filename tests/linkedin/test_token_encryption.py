"""Tokens at rest: encrypted with rotatable Fernet keys, and never shown in a repr, the admin or a log."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.utils import timezone

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.linkedin import encryption
from inmail_studio.linkedin.client import LinkedIn, Secret
from inmail_studio.linkedin.models import LinkedInConnection
from tests.conftest import client_for

TOKEN = "AQX-very-secret-access-token"


def _connection(workspace: Workspace) -> LinkedInConnection:
    connection = LinkedInConnection(workspace=workspace)
    connection.set_tokens(
        access=Secret(TOKEN),
        expires_at=timezone.now() + timedelta(days=60),
        refresh=Secret("refresh-" + TOKEN),
        refresh_expires_at=None,
    )
    connection.save()
    return connection


def test_tokens_are_stored_encrypted_and_read_back(workspace: Workspace) -> None:
    connection = _connection(workspace)
    stored = LinkedInConnection.objects.values_list("access_token_ciphertext", flat=True).get(
        pk=connection.pk
    )
    assert TOKEN not in stored
    assert LinkedInConnection.objects.get(pk=connection.pk).access_token.reveal() == TOKEN


def test_rotating_keys_keeps_old_tokens_readable_and_reencrypts_them(
    workspace: Workspace, settings: Any
) -> None:
    connection = _connection(workspace)
    old_key = settings.LINKEDIN_TOKEN_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.LINKEDIN_TOKEN_KEYS = [new_key, old_key]
    assert LinkedInConnection.objects.get(pk=connection.pk).access_token.reveal() == TOKEN
    call_command("rotate_linkedin_tokens")
    settings.LINKEDIN_TOKEN_KEYS = [new_key]
    assert LinkedInConnection.objects.get(pk=connection.pk).access_token.reveal() == TOKEN
    settings.LINKEDIN_TOKEN_KEYS = [old_key]
    with pytest.raises(encryption.UnreadableToken):
        _ = LinkedInConnection.objects.get(pk=connection.pk).access_token


def test_no_token_shows_in_reprs_or_logs(workspace: Workspace, caplog: Any) -> None:
    connection = _connection(workspace)
    client = LinkedIn(token=connection.access_token, base_url="http://127.0.0.1:9")
    caplog.set_level(logging.DEBUG)
    logging.getLogger("test").info(
        "connection %r client %r token %s", connection, client, connection.access_token
    )
    text = repr(connection) + str(connection) + repr(client) + repr(connection.access_token) + caplog.text
    assert TOKEN not in text


def test_the_admin_never_shows_a_token(workspace: Workspace) -> None:
    connection = _connection(workspace)
    superuser = User.objects.create_superuser("root", "root@example.com", "x")
    response = client_for(superuser).get(f"/admin/linkedin/linkedinconnection/{connection.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert TOKEN not in body
    assert connection.access_token_ciphertext not in body


def test_production_refuses_to_start_without_token_keys() -> None:
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "example.com",
        "DATABASE_URL": "sqlite:///tmp/x.db",
        "LINKEDIN_TOKEN_KEYS": "",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "inmail_studio.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "LINKEDIN_TOKEN_KEYS" in result.stderr
