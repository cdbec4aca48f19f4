"""The ad account's lead gen forms, read from LinkedIn for the editors' lead-form pickers.

One read call, contract row R37 (`GET /rest/leadForms?q=owner&owner=(sponsoredAccount:…)`, served by
the sandbox in `sandbox/api.py::lead_forms`; documented at LinkedIn's Lead Sync page,
https://learn.microsoft.com/en-us/linkedin/marketing/lead-sync/leadsync). The answer is cached per
account for a few minutes: a picker opened on every message of a conversation must not call LinkedIn
each time, and a form published a minute ago shows up after "Refresh".

LinkedIn failing is never an error page here: the editors keep the URN text box and say why.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache

from inmail_studio.accounts.models import Workspace

from .client import LinkedInError
from .services import NotConnected, client_for

log = logging.getLogger(__name__)

CACHE_SECONDS = 300
# No account has more lead forms than this that a picker should list (LinkedIn's own list pages by 100).
MAX_FORMS = 500
PUBLISHED = "PUBLISHED"
STATE_WORDS = {"PUBLISHED": "published", "DRAFT": "draft, not published", "ARCHIVED": "archived"}


@dataclass(frozen=True)
class LeadForm:
    urn: str
    name: str
    state: str

    @property
    def usable(self) -> bool:
        """LinkedIn opens only published forms for members."""
        return self.state == PUBLISHED

    @property
    def state_label(self) -> str:
        return STATE_WORDS.get(self.state, self.state.lower())


@dataclass(frozen=True)
class LeadForms:
    forms: tuple[LeadForm, ...] = ()
    problem: str = ""  # why there is no list (not connected, LinkedIn unreachable); empty when listed

    def named(self, urn: str) -> LeadForm | None:
        return next((f for f in self.forms if f.urn == urn), None)


def _key(account_urn: str) -> str:
    return "leadforms:" + hashlib.sha256(account_urn.encode()).hexdigest()[:32]


def _form(element: dict[str, object]) -> LeadForm | None:
    number = element.get("id")
    if not isinstance(number, int | str) or not str(number).isdigit():
        return None
    return LeadForm(
        urn=f"urn:li:adForm:{number}",
        name=str(element.get("name") or "")[:255] or f"Form {number}",
        state=str(element.get("state") or "").upper()[:20],
    )


def lead_forms(workspace: Workspace, *, fresh: bool = False) -> LeadForms:
    """The account's lead gen forms, published first then by name (cached `CACHE_SECONDS`)."""
    if not workspace.ad_account_urn:
        return LeadForms(problem="Choose the workspace's LinkedIn ad account to pick from its lead forms.")
    key = _key(workspace.ad_account_urn)
    if not fresh:
        cached = cache.get(key)
        if isinstance(cached, LeadForms):
            return cached
    try:
        elements = client_for(workspace).finder(
            "leadForms", "owner", {"owner": {"sponsoredAccount": workspace.ad_account_urn}}
        )
    except NotConnected as error:
        return LeadForms(problem=str(error))
    except LinkedInError as error:
        log.warning("Listing lead forms of workspace %s failed: %s", workspace.pk, error.explain())
        return LeadForms(
            problem="LinkedIn didn't list the account's lead forms just now; type the form's URN."
        )
    found = [f for f in (_form(e) for e in elements[:MAX_FORMS] if isinstance(e, dict)) if f is not None]
    found.sort(key=lambda f: (not f.usable, f.name.casefold(), f.urn))
    result = LeadForms(forms=tuple(found))
    cache.set(key, result, CACHE_SECONDS)
    return result
