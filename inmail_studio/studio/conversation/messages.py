"""The tree's messages: open, save (with its buttons and the op pressed), add, delete, the live check."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from inmail_studio import conflicts
from inmail_studio.accounts.models import Membership
from inmail_studio.ads import limits
from inmail_studio.ads.conversation import edits
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.conversation.diagram import layout
from inmail_studio.ads.conversation.tree import tree_of
from inmail_studio.ads.conversation.validation import validate
from inmail_studio.ads.models import (
    Ad,
    Conversation,
    ConversationMessage,
    MessageKind,
)
from inmail_studio.http import HtmxHttpRequest, small_int
from inmail_studio.studio.conversation.access import (
    conversation_ad,
    conversation_to_check,
    require_edit,
    user_of,
)
from inmail_studio.studio.conversation.edit_conflicts import message_conflict_of, readd_values, who_deleted
from inmail_studio.studio.conversation.editor import (
    DATABASE_TROUBLE,
    EDIT_FIELD,
    checklist_of,
    current_version,
    editor_context,
    problems_by_anchor,
    render_editor,
    render_fresh_editor,
    saved_message,
    selected_message,
    tree_with_form,
)
from inmail_studio.studio.conversation.forms import BaseButtonFormSet, ButtonFormSet

log = logging.getLogger(__name__)


def _button_inputs(buttons: BaseButtonFormSet, *, new: bool = False) -> list[cs.ButtonInput]:
    """A valid formset's rows as the service takes them (`new`: rows of buttons to create)."""
    return [
        cs.ButtonInput(
            id=0 if new else key,
            text=form.cleaned_data["text"],
            action=form.cleaned_data["action"],
            target_id=form.cleaned_data["target"],
            url=form.cleaned_data["url"],
        )
        for key, form in zip(buttons.keys, buttons.forms, strict=True)
    ]


def _button_errors(errors: dict[str, list[str]]) -> dict[int, dict[str, list[str]]]:
    """The service's errors on button fields (`button-<id>-<field>`), by button, to show beside each."""
    found: dict[int, dict[str, list[str]]] = {}
    for key, messages_ in errors.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "button" and parts[1].isdigit():
            found.setdefault(int(parts[1]), {})[parts[2]] = messages_
    return found


def _message_deleted(
    request: HtmxHttpRequest, ad: Ad, membership: Membership, conversation: Conversation, message_id: int
) -> HttpResponse:
    """Saving a message someone deleted meanwhile: not a bare 404; what was typed comes back with
    "Add it again"."""
    data = request.POST
    by, when = who_deleted(conversation, f"m{message_id}", small_int(data.get(EDIT_FIELD)))
    name = data.get("name", "") or "this message"
    deleted = conflicts.Conflict(
        message=f"{by} deleted “{name}” {when} while you were editing it.",
        version=current_version(ad),
        fields=[],
        by=by,
        deleted=True,
        extra={"notes": ["Add it again as a new message with what you typed, or leave it deleted."]},
    )
    messages.error(request, f"Not saved: {deleted.message} What you typed is below.")
    context = editor_context(
        request, ad=ad, membership=membership, conversation=conversation,
        selected=selected_message(conversation, request, conversation.first_message_id),
        conflict=deleted, readd=readd_values(data),
    )  # fmt: skip
    return render_editor(request, context, status=409)


