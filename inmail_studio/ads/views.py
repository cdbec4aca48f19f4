"""Pages for drafting ads: the drafts list, the editor with its live preview, history and personas."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from inmail_studio import conflicts
from inmail_studio.accounts.models import Membership, User
from inmail_studio.accounts.selectors import current_membership, membership_for
from inmail_studio.guidance import context as guidance
from inmail_studio.guidance import selectors as guidance_selectors
from inmail_studio.guidance import services as guidance_services
from inmail_studio.http import HtmxHttpRequest, small_int

from . import limits, preview, selectors, services, snapshots
from .forms import AdForm, DraftFilterForm, PersonaFormSet
from .models import Ad, CtaKind, Image, Kind, Persona, Sender

PAGE_SIZE = 25
log = logging.getLogger(__name__)


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _require_edit(membership: Membership | None) -> Membership:
    if membership is None or not membership.can_edit:
        raise PermissionDenied("You need the author role in this workspace to write ads.")
    return membership


@login_required
def drafts(request: HtmxHttpRequest) -> HttpResponse:
    membership = current_membership(request)
    workspace = membership.workspace
    form = DraftFilterForm(request.GET or None, workspace=workspace)
    filters: dict[str, Any] = {}
    if form.is_valid():
        sender = form.cleaned_data.get("sender")
        filters = {
            "q": form.cleaned_data.get("q", "").strip(),
            "state": form.cleaned_data.get("state", ""),
            "sender_id": sender.pk if sender else None,
        }
    ads = selectors.drafts_list(_user(request), workspace_id=workspace.pk, **filters).select_related(
        *guidance_selectors.SCORE_RELATED
    )
    page = Paginator(ads, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "membership": membership,
        "form": form,
        "page": page,
        "filtered": any(filters.values()),
        "query": query.urlencode(),
        "scores": guidance_selectors.scores_for(page.object_list),
        "results": guidance_selectors.results_for(page.object_list),
    }
    template = (
        "ads/drafts.html#results" if request.htmx and request.htmx.target == "results" else "ads/drafts.html"
    )
    return render(request, template, context)


def _personas(workspace_id: int) -> list[preview.PreviewMember]:
    members = [
        preview.PreviewMember(str(p.pk), p.label, p.as_member())
        for p in Persona.objects.filter(workspace_id=workspace_id)
    ]
    return [*members, preview.FALLBACK_MEMBER]


def _chosen_member(request: HtmxHttpRequest, members: list[preview.PreviewMember]) -> preview.PreviewMember:
    key = (
        request.POST.get("persona")
        or request.GET.get("persona")
        or request.session.get("preview_persona", "")
    )
    chosen = next((m for m in members if m.key == key), members[0])
    if request.session.get("preview_persona") != chosen.key:  # a session write per keystroke costs 3 queries
        request.session["preview_persona"] = chosen.key
    return chosen


def _chosen_device(request: HtmxHttpRequest) -> str:
    device = request.POST.get("device") or request.GET.get("device") or request.session.get("preview_device")
    device = device if device in preview.DEVICES else "desktop"
    if request.session.get("preview_device") != device:
        request.session["preview_device"] = device
    return device


def _snapshot_from_data(data: Any, workspace_id: int, ad: Ad | None = None) -> dict[str, Any]:
    """A snapshot of what is in the form right now, valid or not, for the live preview."""

    def pk(name: str) -> int | None:
        value = data.get(name, "")
        return small_int(value)

    sender_id, banner_id = pk("sender"), pk("banner")
    sender = Sender.objects.filter(workspace_id=workspace_id, pk=sender_id).first() if sender_id else None
    banner = Image.objects.filter(workspace_id=workspace_id, pk=banner_id).first() if banner_id else None
    cta_kind = data.get("cta_kind") if data.get("cta_kind") in CtaKind.values else CtaKind.LANDING_PAGE
    body = data.get("body", "")
    return snapshots.build(
        kind=ad.kind if ad else "message",
        name=data.get("name", ""),
        sender=sender,
        subject=data.get("subject", ""),
        # A raw body far too long is never parsed: the preview shows none, its counter says why.
        body="" if limits.raw_body_error(body) else body,
        footer=data.get("footer", ""),
        cta_kind=cta_kind,
        cta_text=data.get("cta_text", ""),
        landing_page_url=data.get("landing_page_url", ""),
        lead_form_urn=data.get("lead_form_urn", ""),
        banner=banner,
    )


def _counters(data: Any, sanitized_body: str | None = None) -> dict[str, list[limits.Measure]]:
    """The live counters under each limited field, keyed by field name.

    Pass the body the snapshot already sanitized, to spare a second sanitizer pass per keystroke.
    """
    raw_body = data.get("body", "")
    if limits.raw_body_error(raw_body):
        body = [limits.Measure(limits.BODY_RAW, len(raw_body))]
    else:
        body = limits.measure_body(
            snapshots.sanitize_body(raw_body) if sanitized_body is None else sanitized_body
        )
    return {
        "name": [limits.measure_plain(limits.AD_NAME, data.get("name", ""))],
        "subject": [limits.measure_plain(limits.SUBJECT, data.get("subject", ""))],
        "body": body,
        "cta_text": [limits.measure_plain(limits.CTA_TEXT, data.get("cta_text", ""))],
        "landing_page_url": [limits.measure_plain(limits.LANDING_PAGE_URL, data.get("landing_page_url", ""))],
        "footer": [limits.measure_plain(limits.FOOTER, data.get("footer", ""))],
    }


def _preview_context(request: HtmxHttpRequest, snapshot: dict[str, Any], workspace_id: int) -> dict[str, Any]:
    members = _personas(workspace_id)
    member = _chosen_member(request, members)
    return {
        **preview.frame(snapshot, member, _chosen_device(request)),
        "members": members,
        "member": member,
        "macro_problems": preview.macro_problems(snapshot),
    }


def _editor(
    request: HtmxHttpRequest,
    *,
    form: AdForm,
    membership: Membership,
    ad: Ad | None,
    status: int = 200,
    conflict: conflicts.Conflict | None = None,
) -> HttpResponse:
    data = form.data if form.is_bound else {name: form[name].value() or "" for name in form.fields}
    snapshot = _snapshot_from_data(data, membership.workspace_id, ad)
    banner = (
        Image.objects.filter(workspace_id=membership.workspace_id, pk=snapshot["banner"]["id"]).first()
        if snapshot["banner"]
        else None
    )
    context = {
        "form": form,
        "ad": ad,
        "membership": membership,
        "counters": _counters(data, snapshot["body"]),
        "banner_image": banner,
        "editable": ad is None or not ad.is_locked,
        "read_only": (ad is not None and ad.is_locked) or not membership.can_edit,
        **_preview_context(request, snapshot, membership.workspace_id),
        "checklist": guidance.checklist_for(snapshot, ad=ad, workspace_id=membership.workspace_id, data=data),
        "conflict": conflict,
        "plan_version": form.data.get("plan_version", "")
        if form.is_bound
        else guidance_services.plan_version(ad),
        **(_presence_context(ad, _user(request)) if ad is not None else {}),
        # The revision the form stands on: a re-rendered form keeps the one it was loaded from (a
        # newer revision saved meanwhile must still be caught), a conflict moves it to the newest.
        "base_version": conflict.version
        if conflict
        else (form.data.get(conflicts.VERSION_FIELD, "") if form.is_bound else _revision_number(ad)),
    }
    return render(request, "ads/edit.html", context, status=status)


def _revision_number(ad: Ad | None) -> str:
    revision = ad.current_revision if ad is not None else None
    return str(revision.number) if revision is not None else ""


def _snapshot_values(snapshot: dict[str, Any]) -> dict[str, str]:
    """A snapshot's fields as the editor's form posts them (a sender or banner by its id)."""
    values = {name: str(snapshot.get(name) or "") for name, _ in snapshots.FIELDS}
    for name in ("sender", "banner"):
        values[name] = str(snapshot[name]["id"]) if snapshot.get(name) else ""
    return values


def _shown(snapshot: dict[str, Any]) -> dict[str, str]:
    return {name: snapshots.display_value(snapshot, name) for name, _ in snapshots.FIELDS}


def _ad_conflict(error: conflicts.EditConflict, data: Any, ad: Ad) -> conflicts.Conflict:
    """Field by field: what the person has in the form against the revision saved meanwhile."""
    base, current = error.context["base"], error.context["current"]
    mine = _snapshot_from_data(data, ad.workspace_id, ad)
    return conflicts.Conflict(
        message=error.message,
        version=error.version,
        by=error.by,
        at=error.at,
        fields=conflicts.field_conflicts(
            fields=snapshots.FIELDS,
            mine=_snapshot_values(mine),
            theirs=_snapshot_values(current.snapshot),
            base=_snapshot_values(base.snapshot) if base is not None else None,
            mine_shown=_shown(mine),
            theirs_shown=_shown(current.snapshot),
        ),
    )


DATABASE_TROUBLE = (
    "The database didn't answer in time, so nothing was saved. Everything you typed is still here; "
    "try saving again in a moment."
)


def _save_banner_upload(request: HtmxHttpRequest, form: AdForm, membership: Membership) -> bool:
    """Without JavaScript the banner arrives with the form; check and store it like the htmx upload."""
    upload = request.FILES.get("banner_file")
    if not upload:
        return True
    try:
        image = services.banner_upload(workspace=membership.workspace, uploader=_user(request), upload=upload)
    except ValidationError as error:
        form.add_error("banner_file", error)
        return False
    form.cleaned_data["banner"] = image
    return True


@login_required
@require_http_methods(["GET", "POST"])
def ad_new(request: HtmxHttpRequest) -> HttpResponse:
    membership = _require_edit(current_membership(request))
    if request.method == "POST":
        form = AdForm(request.POST, request.FILES, workspace=membership.workspace)
        if form.is_valid() and _save_banner_upload(request, form, membership):
            try:
                ad = services.ad_create(
                    workspace=membership.workspace, author=_user(request), fields=form.model_fields()
                )
            except ValidationError as error:
                form.add_error(None, error)
            except (OperationalError, InterfaceError):
                log.exception("Saving a new ad failed on the database")
                messages.error(request, DATABASE_TROUBLE)
                return _editor(request, form=form, membership=membership, ad=None, status=503)
            else:
                guidance_services.plan_save_from_editor(ad=ad, editor=_user(request), data=request.POST)
                messages.success(request, f"“{ad.name}” saved as revision 1.")
                return redirect("ads:edit", ad.pk)
        messages.error(
            request,
            "The draft was not saved. Fix the fields marked below; everything you typed is still here.",
        )
        return _editor(request, form=form, membership=membership, ad=None, status=422)
    form = AdForm(workspace=membership.workspace, initial={"cta_text": "Learn more"})
    return _editor(request, form=form, membership=membership, ad=None)


@login_required
@require_http_methods(["GET", "POST"])
def ad_edit(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    user = _user(request)
    ad = selectors.ad_for(user, ad_id)
    if ad.kind == Kind.CONVERSATION:
        # Notifications, the review page and `get_absolute_url` link every ad through `ads:edit`;
        # a conversation's tree has an editor of its own, and this form knows nothing of it.
        return redirect("ads:conversation", ad.pk)
    membership = membership_for(user, ad.workspace_id)
    assert membership is not None
    if request.method == "POST":
        _require_edit(membership)
        data = conflicts.apply_picks(request.POST)
        form = AdForm(data, request.FILES, instance=ad, workspace=ad.workspace)
        if form.is_valid() and _save_banner_upload(request, form, membership):
            try:
                try:
                    result = services.ad_update(
                        ad_id=ad.pk,
                        editor=user,
                        fields=form.model_fields(),
                        base_revision=small_int(data.get(conflicts.VERSION_FIELD)),
                    )
                except conflicts.EditConflict as error:
                    if _ad_conflict(error, data, ad).fields:
                        raise
                    # Someone saved meanwhile, but every field is as this person has it: no conflict.
                    result = services.ad_update(
                        ad_id=ad.pk, editor=user, fields=form.model_fields(), base_revision=int(error.version)
                    )
            except services.AdLocked as error:
                ad.refresh_from_db()
                messages.error(
                    request, f"{error} Nothing was saved; what you typed is below so you can copy it."
                )
                return _editor(request, form=form, membership=membership, ad=ad, status=409)
            except conflicts.EditConflict as error:
                conflict = _ad_conflict(error, data, ad)
                ad.refresh_from_db()
                messages.error(
                    request,
                    f"Not saved: {error.message} Compare the two versions below, keep yours or take "
                    "theirs field by field, then save again. Nothing you typed is lost.",
                )
                return _editor(
                    request, form=form, membership=membership, ad=ad, status=409, conflict=conflict
                )
            except (OperationalError, InterfaceError):
                log.exception("Saving ad %s failed on the database", ad.pk)
                messages.error(request, DATABASE_TROUBLE)
                return _editor(request, form=form, membership=membership, ad=ad, status=503)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                plan_changed = guidance_services.plan_save_from_editor(ad=ad, editor=user, data=data)
                if result.revision is None:
                    messages.info(request, "Offer saved." if plan_changed else "No changes to save.")
                else:
                    messages.success(request, f"Saved as revision {result.revision.number}.")
                return redirect("ads:edit", ad.pk)
        messages.error(
            request,
            "The draft was not saved. Fix the fields marked below; everything you typed is still here.",
        )
        return _editor(request, form=form, membership=membership, ad=ad, status=422)
    form = AdForm(instance=ad, workspace=ad.workspace)
    return _editor(request, form=form, membership=membership, ad=ad)


@login_required
@require_POST
def ad_preview(request: HtmxHttpRequest, ad_id: int | None = None) -> HttpResponse:
    """The live preview: renders what is in the form now, without saving anything."""
    user = _user(request)
    if ad_id is None:
        ad = None
        workspace_id = current_membership(request).workspace_id
    else:
        # Only the ad's own row: the seven-table join of `ad_for` costs more to plan than the preview needs.
        ad = get_object_or_404(selectors.ads_for(user).exclude(kind=Kind.CONVERSATION), pk=ad_id)
        workspace_id = ad.workspace_id
    snapshot = _snapshot_from_data(request.POST, workspace_id, ad)
    context = {
        **_preview_context(request, snapshot, workspace_id),
        "counters": _counters(request.POST, snapshot["body"]),
        "oob": True,
        "checklist": guidance.checklist_for(snapshot, ad=ad, workspace_id=workspace_id, data=request.POST),
    }
    return render(request, "ads/_preview_response.html", context)


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
    return render(request, "ads/_presence.html", _presence_context(ad, user, tab=tab))


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
