"""Production refuses the unsafe: development secrets, DEBUG, the sandbox. Secrets come only from the environment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_settings import PRODUCTION, _settings

ROOT = Path(__file__).resolve().parents[2]
SETUP = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'inmail_studio.settings'); django.setup(); "


def test_production_settings_leave_the_sandbox_unmounted() -> None:
    code = SETUP + (
        "from django.conf import settings; from django.urls import resolve, Resolver404\n"
        "try:\n    resolve('/sandbox/linkedin/oauth/v2/accessToken'); print('mounted')\n"
        "except Resolver404:\n    print('absent')\n"
        "print(settings.LINKEDIN_SANDBOX, settings.LINKEDIN_API_BASE_URL, settings.LINKEDIN_SANDBOX_FAULTS or '-')"
    )
    result = _settings(PRODUCTION, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["absent", "False", "https://api.linkedin.com/rest", "-"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LINKEDIN_SANDBOX", "true"),
        ("DEBUG", "1"),
        ("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production"),
        ("LINKEDIN_TOKEN_KEYS", "ZGV2ZWxvcG1lbnQtb25seS1saW5rZWRpbi10b2tlbnM="),
    ],
)
def test_production_refuses_to_start_with_an_unsafe_value(variable: str, value: str) -> None:
    result = _settings({**PRODUCTION, variable: value})
    assert result.returncode != 0, f"production started with {variable}={value}"
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr
    if variable in ("SECRET_KEY", "LINKEDIN_TOKEN_KEYS"):
        assert value not in result.stderr  # the refusal names the variable, never echoes a secret


def test_production_keeps_cookies_secure_and_the_browser_strict() -> None:
    code = SETUP + (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_CONTENT_TYPE_NOSNIFF, s.X_FRAME_OPTIONS, s.DEBUG)"
    )
    result = _settings(PRODUCTION, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "DENY", "False"]


def test_settings_hold_no_secret_other_than_marked_development_defaults() -> None:
    """Secrets are read from the environment; a literal default must say it is for development only."""
    source = (ROOT / "inmail_studio" / "settings.py").read_text()
    for name in ("SECRET_KEY", "LINKEDIN_CLIENT_SECRET", "EMAIL_HOST_PASSWORD"):
        match = re.search(rf"^{name} = env\(\"{name}\"(?:, (.+))?\)$", source, re.MULTILINE)
        assert match, f"{name} is not read from the environment"
        default = match.group(1) or ""
        literal = re.search(rf"^{re.escape(default)} = (.+)$", source, re.MULTILINE) if default else None
        value = literal.group(1) if literal else default
        assert not value.strip('"') or "dev" in value, f"{name} has a default that looks real: {value}"


def test_production_csp_lets_connect_linkedin_reach_linkedins_authorization_page() -> None:
    """form-action covers the redirect of the Connect form to https://www.linkedin.com/oauth/v2/authorization
    (LinkedIn's authorization code flow), and nothing else beyond the site itself."""
    code = SETUP + (
        "from django.conf import settings as s; "
        "print(s.LINKEDIN_OAUTH_BASE_URL, *s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    result = _settings(PRODUCTION, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "https://www.linkedin.com/oauth/v2",
        "'self'",
        "https://www.linkedin.com",
    ]


def test_development_csp_needs_nothing_beyond_self_for_the_sandbox() -> None:
    code = (
        SETUP
        + "from django.conf import settings as s; print(*s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    result = _settings({"INMAIL_TESTING": "1"}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["'self'"]
