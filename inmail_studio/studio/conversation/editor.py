"""The editor page's context and its rendering: the whole page, or the workspace partial htmx swaps."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from inmail_studio import conflicts
from inmail_studio.accounts.models import Membership
from inmail_studio.ads import limits, preview, snapshots, views
from inmail_studio.ads.conversation import edits
from inmail_studio.ads.conversation.diagram import layout
from inmail_studio.ads.conversation.tree import path_to, paths, tree_of
from inmail_studio.ads.conversation.validation import Problem, validate
from inmail_studio.ads.models import (
    Ad,
    ButtonAction,
    Conversation,
    ConversationMessage,
    Image,
    Kind,
    MessageKind,
)
from inmail_studio.ads.preview_choice import Session, preview_choice, preview_members
from inmail_studio.guidance import context as guidance
from inmail_studio.guidance import services as guidance_services
from inmail_studio.http import HtmxHttpRequest, small_int
from inmail_studio.studio.conversation.access import user_of
from inmail_studio.studio.conversation.forms import SettingsForm

EDIT_FIELD = "base_edit"


DATABASE_TROUBLE = (
    "The database didn't answer in time, so nothing was saved. Everything you typed is still here; "
    "try saving again in a moment."
)


def selected_message(
    conversation: Conversation, request: HtmxHttpRequest, message_id: int | None
) -> ConversationMessage | None:
    if message_id is None:
        raw = request.GET.get("m", "")
        message_id = small_int(raw) or conversation.first_message_id
    queryset = conversation.messages.prefetch_related("buttons")
    chosen = queryset.filter(pk=message_id).first() if message_id is not None else None
    return chosen or queryset.first()


def problems_by_anchor(problems: list[Problem]) -> dict[str, list[Problem]]:
    grouped: dict[str, list[Problem]] = {}
    for problem in problems:
        grouped.setdefault(problem.anchor, []).append(problem)
        if problem.button_id and problem.message_id:
            grouped.setdefault(f"msg-{problem.message_id}", [])
    return grouped


def checklist_of(ad: Ad, tree: dict[str, Any], data: Any = None) -> guidance.Checklist:
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


def editor_context(
    request: HtmxHttpRequest,
    *,
    ad: Ad,
    membership: Membership,
    conversation: Conversation,
    selected: ConversationMessage | None,
    tree: dict[str, Any] | None = None,
    settings_form: SettingsForm | None = None,
    form_errors: dict[str, list[str]] | None = None,
    button_errors: dict[int, dict[str, list[str]]] | None = None,
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
    problem_map = problems_by_anchor(problems)
    selected_buttons = list(selected.buttons.all()) if selected else []
    for button in selected_buttons:
        button.problems = problem_map.get(f"btn-{button.ref}", [])  # type: ignore[attr-defined]
        button.errors = (button_errors or {}).get(button.pk, {})  # type: ignore[attr-defined]
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
        "undo": edits.undoable(ad, user_of(request), conversation, tree=live) if editable else None,
        # The tree's changes since the last revision (adds, deletes, moves): the head offers "Save".
        "unsaved": edits.unsaved_changes(ad, conversation, live),
        "editable": editable,
        "actions": ButtonAction.choices,
        "kinds": MessageKind.choices,
        "limits": limits,
        "max_buttons": limits.BUTTONS_PER_MESSAGE.maximum,
        "max_messages": limits.MESSAGES_PER_CONVERSATION.maximum,
        "checklist": checklist_of(ad, tree, checklist_data),
        **views._presence_context(ad, user_of(request)),
        "plan_version": posted(checklist_data, "plan_version") or guidance_services.plan_version(ad),
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
        else posted_version(form_data, checklist_data) or current_version(ad),
        # …and on the tree as it was when loaded (changes not yet saved as a revision included).
        "base_edit": ("" if conflict or settings_conflict else posted(form_data, EDIT_FIELD))
        or edits.latest_edit(conversation),
    }


def _banner_shown(ad: Ad, form: SettingsForm | None) -> Image | None:
    """The banner the details form shows: the one posted when the form comes back refused, else the saved one."""
    if form is not None and form.is_bound and "banner" in form.data:
        return Image.objects.filter(
            workspace_id=ad.workspace_id, pk=small_int(form.data.get("banner")) or 0
        ).first()
    return ad.banner


def current_version(ad: Ad) -> str:
    return str(ad.current_revision.number) if ad.current_revision else ""


def posted(data: Any, name: str) -> str:
    return str(data.get(name, "")) if data is not None else ""


def posted_version(*posted: Any) -> str:
    for data in posted:
        if data is not None and str(data.get(conflicts.VERSION_FIELD, "")).isdigit():
            return str(data[conflicts.VERSION_FIELD])
    return ""


def render_editor(request: HtmxHttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
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


def render_fresh_editor(
    request: HtmxHttpRequest,
    ad: Ad,
    membership: Membership,
    conversation: Conversation,
    selected_id: int | None,
) -> HttpResponse:
    """The editor as it is after a change: the ad and its tree read again, `selected_id` open."""
    ad.refresh_from_db()
    conversation.refresh_from_db()
    context = editor_context(
        request, ad=ad, membership=membership, conversation=conversation,
        selected=selected_message(conversation, request, selected_id),
    )  # fmt: skip
    return render_editor(request, context)


def saved_message(request: HtmxHttpRequest, revision: Any) -> None:
    if revision is None:
        messages.info(request, "No changes to save.")
    else:
        messages.success(request, f"Saved as revision {revision.number}.")


def editor_url(ad: Ad, message_id: int | None) -> str:
    url = reverse("ads:conversation", args=[ad.pk])
    return f"{url}?m={message_id}" if message_id else url


def _checkable_body(data: Any) -> str:
    """The posted body, or none when it is far too long to parse (its counter says so)."""
    body = data.get("body", "")
    return "" if limits.raw_body_error(body) else body


def tree_with_form(tree: dict[str, Any], ref: str, data: Any) -> dict[str, Any]:
    """The saved tree with the selected message (`ref`) as the form holds it now (for the live check)."""
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
            target = small_int(data.get(f"button-{pk}-target"))
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
