"""The "Connect LinkedIn" flow: an unguessable state in the session, the code exchanged once on return."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables

from .client import OAuth, Secret, TokenGrant

SESSION_KEY = "linkedin_oauth"


class OAuthRefused(Exception):
    """The return from LinkedIn can't be trusted or was a refusal; the message says which."""


def redirect_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("linkedin:callback"))


def authorization_base(request: HttpRequest) -> str:
    """Where the browser goes to consent: LinkedIn's page, or in development the sandbox's.

    The sandbox is this very site, so its consent page is at the address the admin opened the site
    at, whatever SITE_URL says: sending the browser to SITE_URL's host instead (127.0.0.1 for a
    site opened as localhost) is a redirect to another origin, which the CSP's `form-action` stops
    without a word on the page. An explicit LINKEDIN_OAUTH_BASE_URL (LinkedIn, or a standalone
    sandbox) is used as it is, and settings allow its origin in `form-action`.
    """
    base = settings.LINKEDIN_OAUTH_BASE_URL
    site = settings.SITE_URL
    if settings.LINKEDIN_SANDBOX and base.startswith(site + "/"):
        return request.build_absolute_uri("/").rstrip("/") + base[len(site) :]
    return base


def start(request: HttpRequest, *, workspace_id: int) -> str:
    """The authorization URL to send the admin to, remembering the state and workspace in the session."""
    state = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = {"state": state, "workspace_id": workspace_id}
    return OAuth(base_url=authorization_base(request)).authorization_url(
        redirect_uri=redirect_uri(request), state=state
    )


@sensitive_variables("code")
def finish(request: HttpRequest) -> tuple[int, TokenGrant]:
    """Check the state LinkedIn passed back (once), exchange the code; returns (workspace_id, grant)."""
    pending = request.session.pop(SESSION_KEY, None)
    state = request.GET.get("state", "")
    if not pending or not state or not secrets.compare_digest(str(pending.get("state", "")), state):
        raise OAuthRefused(
            "The LinkedIn sign-in didn't match one started here. Press “Connect LinkedIn” again."
        )
    if request.GET.get("error"):
        description = request.GET.get("error_description") or request.GET["error"]
        raise OAuthRefused(f"LinkedIn didn't grant access: {description}")
    code = request.GET.get("code", "")
    if not code:
        raise OAuthRefused("LinkedIn sent no authorization code. Press “Connect LinkedIn” again.")
    grant = OAuth().exchange_code(code=Secret(code), redirect_uri=redirect_uri(request))
    return int(pending["workspace_id"]), grant
