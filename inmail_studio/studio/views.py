"""Message-ad pages that compose the rooms: the drafts list with its scores, and the editor with its live
preview, checklist and offer plan (ads, guidance and accounts together).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from inmail_studio import conflicts
from inmail_studio.accounts.models import Membership
from inmail_studio.accounts.selectors import current_membership, membership_for
from inmail_studio.ads import limits, preview, selectors, services, snapshots
from inmail_studio.ads.forms import AdForm, DraftFilterForm
from inmail_studio.ads.models import Ad, CtaKind, Image, Kind, Sender
from inmail_studio.ads.preview_choice import Session, preview_choice, preview_members
from inmail_studio.ads.views import _presence_context, _require_edit, _user
from inmail_studio.guidance import context as guidance
from inmail_studio.guidance import selectors as guidance_selectors
from inmail_studio.guidance import services as guidance_services
from inmail_studio.http import HtmxHttpRequest, small_int
from inmail_studio.paging import DeferredJoinPaginator

PAGE_SIZE = 25
log = logging.getLogger(__name__)


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
    page = DeferredJoinPaginator(ads, PAGE_SIZE).get_page(request.GET.get("page"))
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
    members = preview_members(workspace_id)
    member, device = preview_choice(request, members, session=Session.REMEMBER, from_post=True)
    return {
        **preview.frame(snapshot, member, device),
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


def _submit_after_save(request: HtmxHttpRequest, ad: Ad, *, saved: Any) -> HttpResponse:
    """ "Submit for review" in the message editor posts the editor's form: what is on screen is
    saved first (a new revision if anything changed), then that revision is submitted, in one step.
    Nothing typed is lost, and the reviewer sees exactly what the author saw."""
    from inmail_studio.client_address import client_ip_or_none
    from inmail_studio.review import services as review_services
    from inmail_studio.review.workflow import IllegalMove, StaleState

    was = f"Saved as revision {saved.number}" if saved is not None else "Nothing new to save"
    try:
        review_services.submit(ad_id=ad.pk, actor=_user(request), ip=client_ip_or_none(request))
    except review_services.NotReady as error:
        messages.error(request, f"{was}, but not submitted yet. " + " ".join(error.messages))
    except (IllegalMove, StaleState) as error:
        messages.error(request, f"{was}, but not submitted: {error}")
    else:
        messages.success(request, f"{was}. “{ad.name}” is in review. Approvers have been told.")
    return redirect("ads:edit", ad.pk)


@login_required
@require_http_methods(["GET", "POST"])
def ad_edit(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    user = _user(request)
    ad = selectors.ad_for(user, ad_id)
    if ad.kind == Kind.CONVERSATION:
        # Notifications and the review page link every ad through `ads:edit` (`get_absolute_url`
        # names the right editor); a conversation's tree has an editor of its own.
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
                if request.POST.get("then_submit"):
                    return _submit_after_save(request, ad, saved=result.revision)
                if result.revision is None:
                    messages.info(request, "Offer saved." if plan_changed else "No changes to save.")
                else:
                    messages.success(request, f"Saved as revision {result.revision.number}.")
                return redirect("ads:edit", ad.pk)
        messages.error(
            request,
            "The draft was not saved"
            + (" and nothing was submitted" if request.POST.get("then_submit") else "")
            + ". Fix the fields marked below; everything you typed is still here.",
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
        # Only the ad's own row: the seven-table join of `ad_for` costs more to plan than the preview
        # needs. What the checklist reads (plan, the posted sender's permission, the workspace's
        # threshold) comes with it, as subqueries: one round trip fewer per keystroke.
        facts = guidance.facts_annotations(sender_id=small_int(request.POST.get("sender", "")))
        ad = get_object_or_404(
            selectors.ads_for(user).exclude(kind=Kind.CONVERSATION).annotate(**facts), pk=ad_id
        )
        workspace_id = ad.workspace_id
    snapshot = _snapshot_from_data(request.POST, workspace_id, ad)
    context = {
        **_preview_context(request, snapshot, workspace_id),
        "counters": _counters(request.POST, snapshot["body"]),
        "oob": True,
        "checklist": guidance.checklist_for(
            snapshot,
            ad=ad,
            workspace_id=workspace_id,
            data=request.POST,
            # the posted sender, scoped to the ad's workspace, as the snapshot's sender is
            facts=guidance.facts_of(ad) if ad is not None else None,
        ),
    }
    return render(request, "ads/_preview_response.html", context)
