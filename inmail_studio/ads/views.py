"""The ads room's own pages: history and compare, sample members (personas), senders, the banner
upload, the editor's presence heartbeat and the workspace switch. The editors and the drafts list,
which combine rooms, are in `inmail_studio.studio`.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from inmail_studio import conflicts
from inmail_studio.accounts.models import Membership, User
from inmail_studio.accounts.selectors import current_membership
from inmail_studio.http import HtmxHttpRequest, small_int

from . import selectors, services, snapshots
from .conversation.tree import compare_trees, in_words
from .forms import PersonaFormSet
from .models import Ad, Kind, Persona, Sender


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _require_edit(membership: Membership | None) -> Membership:
    if membership is None or not membership.can_edit:
        raise PermissionDenied("You need the author role in this workspace to write ads.")
    return membership


@login_required
@require_POST
def banner_upload(request: HtmxHttpRequest) -> HttpResponse:
    """Check and store a banner as soon as it is chosen, so the preview can show it before saving."""
    membership = _require_edit(current_membership(request))
    upload = request.FILES.get("banner_file")
    context: dict[str, Any] = {"error": None, "banner_image": None}
    if upload is None:
        context["error"] = "Choose a 300 × 250 JPG or PNG file."
    else:
        try:
            context["banner_image"] = services.banner_upload(
                workspace=membership.workspace, uploader=_user(request), upload=upload
            )
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
    return render(request, "ads/edit.html#banner", context, status=200 if not context["error"] else 422)


@login_required
def history(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    ad = selectors.ad_for(_user(request), ad_id)
    revisions = list(selectors.revisions_of(ad))
    if ad.kind == Kind.CONVERSATION:
        # What each save changed in the tree, in words ("added message “Pricing”, relinked …").
        ordered = sorted(revisions, key=lambda r: r.number)
        for before, after in zip([None, *ordered[:-1]], ordered, strict=True):
            after.in_words = in_words(  # type: ignore[attr-defined]
                compare_trees(before.snapshot.get("tree") if before else None, after.snapshot.get("tree"))
            )
    return render(request, "ads/history.html", {"ad": ad, "revisions": revisions})


@login_required
def compare(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    ad = selectors.ad_for(_user(request), ad_id)
    revisions = {r.number: r for r in selectors.revisions_of(ad)}
    if not revisions:
        return redirect("ads:history", ad.pk)

    def pick(name: str, default: int) -> int:
        value = request.GET.get(name, "")
        number = small_int(value)
        return number if number in revisions else default

    newest = max(revisions)
    after = revisions[pick("b", newest)]
    before = revisions[pick("a", max(after.number - 1, min(revisions)))]
    changes = snapshots.compare(before.snapshot, after.snapshot)
    return render(
        request,
        "ads/compare.html",
        {
            "ad": ad,
            "before": before,
            "after": after,
            "changes": changes,
            "changed_count": sum(c.changed for c in changes),
            "revisions": sorted(revisions.values(), key=lambda r: -r.number),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def personas(request: HtmxHttpRequest) -> HttpResponse:
    membership = current_membership(request)
    workspace = membership.workspace
    queryset = Persona.objects.filter(workspace=workspace)
    conflict, status = None, 200
    version = conflicts.state_token(services.personas_state(workspace.pk))
    if request.method == "POST":
        _require_edit(membership)
        data = conflicts.apply_picks(request.POST)
        expected = conflicts.state_from_token(data.get(conflicts.VERSION_FIELD))
        current = services.personas_state(workspace.pk)
        if expected is not None and expected != current:
            # Checked before validating too: a member someone deleted meanwhile can't validate.
            conflict, data = _personas_conflict(data, expected, current)
        else:
            formset = PersonaFormSet(data, queryset=queryset)
            if formset.is_valid():
                try:
                    services.personas_save(
                        workspace=workspace, editor=_user(request), formset=formset, expected=expected
                    )
                except conflicts.EditConflict as error:
                    conflict, data = _personas_conflict(data, error.context["base"], error.context["current"])
                else:
                    messages.success(request, "Sample members saved.")
                    return redirect("ads:personas")
            else:
                messages.error(request, "Sample members were not saved; see the marked fields.")
                status, version = 422, data.get(conflicts.VERSION_FIELD, "")
        if conflict is not None:
            messages.error(
                request,
                f"Not saved: {conflict.message} Keep yours or take theirs, field by field, then save.",
            )
            status, version = 409, conflict.version
        formset = PersonaFormSet(data, queryset=queryset)
        if status == 422:
            formset.is_valid()
    else:
        formset = PersonaFormSet(queryset=queryset)
    return render(
        request,
        "ads/personas.html",
        {"formset": formset, "membership": membership, "conflict": conflict, "base_version": version},
        status=status,
    )


PERSONA_LABELS = {name: str(field.label or name) for name, field in PersonaFormSet.form.base_fields.items()}


def _personas_conflict(
    data: Any, expected: dict[str, Any], current: dict[str, dict[str, str]]
) -> tuple[conflicts.Conflict, QueryDict]:
    """The sample members as this person has them against what was saved meanwhile, and their form
    rebuilt on the members that exist now: one someone deleted comes back as a new one (nothing
    typed is lost; remove it again if it should go), one someone added stays as it is."""
    total = small_int(data.get("form-TOTAL_FORMS")) or 0
    initial = small_int(data.get("form-INITIAL_FORMS")) or 0
    kept: list[tuple[str, dict[str, str], bool]] = []
    added: list[dict[str, str]] = []
    notes: list[str] = []
    for i in range(total):
        row = {name: data.get(f"form-{i}-{name}", "") for name in services.PERSONA_FIELDS}
        pk, remove = str(data.get(f"form-{i}-id", "")), bool(data.get(f"form-{i}-DELETE"))
        if i < initial and pk in current:
            kept.append((pk, row, remove))
        elif i < initial:
            if not remove:
                notes.append(
                    f"Someone else deleted “{row['label']}”; yours is kept below as a new sample member."
                )
                added.append(row)
        elif any(row.values()):
            added.append(row)
    for pk, persona in current.items():
        if pk not in expected:
            notes.append(f"Someone else added “{persona['label']}”; it stays.")
    rebuilt = QueryDict(mutable=True)
    rebuilt.update(
        {"form-INITIAL_FORMS": str(len(kept)), "form-TOTAL_FORMS": str(len(kept) + len(added) + 1)}
    )
    rebuilt.update({"form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000"})
    fields, mine, theirs, base = [], {}, {}, {}
    for index, (pk, row, remove) in enumerate(kept):
        rebuilt[f"form-{index}-id"] = pk
        if remove:
            rebuilt[f"form-{index}-DELETE"] = "on"
        for name in services.PERSONA_FIELDS:
            key = f"form-{index}-{name}"
            rebuilt[key] = row[name]
            fields.append(
                (key, f"{current[pk]['label'] or 'Sample member'}: {PERSONA_LABELS.get(name, name)}")
            )
            mine[key], theirs[key] = row[name], current[pk][name]
            base[key] = (expected.get(pk) or {}).get(name, "")
    for offset, row in enumerate(added):
        for name in services.PERSONA_FIELDS:
            rebuilt[f"form-{len(kept) + offset}-{name}"] = row[name]
    found = conflicts.field_conflicts(fields=fields, mine=mine, theirs=theirs, base=base)
    return (
        conflicts.Conflict(
            message="Someone else saved the sample members after you opened this page.",
            version=conflicts.state_token(current),
            fields=found,
            extra={"notes": notes},
        ),
        rebuilt,
    )


TAB = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@login_required
@require_POST
def presence(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """The editor's heartbeat (htmx, every EDIT_PRESENCE_BEAT_SECONDS): note this tab, say who else is here."""
    user = _user(request)
    ad = get_object_or_404(selectors.ads_for(user), pk=ad_id)
    tab = request.POST.get("tab", "")
    if not TAB.match(tab):
        return HttpResponse("A tab id of letters, digits, - and _ is needed.", status=400)
    services.presence_beat(ad=ad, user=user, tab=tab)
    return render(request, "ads/_presence.html", {**_presence_context(ad, user, tab=tab), "beat": True})


def _presence_context(ad: Ad, user: User, *, tab: str = "") -> dict[str, Any]:
    from django.conf import settings

    return {
        "ad": ad,
        "presence": selectors.presence_on(ad, user, tab=tab),
        "presence_every": settings.EDIT_PRESENCE_BEAT_SECONDS,
    }


@login_required
def senders(request: HtmxHttpRequest) -> HttpResponse:
    membership = current_membership(request)
    return render(
        request,
        "ads/senders.html",
        {"senders": Sender.objects.filter(workspace=membership.workspace), "membership": membership},
    )


@login_required
@require_POST
def switch_workspace(request: HtmxHttpRequest) -> HttpResponse:
    from inmail_studio.accounts.selectors import SESSION_KEY

    workspace_id = request.POST.get("workspace", "")
    membership = get_object_or_404(Membership, user=_user(request), workspace_id=small_int(workspace_id) or 0)
    request.session[SESSION_KEY] = membership.workspace_id
    messages.info(request, f"Now working in {membership.workspace.name}.")
    if request.htmx:
        return HttpResponseClientRedirect("/ads/")
    return redirect("ads:list")
