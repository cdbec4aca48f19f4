"""Pages for conversation ads: starting from a template, the tree editor, the walkable preview, all paths.

The editor is one page (`ads/conversation/edit.html`) whose `workspace` partial
is what htmx swaps after each change; without JavaScript every form posts and
redirects back to the same page. The live check (`conversation_check`) only
validates what the message form holds now, without saving it.
"""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from inmail_studio import conflicts
from inmail_studio.accounts.models import Membership, User
from inmail_studio.accounts.selectors import current_membership, membership_for
from inmail_studio.ads import limits, preview, selectors, snapshots, views
from inmail_studio.ads.conversation import edits
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.conversation.diagram import layout
from inmail_studio.ads.conversation.templates import TEMPLATES
from inmail_studio.ads.conversation.tree import LINKING_ACTIONS, compare_trees, path_to, paths, tree_of
from inmail_studio.ads.conversation.validation import Problem, validate
from inmail_studio.ads.models import (
    Ad,
    ButtonAction,
    Conversation,
    ConversationMessage,
    Image,
    Kind,
    MessageKind,
    Sender,
)
from inmail_studio.ads.preview_choice import Session, preview_choice, preview_members
from inmail_studio.ads.sanitize import sanitize_body
from inmail_studio.guidance import context as guidance
from inmail_studio.guidance import services as guidance_services
from inmail_studio.http import HtmxHttpRequest, frameable_by_self, small_int
from inmail_studio.single_line import SingleLineFields

log = logging.getLogger(__name__)


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _conversation_ad(request: HtmxHttpRequest, ad_id: int) -> tuple[Ad, Membership, Conversation]:
    """The conversation ad if the user belongs to its workspace (else 404), with their membership."""
    ad = selectors.ad_for(_user(request), ad_id)
    if ad.kind != Kind.CONVERSATION:
        raise Http404("Not a conversation ad.")
    membership = membership_for(_user(request), ad.workspace_id)
    assert membership is not None
    conversation, _ = Conversation.objects.get_or_create(ad=ad)
    return ad, membership, conversation


def _require_edit(membership: Membership) -> None:
    if not membership.can_edit:
        raise PermissionDenied("You need the author role in this workspace to edit ads.")


# ---------------------------------------------------------------------------
# Starting a conversation ad
# ---------------------------------------------------------------------------


class NewConversationForm(SingleLineFields, forms.Form):
    name = forms.CharField(
        label="Ad name",
        max_length=limits.AD_NAME.maximum,
        help_text="Only your team sees this.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    template = forms.ChoiceField(
        choices=[(t.key, t.title) for t in TEMPLATES.values()],
        widget=forms.RadioSelect,
        initial="qualify-by-role",
    )


