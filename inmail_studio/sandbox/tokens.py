"""OAuth codes and tokens of the sandbox: issued at random, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import AuthorizationCode, Member, Token, unique_or_none

# The scopes the sandbox's consent page grants: the Advertising API's (LinkedIn's "Increasing access"
# page) and OpenID Connect's (openid, profile, email). Which call needs which is in the contract.
SCOPES = ("r_ads", "rw_ads", "r_ads_reporting", "r_basicprofile", "openid", "profile", "email")
WRITE_SCOPES = frozenset({"rw_ads"})
# What the app asks for (and what `sandbox_token` grants by default).
APP_SCOPES = "r_ads rw_ads r_ads_reporting openid profile"
# LinkedIn's authorization codes live 30 minutes.
CODE_TTL = timedelta(minutes=30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_scope(scope: str) -> str:
    """`r_ads rw_ads`, `r_ads,rw_ads` or `r_ads%20rw_ads` as one canonical, sorted, space-separated string."""
    return " ".join(sorted({s for s in scope.replace(",", " ").split() if s}))


def unknown_scopes(scope: str) -> list[str]:
    return [s for s in normalise_scope(scope).split() if s not in SCOPES]


def access_ttl() -> timedelta:
    return timedelta(seconds=settings.SANDBOX_ACCESS_TOKEN_TTL)


def refresh_ttl() -> timedelta:
    return timedelta(seconds=settings.SANDBOX_REFRESH_TOKEN_TTL)


@dataclass(frozen=True)
class Issued:
    """What the token endpoint answers; the only moment the token strings exist outside a request."""

    access_token: str
    access: Token
    refresh_token: str
    refresh: Token

    def as_json(self) -> dict[str, object]:
        now = timezone.now()
        return {
            "access_token": self.access_token,
            "expires_in": int((self.access.expires_at - now).total_seconds()),
            "refresh_token": self.refresh_token,
            "refresh_token_expires_in": max(0, int((self.refresh.expires_at - now).total_seconds())),
            "scope": self.access.scope.replace(" ", ","),
            "token_type": "Bearer",
        }


def _new_token(prefix: str) -> str:
    return f"{prefix}{secrets.token_urlsafe(48)}"


def code_issue(*, member: Member, client_id: str, redirect_uri: str, scope: str) -> str:
    code = secrets.token_urlsafe(32)
    AuthorizationCode.objects.create(
        code_hash=token_hash(code),
        member=member,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=normalise_scope(scope),
        expires_at=timezone.now() + CODE_TTL,
    )
    return code


def _token_create(
    *,
    kind: str,
    prefix: str,
    ttl: timedelta,
    member: Member,
    client_id: str,
    scope: str,
    refresh: Token | None = None,
) -> tuple[str, Token]:
    """A new token string and its stored row (the hash and the last six characters, never the token)."""
    token = _new_token(prefix)
    row = Token.objects.create(
        kind=kind,
        token_hash=token_hash(token),
        hint=token[-6:],
        member=member,
        client_id=client_id,
        scope=normalise_scope(scope),
        refresh=refresh,
        expires_at=timezone.now() + ttl,
    )
    return token, row


def access_issue(*, member: Member, client_id: str, scope: str, refresh: Token | None) -> tuple[str, Token]:
    return _token_create(
        kind=Token.Kind.ACCESS,
        prefix="AQV",
        ttl=access_ttl(),
        member=member,
        client_id=client_id,
        scope=scope,
        refresh=refresh,
    )


@transaction.atomic
def tokens_issue(*, member: Member, client_id: str, scope: str) -> Issued:
    """A fresh refresh token and an access token under it (the authorization-code grant)."""
    refresh_token, refresh = _token_create(
        kind=Token.Kind.REFRESH,
        prefix="AQX",
        ttl=refresh_ttl(),
        member=member,
        client_id=client_id,
        scope=scope,
    )
    access_token, access = access_issue(member=member, client_id=client_id, scope=scope, refresh=refresh)
    return Issued(access_token, access, refresh_token, refresh)


def token_find(token: str, kind: str) -> Token | None:
    return unique_or_none(
        Token.objects.select_related("member").filter(token_hash=token_hash(token), kind=kind)
    )


def token_status(token: Token) -> str:
    """`active`, `expired` or `revoked`, as introspectToken names them."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= timezone.now():
        return "expired"
    return "active"


def token_revoke(*, token: Token) -> None:
    """Revoke a token; revoking a refresh token revokes every access token issued from it too."""
    now = timezone.now()
    Token.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if token.kind == Token.Kind.REFRESH:
        token.access_tokens.filter(revoked_at__isnull=True).update(revoked_at=now)


def sandbox_token_issue(*, member: Member, scope: str = APP_SCOPES, client_id: str = "") -> str:
    """An access token for scripts and curl (the `sandbox_token` command)."""
    issued = tokens_issue(member=member, client_id=client_id or settings.LINKEDIN_CLIENT_ID, scope=scope)
    return issued.access_token
