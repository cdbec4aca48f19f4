"""The checks every call passes before a handler sees it, in LinkedIn's order, and the dispatch by
contract row.

contract row (400 NOT_IN_CONTRACT in strict mode) → version (426) → protocol header (400) →
bearer token (401) → the row's scope (403) → injected faults → the handler registered for the
row, whose `RestliError` becomes LinkedIn's error JSON. After a write that took effect
(a create or BATCH_CREATE, an action, a PARTIAL_UPDATE) the "drop" fault may cut the connection.

Every REST path of `urls.py` points at `rest`; which handler answers is decided by the row the
request matches, so each handler names the contract row it serves (`@serves("R17")`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import get_urlconf, reverse
from django.views.decorators.csrf import csrf_exempt

from . import contract, faults, restli, tokens
from .models import AccountRole, AdAccount, Member, Token, unique_or_none
from .restli import RestliError


@dataclass(frozen=True)
class Caller:
    """The member a bearer token speaks for, and what the token allows."""

    member: Member
    token: Token

    @property
    def can_write(self) -> bool:
        return bool(self.token.scopes & tokens.WRITE_SCOPES)

    def has_any(self, scopes: tuple[str, ...]) -> bool:
        return not scopes or bool(self.token.scopes & set(scopes))

    def require_write(self) -> None:
        if not self.can_write:
            raise RestliError(
                403, "ACCESS_DENIED", "Not enough permissions to access: this call needs rw_ads."
            )

    def role_on(self, account: AdAccount) -> AccountRole | None:
        return AccountRole.objects.filter(account=account, member=self.member).first()

    def account(self, account_id: int, *, write: bool) -> AdAccount:
        """The account, if the member has a role on it (a writing role for writes); 404 or 403 otherwise.

        A call that may proceed reads the member's role and the account in one query (the role
        joined to its account: one role per member and account); only a refusal reads the account
        again, to tell an unknown account (404) from one the member has no role on (403)."""
        if write:
            self.require_write()
        role = unique_or_none(
            AccountRole.objects.select_related("account").filter(
                account_id=account_id, member_id=self.member.pk
            )
        )
        if role is not None:
            self._refuse_unless(role.account, role=role, write=write)
            return role.account
        account = unique_or_none(AdAccount.objects.filter(pk=account_id))
        if account is None:
            raise restli.not_found(f"Ad account {account_id}")
        self._refuse_unless(account, role=None, write=write)
        return account

    def check_account(self, account: AdAccount, *, write: bool) -> None:
        self._refuse_unless(account, role=self.role_on(account), write=write)

    def _refuse_unless(self, account: AdAccount, *, role: AccountRole | None, write: bool) -> None:
        if role is None or (write and not role.can_write):
            raise RestliError(
                403,
                "ACCESS_DENIED",
                f"Not enough permissions to access: {self.member.urn} has no "
                f"{'writing ' if write else ''}role on {account.urn}.",
            )


def bearer(request: HttpRequest) -> Caller:
    """The caller a bearer token speaks for; 401 as LinkedIn words it for a missing, bad, revoked or expired one."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise RestliError(401, "EMPTY_ACCESS_TOKEN", "Empty oauth2 access token")
    token = tokens.token_find(value.strip(), Token.Kind.ACCESS)
    if token is None:
        raise RestliError(401, "INVALID_ACCESS_TOKEN", "Invalid access token")
    status = tokens.token_status(token)
    if status == "revoked":
        raise RestliError(
            401, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked by the user"
        )
    if status == "expired":
        raise RestliError(401, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired")
    return Caller(member=token.member, token=token)


def check_scope(caller: Caller, row: contract.Row) -> None:
    """403 when the token holds none of the scopes the row names (the row's `scope` column)."""
    if not caller.has_any(row.scopes):
        raise RestliError(
            403,
            "ACCESS_DENIED",
            f"Not enough permissions to access: {row.method} /{row.path} needs {' or '.join(row.scopes)}.",
        )


# --- rows and their handlers --------------------------------------------------------------------

Handler = Callable[..., HttpResponse]
HANDLERS: dict[str, Handler] = {}


def serves(row_id: str) -> Callable[[Handler], Handler]:
    """Register a handler for one contract row; it is called as `handler(request, caller, **path_keys)`."""
    if row_id not in contract.BY_ID:
        raise KeyError(f"No contract row {row_id}")

    def register(handler: Handler) -> Handler:
        if row_id in HANDLERS:
            raise KeyError(f"Contract row {row_id} already has a handler")
        handler.contract_row = row_id  # type: ignore[attr-defined]
        HANDLERS[row_id] = handler
        return handler

    return register


@functools.cache
def _mount(urlconf: str | None) -> str:
    return reverse("sandbox:home", urlconf=urlconf)


def relative_path(request: HttpRequest) -> str:
    """The path below the sandbox's mount (`rest/inMailContents`), wherever the sandbox is served."""
    mount = _mount(getattr(request, "urlconf", None) or get_urlconf() or settings.ROOT_URLCONF)
    path = request.path
    return path[len(mount) :] if path.startswith(mount) else path.lstrip("/")


def resolve_row(request: HttpRequest) -> contract.Row:
    """The contract row of this request (recorded), or 400 NOT_IN_CONTRACT when none lists it
    (404 when no row has this path at all, as LinkedIn answers an unknown resource)."""
    path = relative_path(request)
    row, reason = contract.match(request, path, strict=settings.SANDBOX_STRICT)
    contract.record(request, path, row, reason)
    if row is None:
        if not contract.path_known(path):
            raise RestliError(404, "NOT_FOUND", f"No resource at {request.path}.")
        raise contract.not_in_contract(reason)
    return row


@csrf_exempt
def rest_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return restli.stamp(
        restli.error_response(RestliError(404, "NOT_FOUND", f"No resource at {request.path}."))
    )


@csrf_exempt
def rest(request: HttpRequest, **path_keys: Any) -> HttpResponse:
    """Every REST path: find the row, pass LinkedIn's gateway checks, call the row's handler."""
    injected: faults.Faults | None = None
    try:
        row = resolve_row(request)
        handler = HANDLERS.get(row.id)
        if handler is None:
            raise RestliError(405, "METHOD_NOT_ALLOWED", f"{row.id} is listed but not served.")
        if row.versioned:
            restli.check_version(request.headers.get("LinkedIn-Version"))
            restli.check_protocol(request)
        caller = bearer(request)
        check_scope(caller, row)
        injected = faults.for_request(request)
        faults.before(injected)
        response = handler(request, caller, **path_keys)
    except RestliError as error:
        return restli.stamp(restli.error_response(error))
    restli.stamp(response)
    # Any write that took effect can lose its answer: a create (or BATCH_CREATE), and an action
    # (sendTestInMail) or a PARTIAL_UPDATE (a launch's intendedStatus) too.
    took_effect = response.status_code == 201 or (request.method != "GET" and response.status_code < 300)
    if injected is not None and took_effect and faults.should_drop(injected):
        faults.drop_connection(request)
    return response


def oauth_row(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Match an OAuth or upload call to its row too; an unlisted form gets OAuth's error shape."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            resolve_row(request)
        except RestliError as error:
            return restli.stamp(
                JsonResponse({"error": "invalid_request", "error_description": error.message}, status=400)
            )
        return view(request, *args, **kwargs)

    return wrapper


def method_not_allowed(request: HttpRequest) -> RestliError:
    method = restli.restli_method(request) or request.method
    return RestliError(405, "METHOD_NOT_ALLOWED", f"{method} is not supported on {request.path}.")
