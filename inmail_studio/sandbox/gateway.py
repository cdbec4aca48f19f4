"""The checks every REST call passes before a resource sees it, in LinkedIn's order.

version (426) → protocol header (400) → bearer token (401) → injected faults
→ the resource, whose `RestliError` becomes LinkedIn's error JSON. After a
write that took effect (a create, an action, a partial update) the "drop" fault may cut the connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from . import faults, restli, tokens
from .models import AccountRole, AdAccount, Member, Token
from .restli import RestliError


@dataclass(frozen=True)
class Caller:
    """The member a bearer token speaks for, and what the token allows."""

    member: Member
    token: Token

    @property
    def can_write(self) -> bool:
        return bool(self.token.scopes & tokens.WRITE_SCOPES)

    def require_write(self) -> None:
        if not self.can_write:
            raise RestliError(
                403, "ACCESS_DENIED", "Not enough permissions to access: this call needs rw_ads."
            )

    def role_on(self, account: AdAccount) -> AccountRole | None:
        return AccountRole.objects.filter(account=account, member=self.member).first()

    def account(self, account_id: int, *, write: bool) -> AdAccount:
        """The account, if the member has a role on it (a writing role for writes); 404 or 403 otherwise."""
        if write:
            self.require_write()
        account = AdAccount.objects.filter(pk=account_id).first()
        if account is None:
            raise restli.not_found(f"Ad account {account_id}")
        self.check_account(account, write=write)
        return account

    def check_account(self, account: AdAccount, *, write: bool) -> None:
        role = self.role_on(account)
        if role is None or (write and not role.can_write):
            raise RestliError(
                403,
                "ACCESS_DENIED",
                f"Not enough permissions to access: {self.member.urn} has no "
                f"{'writing ' if write else ''}role on {account.urn}.",
            )


def authenticate(request: HttpRequest) -> Caller:
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
    if not token.scopes & tokens.READ_SCOPES:
        raise RestliError(
            403, "ACCESS_DENIED", "Not enough permissions to access: the token has no ads scope."
        )
    return Caller(member=token.member, token=token)


View = Callable[..., HttpResponse]


def endpoint(view: View) -> Callable[..., HttpResponse]:
    """Wrap a resource view `view(request, caller, **kwargs)` in LinkedIn's gateway."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            restli.check_version(request.headers.get("LinkedIn-Version"))
            restli.check_protocol(request)
            caller = authenticate(request)
            injected = faults.for_request(request)
            faults.before(injected)
            response = view(request, caller, *args, **kwargs)
        except RestliError as error:
            return restli.stamp(restli.error_response(error))
        restli.stamp(response)
        # Any write that took effect can lose its answer: a create, and an action (sendTestInMail)
        # or a PARTIAL_UPDATE (a launch's intendedStatus) too.
        took_effect = response.status_code == 201 or (request.method != "GET" and response.status_code < 300)
        if took_effect and faults.should_drop(injected):
            faults.drop_connection(request)
        return response

    return wrapper


def method_not_allowed(request: HttpRequest) -> RestliError:
    method = restli.restli_method(request) or request.method
    return RestliError(405, "METHOD_NOT_ALLOWED", f"{method} is not supported on {request.path}.")