@login_required
@require_http_methods(["GET", "POST"])
def message_edit(request: HtmxHttpRequest, ad_id: int, message_id: int) -> HttpResponse:
    """GET selects a message; POST saves it with its buttons and applies the button that was pressed."""
    ad, membership, conversation = conversation_ad(request, ad_id)
    message = conversation.messages.prefetch_related("buttons").filter(pk=message_id).first()
    if request.method == "GET":
        if message is None:
            raise Http404("No such message.")
        context = editor_context(
            request, ad=ad, membership=membership, conversation=conversation, selected=message
        )
        return render_editor(request, context)
    require_edit(membership)
    if message is None:
        return _message_deleted(request, ad, membership, conversation, message_id)
    data = conflicts.apply_picks(request.POST)
    op, _, op_arg = data.get("op", "save").partition(":")
    if op not in cs.MESSAGE_OPS:
        op = "save"
    buttons = ButtonFormSet(data, keys=[b.pk for b in message.buttons.all()])
    tree = tree_of(conversation)
    failure: tuple[int, dict[str, Any]] | None = None
    assert message is not None

    def save(base: int | None, edit: int | None) -> cs.TreeChange:
        assert message is not None
        return cs.message_save(
            ad_id=ad.pk,
            editor=user_of(request),
            message_id=message.pk,
            name=data.get("name", ""),
            kind=data.get("kind", MessageKind.TEXT),
            body=data.get("body", ""),
            form_urn=data.get("form_urn", ""),
            buttons=_button_inputs(buttons),
            op=op,
            op_button_id=small_int(op_arg),
            base_revision=base,
            base_edit=edit,
        )

    try:
        if not buttons.is_valid():
            raise ValidationError(
                {
                    f"button-{key}-{name}": errs
                    for key, e in buttons.errors_by_key().items()
                    for name, errs in e.items()
                }
            )
        try:
            result = save(small_int(data.get(conflicts.VERSION_FIELD)), small_int(data.get(EDIT_FIELD)))
        except conflicts.EditConflict as error:
            found = message_conflict_of(error, data, message, tree)
            if found.fields or found.extra["notes"]:
                raise
            # Changed meanwhile, but just as this person has it.
            result = save(small_int(error.version), error.context.get("edit"))
    except ConversationMessage.DoesNotExist:
        return _message_deleted(request, ad, membership, conversation, message_id)
    except cs.services.AdLocked as error:
        messages.error(request, f"{error} Nothing was saved; what you typed is below so you can copy it.")
        failure = (409, {})
    except conflicts.EditConflict as error:
        messages.error(
            request,
            f"The message was not saved: {error.message} Keep yours or take theirs, field by field, "
            "then save again.",
        )
        failure = (409, {"conflict": message_conflict_of(error, data, message, tree)})
    except (OperationalError, InterfaceError):
        log.exception("Saving a message of conversation ad %s failed on the database", ad.pk)
        messages.error(request, DATABASE_TROUBLE)
        failure = (503, {})
    except ValidationError as error:
        errors = dict(error.message_dict) if hasattr(error, "error_dict") else {"all": error.messages}
        if "__all__" in errors:
            errors["all"] = errors.pop("__all__")
        messages.error(
            request, "The message was not saved. Fix what is marked; everything you typed is still here."
        )
        failure = (
            422,
            {
                "form_errors": errors,
                "button_errors": _button_errors(errors),  # shown beside each button's field
                "tree": tree_with_form(tree, message.ref, data),
            },
        )
    if failure is not None:
        status, extra = failure
        ad.refresh_from_db()
        conversation.refresh_from_db()
        message = conversation.messages.prefetch_related("buttons").get(pk=message.pk)
        context = editor_context(
            request, ad=ad, membership=membership, conversation=conversation, selected=message,
            form_data=data, **extra,
        )  # fmt: skip
        return render_editor(request, context, status=status)
    if op == "save":
        saved_message(request, result.revision)
    selected = result.message or message
    if not request.htmx:
        return redirect(reverse("ads:conversation", args=[ad.pk]) + f"?m={selected.pk}#message-form")
    ad.refresh_from_db()
    conversation.refresh_from_db()
    selected = conversation.messages.prefetch_related("buttons").get(pk=selected.pk)
    context = editor_context(
        request, ad=ad, membership=membership, conversation=conversation, selected=selected
    )
    return render_editor(request, context)


@login_required
@require_POST
def conversation_check(request: HtmxHttpRequest, ad_id: int, message_id: int) -> HttpResponse:
    """Live validation while typing: the problems and the diagram for the form as it is, nothing saved."""
    ad, conversation = conversation_to_check(request, ad_id)
    tree = tree_of(conversation)
    ref = f"m{message_id}"
    if not any(m["id"] == ref for m in tree["messages"]):
        raise Http404("No such message.")
    tree = tree_with_form(tree, ref, request.POST)
    problems = validate(tree)
    context = {
        "ad": ad,
        "problems": problems,
        "problem_map": problems_by_anchor(problems),
        "error_count": sum(p.is_error for p in problems),
        "warning_count": sum(not p.is_error for p in problems),
        "diagram": layout(tree, problems, ref),
        "oob": True,
        "body_length": len(request.POST.get("body", "")),
        "body_refusal": limits.raw_body_error(request.POST.get("body", "")),
        "limits": limits,
        "checklist": checklist_of(ad, tree),
    }
    # A fragment of the page: no context processors (navigation, workspace switcher) to run on every pause.
    return HttpResponse(render_to_string("ads/conversation/_check.html", context))


