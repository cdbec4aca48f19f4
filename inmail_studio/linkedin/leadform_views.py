"""The lead-form picker: a fragment both editors load beside their lead-gen form URN field."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from inmail_studio.accounts.selectors import current_membership
from inmail_studio.http import HtmxHttpRequest

from . import leadforms

# The id of the URN input the picker fills: the editors' own ids, nothing else.
FIELD_ID = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")
# "Refresh" asks LinkedIn again at most this often per account.
REFRESH_SECONDS = 15


@login_required
@require_GET
def lead_form_picker(request: HtmxHttpRequest) -> HttpResponse:
    """The account's lead forms as a choice that fills the field `?for=` (any member may read them)."""
    field_id = request.GET.get("for", "")
    if not FIELD_ID.match(field_id):
        raise Http404("No such field.")
    workspace = current_membership(request).workspace
    fresh = False
    if request.GET.get("fresh") and workspace.ad_account_urn:
        # cache.add succeeds only when no refresh happened in the last REFRESH_SECONDS: cost bounded.
        fresh = cache.add(f"leadforms-refresh:{workspace.pk}", 1, REFRESH_SECONDS)
    found = leadforms.lead_forms(workspace, fresh=fresh)
    return render(
        request,
        "linkedin/_lead_form_picker.html",
        {"field_id": field_id, "found": found, "refreshed": bool(request.GET.get("fresh"))},
    )
