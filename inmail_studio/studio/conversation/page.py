"""The editor page: starting from a template, the ad's details, the tree's Save and Undo."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from inmail_studio import conflicts
from inmail_studio.accounts.selectors import current_membership
from inmail_studio.ads.conversation import edits
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.conversation.templates import TEMPLATES
from inmail_studio.guidance import services as guidance_services
from inmail_studio.http import HtmxHttpRequest, small_int
from inmail_studio.studio.conversation.access import conversation_ad, require_edit, user_of
from inmail_studio.studio.conversation.edit_conflicts import settings_conflict_of
from inmail_studio.studio.conversation.editor import (
    DATABASE_TROUBLE,
    editor_context,
    editor_url,
    render_editor,
    render_fresh_editor,
    saved_message,
    selected_message,
)
from inmail_studio.studio.conversation.forms import NewConversationForm, SettingsForm

log = logging.getLogger(__name__)


@login_required
@require_http_methods(["GET", "POST"])
def conversation_new(request: HtmxHttpRequest) -> HttpResponse:
    membership = current_membership(request)
    require_edit(membership)
    form = NewConversationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ad = cs.conversation_create(
                workspace=membership.workspace,
                author=user_of(request),
                name=form.cleaned_data["name"],
                template_key=form.cleaned_data["template"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{ad.name}” created from a template as revision 1.")
            return redirect("ads:conversation", ad.pk)
    return render(
        request,
        "ads/conversation/new.html",
        {"form": form, "templates": list(TEMPLATES.values()), "membership": membership},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def conversation_edit(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """The editor page; POST saves the shared fields (name, sender, subject, footer, lead gen)."""
    ad, membership, conversation = conversation_ad(request, ad_id)
    if request.method == "POST":
        require_edit(membership)
        data = conflicts.apply_picks(request.POST)
        form = SettingsForm(data, instance=ad, workspace_id=ad.workspace_id)
        settings_conflict = None
        status = 422
        if form.is_valid():

            def save(base: int | None) -> cs.TreeChange:
                return cs.conversation_settings_update(
                    ad_id=ad.pk,
                    editor=user_of(request),
                    fields={
                        k: form.cleaned_data[k]
                        for k in ("name", "sender", "subject", "footer", "banner")
                        if k != "banner" or "banner" in data
                    },
                    lead_gen=form.cleaned_data["lead_gen"],
                    base_revision=base,
                )

            try:
                try:
                    result = save(small_int(data.get(conflicts.VERSION_FIELD)))
                except conflicts.EditConflict as error:
                    if settings_conflict_of(error, data, ad).fields:
                        raise
                    result = save(int(error.version))  # changed meanwhile, but just as this person has it
            except cs.services.AdLocked as error:
                messages.error(
                    request, f"{error} Nothing was saved; what you typed is below so you can copy it."
                )
                status = 409
            except conflicts.EditConflict as error:
                settings_conflict = settings_conflict_of(error, data, ad)
                messages.error(
                    request,
                    f"The details were not saved: {error.message} Keep yours or take theirs, field by field, "
                    "then save again.",
                )
                status = 409
            except (OperationalError, InterfaceError):
                log.exception("Saving the details of conversation ad %s failed on the database", ad.pk)
                messages.error(request, DATABASE_TROUBLE)
                status = 503
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errs in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errs)
                else:
                    form.add_error(None, error)
            else:
                plan_changed = guidance_services.plan_save_from_editor(
                    ad=ad, editor=user_of(request), data=data
                )
                if result.revision is None and plan_changed:
                    messages.info(request, "Offer saved.")
                else:
                    saved_message(request, result.revision)
                if not request.htmx:
                    return redirect("ads:conversation", ad.pk)
                return render_fresh_editor(request, ad, membership, conversation, None)
        ad.refresh_from_db()
        conversation.refresh_from_db()
        context = editor_context(
            request, ad=ad, membership=membership, conversation=conversation,
            selected=selected_message(conversation, request, None), settings_form=form, checklist_data=data,
            settings_conflict=settings_conflict,
        )  # fmt: skip
        return render_editor(request, context, status=status)
    context = editor_context(
        request, ad=ad, membership=membership, conversation=conversation,
        selected=selected_message(conversation, request, None),
    )  # fmt: skip
    return render_editor(request, context)


@login_required
@require_POST
def conversation_save(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """The tree's "Save": one revision for every change to the tree since the last one."""
    ad, membership, conversation = conversation_ad(request, ad_id)
    require_edit(membership)
    try:
        result = cs.conversation_save(ad_id=ad.pk, editor=user_of(request))
    except cs.services.AdLocked as error:
        messages.error(request, str(error))
    else:
        saved_message(request, result.revision)
    if not request.htmx:
        return redirect(editor_url(ad, small_int(request.POST.get("m"))))
    return render_fresh_editor(request, ad, membership, conversation, small_int(request.POST.get("m")))


@login_required
@require_POST
def conversation_undo(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """Undo the editor's last change to the tree (add, delete, relink…); like the change, it waits for a save."""
    ad, membership, conversation = conversation_ad(request, ad_id)
    require_edit(membership)
    offer = edits.undoable(ad, user_of(request), conversation)
    try:
        cs.tree_undo(ad_id=ad.pk, editor=user_of(request), edit=small_int(request.POST.get("edit")) or 0)
    except (ValidationError, cs.services.AdLocked) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        what = "; ".join(offer.words) if offer else "the last change"
        messages.success(request, f"Undone: {what}. Save to keep it in a revision.")
    if not request.htmx:
        return redirect("ads:conversation", ad.pk)
    return render_fresh_editor(request, ad, membership, conversation, small_int(request.POST.get("m")))