@login_required
@require_POST
def message_add(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    ad, membership, conversation = conversation_ad(request, ad_id)
    require_edit(membership)
    try:
        if request.POST.get("readd"):
            # "Add it again": a message someone deleted while this person was editing it.
            readd = request.POST
            count = min(small_int(readd.get("readd-buttons")) or 0, limits.BUTTONS_PER_MESSAGE.maximum)
            buttons = ButtonFormSet(readd, keys=list(range(count)), prefix="readd")
            if not buttons.is_valid():
                raise ValidationError(
                    [e for row in buttons.errors_by_key().values() for errs in row.values() for e in errs]
                )
            result = cs.message_readd(
                ad_id=ad.pk, editor=user_of(request), name=readd.get("name", ""),
                kind=readd.get("kind", MessageKind.TEXT), body=readd.get("body", ""),
                form_urn=readd.get("form_urn", ""), buttons=_button_inputs(buttons, new=True),
            )  # fmt: skip
        else:
            result = cs.message_add(
                ad_id=ad.pk, editor=user_of(request), name=request.POST.get("name", ""),
                kind=request.POST.get("kind", MessageKind.TEXT),
            )  # fmt: skip
    except (ValidationError, cs.services.AdLocked) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("ads:conversation", ad.pk)
    assert result.message is not None
    if not request.htmx:
        return redirect(reverse("ads:conversation", args=[ad.pk]) + f"?m={result.message.pk}#message-form")
    ad.refresh_from_db()
    conversation.refresh_from_db()
    context = editor_context(
        request, ad=ad, membership=membership, conversation=conversation,
        selected=conversation.messages.get(pk=result.message.pk),
    )  # fmt: skip
    return render_editor(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def message_delete(request: HtmxHttpRequest, ad_id: int, message_id: int) -> HttpResponse:
    """Asks what to do with the buttons that lead to the message, then deletes it."""
    ad, membership, conversation = conversation_ad(request, ad_id)
    require_edit(membership)
    message = get_object_or_404(conversation.messages, pk=message_id)
    inbound = list(message.inbound.exclude(message=message).select_related("message"))
    others = [m for m in conversation.messages.all() if m.pk != message.pk]
    error = ""
    version = current_version(ad)
    edit = edits.latest_edit(conversation)
    status = 200
    if request.method == "POST":
        try:
            cs.message_delete(
                ad_id=ad.pk,
                editor=user_of(request),
                message_id=message.pk,
                inbound=request.POST.get("inbound", cs.INBOUND_DETACH),
                relink_to=small_int(request.POST.get("relink_to")),
                base_revision=small_int(request.POST.get(conflicts.VERSION_FIELD)),
                base_edit=small_int(request.POST.get(EDIT_FIELD)),
            )
        except ValidationError as invalid:
            error, status = " ".join(invalid.messages), 422
        except conflicts.EditConflict as changed:
            # They decided to delete what they saw; it has changed since. Look again, then confirm.
            error, status, version, edit = (
                f"Not deleted: {changed.message} It changed since you opened it; look at it again, "
                "and press Delete once more if it should still go.",
                409,
                changed.version,
                edits.latest_edit(conversation),
            )
        except cs.services.AdLocked as locked:
            messages.error(request, str(locked))
            return redirect("ads:conversation", ad.pk)
        else:
            messages.success(request, f"“{message.name}” deleted.")
            if not request.htmx:
                return redirect("ads:conversation", ad.pk)
            conversation.refresh_from_db()
            response = render_fresh_editor(
                request, ad, membership, conversation, conversation.first_message_id
            )
            response["HX-Retarget"] = "#conv-workspace"
            response["HX-Reswap"] = "outerHTML"
            return response
    context = {
        "ad": ad,
        "message": message,
        "inbound": inbound,
        "others": others,
        "error": error,
        "is_first": conversation.first_message_id == message.pk,
        "base_version": version,
        "base_edit": edit,
    }
    template = "ads/conversation/delete.html"
    if request.htmx:
        template += "#dialog"
    return render(request, template, context, status=status)
