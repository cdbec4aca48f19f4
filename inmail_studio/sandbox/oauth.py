"""LinkedIn's OAuth 2.0 three-legged flow, as the sandbox plays it: consent page, token, introspection, revocation."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import restli, tokens
from .gateway import oauth_row, resolve_row
from .models import AuthorizationCode, Member, Token
from .restli import RestliError

DEV_HOSTS = frozenset({"127.0.0.1", "localhost", "testserver"})


def redirect_uri_allowed(uri: str) -> bool:
    """The redirect URIs registered for the app: the site's own, and any local one in development."""
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        return False
    if uri.startswith(settings.SITE_URL + "/"):
        return True
    return not settings.PRODUCTION and (parts.hostname or "") in DEV_HOSTS


def _client_ok(client_id: str, client_secret: str | None = None) -> bool:
    if not hmac.compare_digest(client_id.encode(), settings.LINKEDIN_CLIENT_ID.encode()):
        return False
    return client_secret is None or hmac.compare_digest(
        client_secret.encode(), settings.LINKEDIN_CLIENT_SECRET.encode()
    )


def _stamped(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """LinkedIn's OAuth endpoints answer with an `x-li-uuid` request id too."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        return restli.stamp(view(request))

    return wrapper


def _oauth_error(error: str, description: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=status)


def _back(redirect_uri: str, **params: str) -> HttpResponseRedirect:
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return HttpResponseRedirect(redirect_uri + separator + urlencode({k: v for k, v in params.items() if v}))


@require_http_methods(["GET", "POST"])
def authorization(request: HttpRequest) -> HttpResponse:
    """R01, the consent page: one of the sandbox's members signs in by picking themselves and allows the app.

    The GET is LinkedIn's documented call; the POST is this page's own form (the member's choice).
    """
    if request.method == "GET":
        try:
            resolve_row(request)
        except RestliError as refusal:
            return render(request, "sandbox/authorize_error.html", {"problem": refusal.message}, status=400)
    source = request.POST if request.method == "POST" else request.GET
    client_id = source.get("client_id", "")
    redirect_uri = source.get("redirect_uri", "")
    scope = tokens.normalise_scope(source.get("scope", ""))
    state = source.get("state", "")
    problem = ""
    if source.get("response_type", "code") != "code":
        problem = "response_type must be code."
    elif not _client_ok(client_id):
        problem = f"The application {client_id or '(none)'} is not registered with the sandbox."
    elif not redirect_uri_allowed(redirect_uri):
        problem = f"The redirect_uri {redirect_uri or '(none)'} is not registered for this application."
    if problem:
        return render(request, "sandbox/authorize_error.html", {"problem": problem}, status=400)
    if not scope or tokens.unknown_scopes(scope):
        return _back(
            redirect_uri,
            error="invalid_scope",
            error_description=f"Unknown or missing scope: {', '.join(tokens.unknown_scopes(scope)) or '(none)'}",
            state=state,
        )

    members = list(Member.objects.all())
    form: dict[str, Any] = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state,
        "response_type": "code",
    }
    error = ""
    if request.method == "POST":
        if request.POST.get("decision") == "cancel":
            return _back(
                redirect_uri,
                error="user_cancelled_authorize",
                error_description="The member refused to authorize the application.",
                state=state,
            )
        member = Member.objects.filter(slug=request.POST.get("member", "")).first()
        if member is None:
            error = "Choose the member who signs in."
        else:
            code = tokens.code_issue(
                member=member, client_id=client_id, redirect_uri=redirect_uri, scope=scope
            )
            return _back(redirect_uri, code=code, state=state)
    return render(
        request,
        "sandbox/authorize.html",
        {
            "members": members,
            "form": form,
            "scopes": scope.split(),
            "app_name": "InMail Studio",
            "error": error,
            "chosen": request.POST.get("member", ""),
        },
        status=400 if error else 200,
    )


@csrf_exempt
@_stamped
@require_POST
@oauth_row
def access_token(request: HttpRequest) -> HttpResponse:
    """R02 (authorization_code) and R03 (refresh_token)."""
    grant = request.POST.get("grant_type", "")
    client_id = request.POST.get("client_id", "")
    if not _client_ok(client_id, request.POST.get("client_secret", "")):
        return _oauth_error("invalid_client", "Client authentication failed.", status=401)
    if grant == "authorization_code":
        return _exchange_code(request, client_id)
    if grant == "refresh_token":
        return _refresh(request, client_id)
    return _oauth_error("unsupported_grant_type", f"grant_type {grant or '(none)'} is not supported.")


@transaction.atomic
def _exchange_code(request: HttpRequest, client_id: str) -> HttpResponse:
    code = request.POST.get("code", "")
    row = (
        AuthorizationCode.objects.select_for_update()
        .select_related("member")
        .filter(code_hash=tokens.token_hash(code))
        .first()
    )
    if row is None or row.client_id != client_id:
        return _oauth_error(
            "invalid_request", "Unable to retrieve access token: authorization code not found"
        )
    if row.used_at is not None:
        return _oauth_error(
            "invalid_request", "Unable to retrieve access token: authorization code already used"
        )
    if row.expires_at <= timezone.now():
        return _oauth_error("invalid_request", "Unable to retrieve access token: authorization code expired")
    if request.POST.get("redirect_uri", "") != row.redirect_uri:
        return _oauth_error(
            "invalid_request",
            "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code",
        )
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    issued = tokens.tokens_issue(member=row.member, client_id=client_id, scope=row.scope)
    return JsonResponse(issued.as_json())


@transaction.atomic
def _refresh(request: HttpRequest, client_id: str) -> HttpResponse:
    value = request.POST.get("refresh_token", "")
    refresh = tokens.token_find(value, Token.Kind.REFRESH)
    if refresh is None or refresh.client_id != client_id:
        return _oauth_error("invalid_request", "The provided refresh token is invalid")
    status = tokens.token_status(refresh)
    if status != "active":
        return _oauth_error("invalid_request", f"The provided refresh token is {status}")
    access, row = tokens.access_issue(
        member=refresh.member, client_id=client_id, scope=refresh.scope, refresh=refresh
    )
    # Refreshing does not extend the refresh token: it keeps its original expiry.
    return JsonResponse(tokens.Issued(access, row, value, refresh).as_json())


def _introspection(token: Token) -> dict[str, Any]:
    status = tokens.token_status(token)
    return {
        "active": status == "active",
        "status": status,
        "client_id": token.client_id,
        "authorized_at": int(token.created_at.timestamp()),
        "created_at": int(token.created_at.timestamp()),
        "expires_at": int(token.expires_at.timestamp()),
        "scope": token.scope.replace(" ", ","),
        "auth_type": "3L",
    }


@csrf_exempt
@_stamped
@require_POST
@oauth_row
def introspect_token(request: HttpRequest) -> HttpResponse:
    """R04."""
    if not _client_ok(request.POST.get("client_id", ""), request.POST.get("client_secret", "")):
        return _oauth_error("invalid_client", "Client authentication failed.", status=401)
    value = request.POST.get("token", "")
    token = tokens.token_find(value, Token.Kind.ACCESS) or tokens.token_find(value, Token.Kind.REFRESH)
    if token is None:
        return JsonResponse({"active": False, "status": "revoked"})
    return JsonResponse(_introspection(token))


@csrf_exempt
@_stamped
@require_POST
@oauth_row
def revoke(request: HttpRequest) -> HttpResponse:
    """R05: revoke an access or refresh token (a refresh token takes its access tokens with it)."""
    if not _client_ok(request.POST.get("client_id", ""), request.POST.get("client_secret", "")):
        return _oauth_error("invalid_client", "Client authentication failed.", status=401)
    value = request.POST.get("token", "")
    token = tokens.token_find(value, Token.Kind.ACCESS) or tokens.token_find(value, Token.Kind.REFRESH)
    if token is not None:
        tokens.token_revoke(token=token)
    return HttpResponse(status=200)