@login_required
@require_http_methods(["GET", "POST"])
def conversation_new(request: HtmxHttpRequest) -> HttpResponse:
    membership = current_membership(request)
    _require_edit(membership)
    form = NewConversationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ad = cs.conversation_create(
                workspace=membership.workspace,
                author=_user(request),
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


# ---------------------------------------------------------------------------
# The editor
# ---------------------------------------------------------------------------


class SettingsForm(SingleLineFields, forms.ModelForm):
    lead_gen = forms.BooleanField(
        label="Lead gen campaign",
        required=False,
        help_text="The campaign collects leads: the conversation must contain a lead gen form.",
    )

    # Not a model field here: the model's validator holds the message ad limit, and the
    # conversation footer has its own (larger) one, checked by the service.
    footer = forms.CharField(
        label="Custom footer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Terms and conditions shown under the conversation.",
    )

    # The banner a conversation ad shows on desktop: uploaded beside the field (ads:banner) like the
    # message ad's, saved with the details. A post without the field leaves the banner as it is.
    banner = forms.ModelChoiceField(queryset=Image.objects.none(), required=False, widget=forms.HiddenInput)

    class Meta:
        model = Ad
        fields = ["name", "sender", "subject"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "subject": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args: Any, workspace_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sender_field = self.fields["sender"]
        assert isinstance(sender_field, forms.ModelChoiceField)
        sender_field.queryset = Sender.objects.filter(workspace_id=workspace_id)
        sender_field.empty_label = "Choose a sender…"
        banner_field = self.fields["banner"]
        assert isinstance(banner_field, forms.ModelChoiceField)
        banner_field.queryset = Image.objects.filter(workspace_id=workspace_id)
        if self.instance.pk and not self.is_bound:
            self.initial.setdefault("banner", self.instance.banner_id)
        if self.instance.pk and not self.is_bound:
            self.initial.setdefault("footer", self.instance.footer)


def _selected(
    conversation: Conversation, request: HtmxHttpRequest, message_id: int | None
) -> ConversationMessage | None:
    if message_id is None:
        raw = request.GET.get("m", "")
        message_id = small_int(raw) or conversation.first_message_id
    queryset = conversation.messages.prefetch_related("buttons")
    chosen = queryset.filter(pk=message_id).first() if message_id is not None else None
    return chosen or queryset.first()


def _problems_by_anchor(problems: list[Problem]) -> dict[str, list[Problem]]:
    grouped: dict[str, list[Problem]] = {}
    for problem in problems:
        grouped.setdefault(problem.anchor, []).append(problem)
        if problem.button_id and problem.message_id:
            grouped.setdefault(f"msg-{problem.message_id}", [])
    return grouped


def _checklist(ad: Ad, tree: dict[str, Any], data: Any = None) -> guidance.Checklist:
    """The best-practice checklist of the ad's saved details with `tree` (the form's, while typing).

    `data` is a posted form whose `offer_type` wins over the saved plan, as in the message editor.
    """
    snapshot = snapshots.build(
        kind=Kind.CONVERSATION,
        name=ad.name,
        sender=ad.sender,
        subject=ad.subject,
        footer=ad.footer,
        banner=ad.banner,
        tree=tree,
    )
    return guidance.checklist_for(snapshot, ad=ad, workspace_id=ad.workspace_id, data=data)


def _editor_context(
    request: HtmxHttpRequest,
    *,
    ad: Ad,
    membership: Membership,
    conversation: Conversation,
    selected: ConversationMessage | None,
    tree: dict[str, Any] | None = None,
    settings_form: SettingsForm | None = None,
    form_errors: dict[str, list[str]] | None = None,
    checklist_data: Any = None,
    form_data: Any = None,
    conflict: conflicts.Conflict | None = None,
    settings_conflict: conflicts.Conflict | None = None,
    readd: dict[str, Any] | None = None,
) -> dict[str, Any]:
    live = tree_of(conversation)
    tree = tree if tree is not None else live
    problems = validate(tree)
    selected_ref = selected.ref if selected else None
    members = preview_members(ad.workspace_id)
    member, device = preview_choice(request, members, default_device="mobile", session=Session.REMEMBER)
    frame_url = reverse("ads:conversation_frame", args=[ad.pk])
    start_path = path_to(tree, selected_ref) if selected_ref else []
    width, height = preview.FRAME_SIZE[device]
    all_paths = paths(tree)
    editable = membership.can_edit and not ad.is_locked
    problem_map = _problems_by_anchor(problems)
    selected_buttons = list(selected.buttons.all()) if selected else []
    for button in selected_buttons:
        button.problems = problem_map.get(f"btn-{button.ref}", [])  # type: ignore[attr-defined]
        # What the form shows: what the person typed when the form comes back to them, else the saved row.
        for name in ("text", "action", "target", "url"):
            key = f"button-{button.pk}-{name}"
            saved = button.target_id if name == "target" else getattr(button, name)
            value = form_data.get(key) if form_data is not None and key in form_data else saved
            setattr(button, f"form_{name}", "" if value is None else str(value))
    return {
        "ad": ad,
        "membership": membership,
        "conversation": conversation,
        "tree": tree,
        "messages_list": list(conversation.messages.all()),
        "selected": selected,
        "selected_buttons": selected_buttons,
        "selected_problems": [
            p for p in problems if selected_ref and p.message_id == selected_ref and not p.button_id
        ],
        "problems": problems,
        "problem_map": problem_map,
        "error_count": sum(p.is_error for p in problems),
        "warning_count": sum(not p.is_error for p in problems),
        "diagram": layout(tree, problems, selected_ref),
        "paths": all_paths,
        "frame_src": f"{frame_url}?persona={member.key}&device={device}&path={'.'.join(start_path)}",
        "frame_base": f"{frame_url}?persona={member.key}&device={device}&path=",
        "frame_width": width,
        "frame_height": height,
        "device": device,
        "members": members,
        "member": member,
        "settings_form": settings_form
        or SettingsForm(
            instance=ad, workspace_id=ad.workspace_id, initial={"lead_gen": conversation.lead_gen}
        ),
        "form_errors": form_errors or {},
        "banner_image": _banner_shown(ad, settings_form),
        "undo": edits.undoable(ad, _user(request), conversation, tree=live) if editable else None,
        # The tree's changes since the last revision (adds, deletes, moves): the head offers "Save".
        "unsaved": edits.unsaved_changes(ad, conversation, live),
        "editable": editable,
        "actions": ButtonAction.choices,
        "kinds": MessageKind.choices,
        "limits": limits,
        "max_buttons": limits.BUTTONS_PER_MESSAGE.maximum,
        "max_messages": limits.MESSAGES_PER_CONVERSATION.maximum,
        "checklist": _checklist(ad, tree, checklist_data),
        **views._presence_context(ad, _user(request)),
        "plan_version": _posted(checklist_data, "plan_version") or guidance_services.plan_version(ad),
        "form_data": form_data,
        "form_kind": (form_data.get("kind") if form_data is not None else None)
        or (selected.kind if selected else ""),
        "conflict": conflict,
        "settings_conflict": settings_conflict,
        "readd": readd,
        # Every form of the page stands on one revision: the one it was loaded from when it comes
        # back to the person (a newer one saved meanwhile must still be caught), the newest after a
        # conflict showed it.
        "base_version": (conflict or settings_conflict).version  # type: ignore[union-attr]
        if conflict or settings_conflict
        else _posted_version(form_data, checklist_data) or _current_version(ad),
        # …and on the tree as it was when loaded (changes not yet saved as a revision included).
        "base_edit": ("" if conflict or settings_conflict else _posted(form_data, EDIT_FIELD))
        or edits.latest_edit(conversation),
    }


def _banner_shown(ad: Ad, form: SettingsForm | None) -> Image | None:
    """The banner the details form shows: the one posted when the form comes back refused, else the saved one."""
    if form is not None and form.is_bound and "banner" in form.data:
        return Image.objects.filter(
            workspace_id=ad.workspace_id, pk=_int(form.data.get("banner")) or 0
        ).first()
    return ad.banner


def _current_version(ad: Ad) -> str:
    return str(ad.current_revision.number) if ad.current_revision else ""


def _posted(data: Any, name: str) -> str:
    return str(data.get(name, "")) if data is not None else ""


def _posted_version(*posted: Any) -> str:
    for data in posted:
        if data is not None and str(data.get(conflicts.VERSION_FIELD, "")).isdigit():
            return str(data[conflicts.VERSION_FIELD])
    return ""


# The tree change (`TreeEdit` number) a form was loaded at, beside its `base_version` revision.
EDIT_FIELD = "base_edit"

DATABASE_TROUBLE = (
    "The database didn't answer in time, so nothing was saved. Everything you typed is still here; "
    "try saving again in a moment."
)


def _settings_values(snapshot: dict[str, Any]) -> dict[str, str]:
    """The "Ad details" part of a snapshot as its form posts it."""
    part = cs.settings_of(snapshot)
    return {
        "name": part["name"],
        "sender": str(part["sender"] or ""),
        "subject": part["subject"],
        "footer": part["footer"],
        "lead_gen": "on" if part["lead_gen"] else "",
    }


SETTINGS_FIELDS = (
    ("name", "Ad name"),
    ("sender", "Sender"),
    ("subject", "Subject"),
    ("footer", "Custom footer"),
    ("lead_gen", "Lead gen campaign"),
)


def _settings_conflict(error: conflicts.EditConflict, data: Any, ad: Ad) -> conflicts.Conflict:
    base, current = error.context["base"], error.context["current"]
    mine = {
        "name": data.get("name", ""),
        "sender": data.get("sender", ""),
        "subject": data.get("subject", ""),
        "footer": data.get("footer", ""),
        "lead_gen": "on" if data.get("lead_gen") else "",
    }
    theirs = _settings_values(current.snapshot)
    senders = {
        str(pk): name
        for pk, name in Sender.objects.filter(workspace_id=ad.workspace_id).values_list("pk", "name")
    }

    def shown(values: dict[str, str]) -> dict[str, str]:
        return {
            **values,
            "sender": senders.get(values["sender"], ""),
            "lead_gen": "Yes" if values["lead_gen"] else "No",
        }

    return conflicts.Conflict(
        message=error.message,
        version=error.version,
        by=error.by,
        at=error.at,
        fields=conflicts.field_conflicts(
            fields=SETTINGS_FIELDS,
            mine=mine,
            theirs=theirs,
            base=_settings_values(base.snapshot) if base is not None else None,
            mine_shown=shown(mine),
            theirs_shown=shown(theirs),
        ),
    )


def _message_values(entry: dict[str, Any] | None) -> dict[str, str]:
    """A message of a tree (with its buttons) as the message form posts it."""
    if entry is None:
        return {}
    kind = entry.get("kind") or MessageKind.TEXT
    values = {
        "name": str(entry.get("name") or "").strip(),
        "kind": kind,
        "body": sanitize_body(entry.get("body") or "") if kind == MessageKind.TEXT else "",
        "form_urn": str(entry.get("form_urn") or "").strip() if kind == MessageKind.FORM else "",
    }
    for button in entry.get("buttons", []):
        pk, action = button["id"][1:], button.get("action") or ButtonAction.MESSAGE
        target = button.get("target") if action in LINKING_ACTIONS else None
        values[f"button-{pk}-text"] = str(button.get("text") or "").strip()
        values[f"button-{pk}-action"] = action
        values[f"button-{pk}-target"] = target[1:] if target else ""
        values[f"button-{pk}-url"] = (
            str(button.get("url") or "").strip() if action == ButtonAction.WEBSITE else ""
        )
    return values


def _message_conflict(
    error: conflicts.EditConflict, data: Any, message: ConversationMessage, tree: dict[str, Any]
) -> conflicts.Conflict:
    """Field by field (buttons included): the message as the person has it against the one saved meanwhile."""
    base, current = error.context["base"], error.context["current"]
    ref = message.ref
    theirs_entry = cs.message_of(current.snapshot, ref)
    mine = _message_values(cs.message_of({"tree": _tree_with_form(tree, message, data)}, ref))
    theirs = _message_values(theirs_entry)
    names = {m["id"][1:]: m.get("name") or m["id"] for m in tree.get("messages", [])}
    actions = dict(ButtonAction.choices)
    fields: list[tuple[str, str]] = [
        ("name", "Label"),
        ("kind", "Kind"),
        ("body", "Message"),
        ("form_urn", "Lead gen form URN"),
    ]
    for number, button in enumerate((theirs_entry or {}).get("buttons", []), start=1):
        pk = button["id"][1:]
        fields += [
            (f"button-{pk}-text", f"Button {number}: text"),
            (f"button-{pk}-action", f"Button {number}: does"),
            (f"button-{pk}-target", f"Button {number}: leads to"),
            (f"button-{pk}-url", f"Button {number}: website"),
        ]

    def shown(values: dict[str, str]) -> dict[str, str]:
        out = dict(values)
        out["kind"] = dict(MessageKind.choices).get(values.get("kind", ""), values.get("kind", ""))
        for key, value in values.items():
            if key.endswith("-action"):
                out[key] = actions.get(value, value)
            elif key.endswith("-target"):
                out[key] = names.get(value, "")
        return out

    notes = []
    posted = {key.split("-")[1] for key in data if key.startswith("button-") and key.endswith("-text")}
    kept = {button["id"][1:] for button in (theirs_entry or {}).get("buttons", [])}
    for pk in sorted(posted - kept):
        notes.append(
            f"{error.by or 'Someone else'} removed a button you had as “{data.get(f'button-{pk}-text', '')}”"
            f" ({actions.get(data.get(f'button-{pk}-action', ''), '')}); add it again if you still want it."
        )
    return conflicts.Conflict(
        message=error.message,
        version=error.version,
        by=error.by,
        at=error.at,
        fields=conflicts.field_conflicts(
            fields=fields,
            mine=mine,
            theirs=theirs,
            base=_message_values(cs.message_of(base.snapshot, ref)) if base is not None else None,
            mine_shown=shown(mine),
            theirs_shown=shown(theirs),
        ),
        extra={"notes": notes},
    )


def _who_deleted(conversation: Conversation, ref: str, base_edit: int | None) -> tuple[str, str]:
    """Who deleted a message and when ("at 08:12"): the first change to the tree after `base_edit` without it."""
    edits = conversation.edits.select_related("author").order_by("number")
    if base_edit is not None:
        edits = edits.filter(number__gt=base_edit)
    for edit in edits:
        if cs.message_of({"tree": edit.after}, ref) is None:
            return edit.author.display_name, f"at {timezone.localtime(edit.created_at):%H:%M}"
    return "Someone else", "meanwhile"


def _readd_values(data: Any) -> dict[str, Any]:
    """What the person had typed in a message someone deleted meanwhile, for "Add it again"."""
    buttons = []
    for key in data:
        if key.startswith("button-") and key.endswith("-text"):
            pk = key.split("-")[1]
            buttons.append(
                {
                    "text": data.get(key, ""),
                    "action": data.get(f"button-{pk}-action", ButtonAction.MESSAGE),
                    "target": data.get(f"button-{pk}-target", ""),
                    "url": data.get(f"button-{pk}-url", ""),
                }
            )
    kind = data.get("kind") if data.get("kind") in MessageKind.values else MessageKind.TEXT
    return {
        "name": data.get("name", ""),
        "kind": kind,
        "body": data.get("body", ""),
        "form_urn": data.get("form_urn", ""),
        "buttons": buttons,
    }


def _render_editor(request: HtmxHttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    template = "ads/conversation/edit.html"
    if request.htmx and not request.htmx.boosted:
        template += "#workspace"
        # The head (revision number, state, name, review actions) is outside the workspace.
        context = {**context, "head_oob": True}
    response = render(request, template, context, status=status)
    if request.htmx and context.get("selected") is not None:
        response["HX-Push-Url"] = (
            reverse("ads:conversation", args=[context["ad"].pk]) + f"?m={context['selected'].pk}"
        )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def conversation_edit(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """The editor page; POST saves the shared fields (name, sender, subject, footer, lead gen)."""
    ad, membership, conversation = _conversation_ad(request, ad_id)
    if request.method == "POST":
        _require_edit(membership)
        data = conflicts.apply_picks(request.POST)
        form = SettingsForm(data, instance=ad, workspace_id=ad.workspace_id)
        settings_conflict = None
        status = 422
        if form.is_valid():

            def save(base: int | None) -> cs.TreeChange:
                return cs.conversation_settings_update(
                    ad_id=ad.pk,
                    editor=_user(request),
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
                    result = save(_int(data.get(conflicts.VERSION_FIELD)))
                except conflicts.EditConflict as error:
                    if _settings_conflict(error, data, ad).fields:
                        raise
                    result = save(int(error.version))  # changed meanwhile, but just as this person has it
            except cs.services.AdLocked as error:
                messages.error(
                    request, f"{error} Nothing was saved; what you typed is below so you can copy it."
                )
                status = 409
            except conflicts.EditConflict as error:
                settings_conflict = _settings_conflict(error, data, ad)
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
                    ad=ad, editor=_user(request), data=data
                )
                if result.revision is None and plan_changed:
                    messages.info(request, "Offer saved.")
                else:
                    _saved_message(request, result.revision)
                if not request.htmx:
                    return redirect("ads:conversation", ad.pk)
                ad.refresh_from_db()
                conversation.refresh_from_db()
                context = _editor_context(
                    request, ad=ad, membership=membership, conversation=conversation,
                    selected=_selected(conversation, request, None),
                )  # fmt: skip
                return _render_editor(request, context)
        ad.refresh_from_db()
        conversation.refresh_from_db()
        context = _editor_context(
            request, ad=ad, membership=membership, conversation=conversation,
            selected=_selected(conversation, request, None), settings_form=form, checklist_data=data,
            settings_conflict=settings_conflict,
        )  # fmt: skip
        return _render_editor(request, context, status=status)
    context = _editor_context(
        request, ad=ad, membership=membership, conversation=conversation,
        selected=_selected(conversation, request, None),
    )  # fmt: skip
    return _render_editor(request, context)


def _saved_message(request: HtmxHttpRequest, revision: Any) -> None:
    if revision is None:
        messages.info(request, "No changes to save.")
    else:
        messages.success(request, f"Saved as revision {revision.number}.")


def _int(value: str | None) -> int | None:
    return small_int(value)


def _button_inputs(data: Any, button_ids: list[int]) -> list[cs.ButtonInput]:
    return [
        cs.ButtonInput(
            id=pk,
            text=data.get(f"button-{pk}-text", ""),
            action=data.get(f"button-{pk}-action", ButtonAction.MESSAGE),
            target_id=_int(data.get(f"button-{pk}-target")),
            url=data.get(f"button-{pk}-url", ""),
        )
        for pk in button_ids
    ]


def _checkable_body(data: Any) -> str:
    """The posted body, or none when it is far too long to parse (its counter says so)."""
    body = data.get("body", "")
    return "" if limits.raw_body_error(body) else body


def _tree_with_form(tree: dict[str, Any], message: ConversationMessage, data: Any) -> dict[str, Any]:
    """The saved tree with the selected message as the form holds it now (for the live check)."""
    ref = message.ref
    kind = data.get("kind") if data.get("kind") in MessageKind.values else MessageKind.TEXT
    messages_ = []
    for item in tree["messages"]:
        if item["id"] != ref:
            messages_.append(item)
            continue
        buttons = []
        for button in item["buttons"]:
            pk = int(button["id"][1:])
            action = data.get(f"button-{pk}-action", button["action"])
            target = _int(data.get(f"button-{pk}-target"))
            buttons.append(
                {
                    "id": button["id"],
                    "text": data.get(f"button-{pk}-text", button["text"]).strip(),
                    "action": action,
                    "target": f"m{target}" if target else None,
                    "url": data.get(f"button-{pk}-url", "").strip() if action == ButtonAction.WEBSITE else "",
                }
            )
        messages_.append(
            {
                **item,
                "name": (data.get("name") or item["name"]).strip(),
                "kind": kind,
                "body": _checkable_body(data) if kind == MessageKind.TEXT else "",
                "form_urn": data.get("form_urn", "").strip() if kind == MessageKind.FORM else "",
                "buttons": buttons,
            }
        )
    return {**tree, "messages": messages_}


def _message_deleted(
    request: HtmxHttpRequest, ad: Ad, membership: Membership, conversation: Conversation, message_id: int
) -> HttpResponse:
    """Saving a message someone deleted meanwhile: not a bare 404; what was typed comes back with
    "Add it again"."""
    data = request.POST
    by, when = _who_deleted(conversation, f"m{message_id}", _int(data.get(EDIT_FIELD)))
    name = data.get("name", "") or "this message"
    deleted = conflicts.Conflict(
        message=f"{by} deleted “{name}” {when} while you were editing it.",
        version=_current_version(ad),
        fields=[],
        by=by,
        deleted=True,
        extra={"notes": ["Add it again as a new message with what you typed, or leave it deleted."]},
    )
    messages.error(request, f"Not saved: {deleted.message} What you typed is below.")
    context = _editor_context(
        request, ad=ad, membership=membership, conversation=conversation,
        selected=_selected(conversation, request, conversation.first_message_id),
        conflict=deleted, readd=_readd_values(data),
    )  # fmt: skip
    return _render_editor(request, context, status=409)


@login_required
@require_http_methods(["GET", "POST"])
def message_edit(request: HtmxHttpRequest, ad_id: int, message_id: int) -> HttpResponse:
    """GET selects a message; POST saves it with its buttons and applies the button that was pressed."""
    ad, membership, conversation = _conversation_ad(request, ad_id)
    message = conversation.messages.prefetch_related("buttons").filter(pk=message_id).first()
    if request.method == "GET":
        if message is None:
            raise Http404("No such message.")
        context = _editor_context(
            request, ad=ad, membership=membership, conversation=conversation, selected=message
        )
        return _render_editor(request, context)
    _require_edit(membership)
    if message is None:
        return _message_deleted(request, ad, membership, conversation, message_id)
    data = conflicts.apply_picks(request.POST)
    op, _, op_arg = data.get("op", "save").partition(":")
    if op not in cs.MESSAGE_OPS:
        op = "save"
    button_ids = [b.pk for b in message.buttons.all()]
    tree = tree_of(conversation)
    failure: tuple[int, dict[str, Any]] | None = None
    assert message is not None

    def save(base: int | None, edit: int | None) -> cs.TreeChange:
        assert message is not None
        return cs.message_save(
            ad_id=ad.pk,
            editor=_user(request),
            message_id=message.pk,
            name=data.get("name", ""),
            kind=data.get("kind", MessageKind.TEXT),
            body=data.get("body", ""),
            form_urn=data.get("form_urn", ""),
            buttons=_button_inputs(data, button_ids),
            op=op,
            op_button_id=_int(op_arg),
            base_revision=base,
            base_edit=edit,
        )

    try:
        try:
            result = save(_int(data.get(conflicts.VERSION_FIELD)), _int(data.get(EDIT_FIELD)))
        except conflicts.EditConflict as error:
            found = _message_conflict(error, data, message, tree)
            if found.fields or found.extra["notes"]:
                raise
            # Changed meanwhile, but just as this person has it.
            result = save(_int(error.version), error.context.get("edit"))
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
        failure = (409, {"conflict": _message_conflict(error, data, message, tree)})
    except (OperationalError, InterfaceError):
        log.exception("Saving a message of conversation ad %s failed on the database", ad.pk)
        messages.error(request, DATABASE_TROUBLE)
        failure = (503, {})
    except ValidationError as error:
        errors = dict(error.message_dict) if hasattr(error, "error_dict") else {"all": error.messages}
        if "__all__" in errors:
            errors["all"] = errors.pop("__all__")
        # Button field errors have no field of their own on the page: list them at the top.
        errors.setdefault("all", []).extend(
            e for k, v in errors.items() if k.startswith("button-") for e in v
        )
        messages.error(
            request, "The message was not saved. Fix what is marked; everything you typed is still here."
        )
        failure = (422, {"form_errors": errors, "tree": _tree_with_form(tree, message, data)})
    if failure is not None:
        status, extra = failure
        ad.refresh_from_db()
        conversation.refresh_from_db()
        message = conversation.messages.prefetch_related("buttons").get(pk=message.pk)
        context = _editor_context(
            request, ad=ad, membership=membership, conversation=conversation, selected=message,
            form_data=data, **extra,
        )  # fmt: skip
        return _render_editor(request, context, status=status)
    if op == "save":
        _saved_message(request, result.revision)
    selected = result.message or message
    if not request.htmx:
        return redirect(reverse("ads:conversation", args=[ad.pk]) + f"?m={selected.pk}#message-form")
    ad.refresh_from_db()
    conversation.refresh_from_db()
    selected = conversation.messages.prefetch_related("buttons").get(pk=selected.pk)
    context = _editor_context(
        request, ad=ad, membership=membership, conversation=conversation, selected=selected
    )
    return _render_editor(request, context)


@login_required
@require_POST
def conversation_check(request: HtmxHttpRequest, ad_id: int, message_id: int) -> HttpResponse:
    """Live validation while typing: the problems and the diagram for the form as it is, nothing saved."""
    ad, _, conversation = _conversation_ad(request, ad_id)
    message = get_object_or_404(conversation.messages, pk=message_id)
    tree = _tree_with_form(tree_of(conversation), message, request.POST)
    problems = validate(tree)
    context = {
        "ad": ad,
        "problems": problems,
        "problem_map": _problems_by_anchor(problems),
        "error_count": sum(p.is_error for p in problems),
        "warning_count": sum(not p.is_error for p in problems),
        "diagram": layout(tree, problems, message.ref),
        "oob": True,
        "body_length": len(request.POST.get("body", "")),
        "body_refusal": limits.raw_body_error(request.POST.get("body", "")),
        "limits": limits,
        "checklist": _checklist(ad, tree),
    }
    # A fragment of the page: no context processors (navigation, workspace switcher) to run on every pause.
    return HttpResponse(render_to_string("ads/conversation/_check.html", context))


@login_required
@require_POST
def conversation_save(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """The tree's "Save": one revision for every change to the tree since the last one."""
    ad, membership, conversation = _conversation_ad(request, ad_id)
    _require_edit(membership)
    try:
        result = cs.conversation_save(ad_id=ad.pk, editor=_user(request))
    except cs.services.AdLocked as error:
        messages.error(request, str(error))
    else:
        _saved_message(request, result.revision)
    if not request.htmx:
        return redirect(_editor_url(ad, _int(request.POST.get("m"))))
    ad.refresh_from_db()
    conversation.refresh_from_db()
    context = _editor_context(
        request, ad=ad, membership=membership, conversation=conversation,
        selected=_selected(conversation, request, _int(request.POST.get("m"))),
    )  # fmt: skip
    return _render_editor(request, context)


def _editor_url(ad: Ad, message_id: int | None) -> str:
    url = reverse("ads:conversation", args=[ad.pk])
    return f"{url}?m={message_id}" if message_id else url


@login_required
@require_POST
def conversation_undo(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """Undo the editor's last change to the tree (add, delete, relink…), as a new revision."""
    ad, membership, conversation = _conversation_ad(request, ad_id)
    _require_edit(membership)
    offer = edits.undoable(ad, _user(request), conversation)
    try:
        cs.tree_undo(ad_id=ad.pk, editor=_user(request), edit=_int(request.POST.get("edit")) or 0)
    except (ValidationError, cs.services.AdLocked) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        what = "; ".join(offer.words) if offer else "the last change"
        messages.success(request, f"Undone: {what}. Save to keep it in a revision.")
    if not request.htmx:
        return redirect("ads:conversation", ad.pk)
    ad.refresh_from_db()
    conversation.refresh_from_db()
    context = _editor_context(
        request, ad=ad, membership=membership, conversation=conversation,
        selected=_selected(conversation, request, _int(request.POST.get("m"))),
    )  # fmt: skip
    return _render_editor(request, context)


@login_required
@require_POST
def message_add(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    ad, membership, conversation = _conversation_ad(request, ad_id)
    _require_edit(membership)
    try:
        if request.POST.get("readd"):
            # "Add it again": a message someone deleted while this person was editing it.
            readd = request.POST
            count = _int(readd.get("readd-buttons")) or 0
            result = cs.message_readd(
                ad_id=ad.pk, editor=_user(request), name=readd.get("name", ""),
                kind=readd.get("kind", MessageKind.TEXT), body=readd.get("body", ""),
                form_urn=readd.get("form_urn", ""),
                buttons=[
                    cs.ButtonInput(
                        id=0, text=readd.get(f"readd-{i}-text", ""),
                        action=readd.get(f"readd-{i}-action", ButtonAction.MESSAGE),
                        target_id=_int(readd.get(f"readd-{i}-target")), url=readd.get(f"readd-{i}-url", ""),
                    )
                    for i in range(min(count, limits.BUTTONS_PER_MESSAGE.maximum))
                ],
            )  # fmt: skip
        else:
            result = cs.message_add(
                ad_id=ad.pk, editor=_user(request), name=request.POST.get("name", ""),
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
    context = _editor_context(
        request, ad=ad, membership=membership, conversation=conversation,
        selected=conversation.messages.get(pk=result.message.pk),
    )  # fmt: skip
    return _render_editor(request, context)


@login_required
@require_http_methods(["GET", "POST"])
def message_delete(request: HtmxHttpRequest, ad_id: int, message_id: int) -> HttpResponse:
    """Asks what to do with the buttons that lead to the message, then deletes it."""
    ad, membership, conversation = _conversation_ad(request, ad_id)
    _require_edit(membership)
    message = get_object_or_404(conversation.messages, pk=message_id)
    inbound = list(message.inbound.exclude(message=message).select_related("message"))
    others = [m for m in conversation.messages.all() if m.pk != message.pk]
    error = ""
    version = _current_version(ad)
    edit = edits.latest_edit(conversation)
    status = 200
    if request.method == "POST":
        try:
            cs.message_delete(
                ad_id=ad.pk,
                editor=_user(request),
                message_id=message.pk,
                inbound=request.POST.get("inbound", cs.INBOUND_DETACH),
                relink_to=_int(request.POST.get("relink_to")),
                base_revision=_int(request.POST.get(conflicts.VERSION_FIELD)),
                base_edit=_int(request.POST.get(EDIT_FIELD)),
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
            ad.refresh_from_db()
            conversation.refresh_from_db()
            context = _editor_context(
                request, ad=ad, membership=membership, conversation=conversation,
                selected=_selected(conversation, request, conversation.first_message_id),
            )  # fmt: skip
            response = _render_editor(request, context)
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


# ---------------------------------------------------------------------------
# Preview, paths, changes
# ---------------------------------------------------------------------------


def _unsaved_frame(request: HtmxHttpRequest, ad: Ad, conversation: Conversation) -> HttpResponse:
    """The inbox as the editor's forms hold it now, unsaved: the open message (`message`, its fields
    as the message form posts them) and the details being typed (subject, sender). Nothing is saved;
    the posted body is sanitized as a save would, and is bounded like the live check's."""
    data = request.POST
    tree = tree_of(conversation)
    message = conversation.messages.filter(pk=_int(data.get("message")) or 0).first()
    ref = None
    if message is not None:
        ref = message.ref
        tree = _tree_with_form(tree, message, data)
        for item in tree["messages"]:
            if item["id"] == ref and item["body"]:
                item["body"] = sanitize_body(item["body"])
    sender = ad.sender
    if "sender" in data:
        sender = Sender.objects.filter(workspace_id=ad.workspace_id, pk=_int(data.get("sender")) or 0).first()
    subject = data.get("subject", ad.subject)[: limits.SUBJECT.maximum * 2]
    banner = ad.banner
    if "banner" in data:
        banner = Image.objects.filter(workspace_id=ad.workspace_id, pk=_int(data.get("banner")) or 0).first()
    snapshot = snapshots.build(
        kind=Kind.CONVERSATION, name=ad.name, sender=sender, subject=subject, footer=ad.footer,
        banner=banner, tree=tree,
    )  # fmt: skip
    member, device = preview_choice(
        request, preview_members(ad.workspace_id), default_device="mobile", from_post=True
    )
    walk_url = f"{reverse('ads:conversation_frame', args=[ad.pk])}?persona={member.key}&device={device}&path="
    path = path_to(tree, ref) if ref else []
    return HttpResponse(preview.render_document(snapshot, member, device, path=path, walk_url=walk_url))


@login_required
@frameable_by_self
@require_http_methods(["GET", "POST"])
def conversation_frame(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """The inbox document for the preview frame at one step of a walk (`?path=b1.b4`).

    Reply buttons in it are plain links back to this view with one more button on the
    path, so the walk works inside a sandboxed frame where no script runs. POST draws the
    unsaved edits instead (the editor's live preview), at the open message.
    """
    ad, _, conversation = _conversation_ad(request, ad_id)
    if request.method == "POST":
        return _unsaved_frame(request, ad, conversation)
    revision = ad.current_revision
    number = _int(request.GET.get("rev"))
    if number is not None:
        revision = get_object_or_404(ad.revisions, number=number)
    if revision is None:
        raise Http404("No revision yet.")
    member, device = preview_choice(request, preview_members(ad.workspace_id), default_device="mobile")
    path = [p for p in request.GET.get("path", "").split(".") if p]
    base = reverse("ads:conversation_frame", args=[ad.pk])
    rev = f"rev={number}&" if number is not None else ""
    walk_url = f"{base}?{rev}persona={member.key}&device={device}&path="
    return HttpResponse(
        preview.render_document(revision.snapshot, member, device, path=path, walk_url=walk_url)
    )


@login_required
def conversation_paths(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """Every path of a revision as transcripts (the current one unless `?rev=`), as a page."""
    ad, membership, _ = _conversation_ad(request, ad_id)
    revision = ad.current_revision
    number = _int(request.GET.get("rev"))
    if number is not None:
        revision = get_object_or_404(ad.revisions, number=number)
    tree = revision.snapshot.get("tree", {}) if revision else {}
    frame_url = reverse("ads:conversation_frame", args=[ad.pk])
    if request.htmx:
        # The editor's "All paths" panel: walk links drive the editor's own preview frame.
        member, device = preview_choice(
            request, preview_members(ad.workspace_id), default_device="mobile", session=Session.REMEMBER
        )
        return render(
            request,
            "ads/conversation/_paths.html",
            {
                "paths": paths(tree),
                "frame_base": f"{frame_url}?persona={member.key}&device={device}&path=",
                "frame_name": "conv-preview",
            },
        )
    return render(
        request,
        "ads/conversation/paths.html",
        {
            "ad": ad,
            "revision": revision,
            "paths": paths(tree),
            "frame_base": f"{frame_url}?{'rev=' + str(number) + '&' if number else ''}path=",
            "membership": membership,
        },
    )


@login_required
def conversation_changes(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """Messages and buttons added, removed and changed between two revisions (`?a=&b=`)."""
    ad, _, _ = _conversation_ad(request, ad_id)
    revisions = {r.number: r for r in selectors.revisions_of(ad)}
    if not revisions:
        return redirect("ads:history", ad.pk)
    newest = max(revisions)
    b = revisions.get(_int(request.GET.get("b")) or newest) or revisions[newest]
    a = (
        revisions.get(_int(request.GET.get("a")) or max(b.number - 1, min(revisions)))
        or revisions[min(revisions)]
    )
    return render(
        request,
        "ads/conversation/changes.html",
        {
            "ad": ad,
            "before": a,
            "after": b,
            "tree_changes": compare_trees(a.snapshot.get("tree"), b.snapshot.get("tree")),
            "revisions": sorted(revisions.values(), key=lambda r: -r.number),
        },
    )
