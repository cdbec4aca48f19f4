"""The workspace admin's pages: members and invitations, senders, settings and the audit trail.

Every page is for the admins of the workspace the user is working in (a 403 page otherwise);
every object named in a URL is looked up inside that workspace, so another workspace's member,
invitation or sender is a 404. Writes go through `workspace_services` and `ads.sender_admin`,
which check the admin's role again inside their transaction.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from inmail_studio.accounts.models import Invitation, Membership, Role, User
from inmail_studio.accounts.selectors import SESSION_KEY, current_membership
from inmail_studio.ads import sender_admin
from inmail_studio.ads.models import Sender
from inmail_studio.csv_export import csv_response
from inmail_studio.http import small_int
from inmail_studio.review import audit
from inmail_studio.single_line import SingleLineFields

from . import services

AUDIT_PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _admin(request: HttpRequest) -> Membership:
    """The user's membership of the workspace they are working in, if they are its admin; else 403."""
    membership = current_membership(request)
    if not membership.can_admin:
        raise PermissionDenied("Only this workspace's admins can manage members, senders and settings.")
    return membership


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.AUTHOR)


class WorkspaceForm(SingleLineFields, forms.Form):
    name = forms.CharField(label="Workspace name", max_length=120)


ROLE_HELP = {
    Role.AUTHOR: "writes drafts and submits them for review",
    Role.APPROVER: "reviews, approves and launches; never their own work",
    Role.ADMIN: "everything, plus members, senders, settings and the LinkedIn connection",
    Role.VIEWER: "reads everything, changes nothing",
}


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    membership = _admin(request)
    workspace = membership.workspace
    form = WorkspaceForm(request.POST or None, initial={"name": workspace.name})
    if request.method == "POST":
        if form.is_valid():
            services.workspace_update(
                workspace_id=workspace.pk, admin=_user(request), name=form.cleaned_data["name"]
            )
            messages.success(request, "The workspace's settings are saved.")
            return redirect("workspace:settings")
        messages.error(request, "The settings were not saved; see the marked field.")
    return render(
        request,
        "workspace/settings.html",
        {"form": form, "workspace": workspace, "section": "settings"},
        status=422 if form.errors else 200,
    )


def _members_page(
    request: HttpRequest, membership: Membership, form: InviteForm, status: int = 200
) -> HttpResponse:
    workspace = membership.workspace
    members = (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username")
    )
    invitations = Invitation.objects.filter(
        workspace=workspace, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).select_related("invited_by")
    return render(
        request,
        "workspace/members.html",
        {
            "workspace": workspace,
            "members": members,
            "invitations": invitations,
            "form": form,
            "roles": Role.choices,
            "role_help": [(Role(value).label, ROLE_HELP[Role(value)]) for value, _ in Role.choices],
            "me": membership,
            "section": "members",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest) -> HttpResponse:
    membership = _admin(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                sent = services.invitation_create(
                    workspace_id=membership.workspace_id,
                    admin=_user(request),
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                )
            except services.Refused as refusal:
                form.add_error("email", str(refusal))
            else:
                messages.success(
                    request,
                    f"Invitation emailed to {sent.invitation.email} as {sent.invitation.get_role_display().lower()}; "
                    f"the link works for {services.INVITATION_DAYS} days.",
                )
                return redirect("workspace:members")
        return _members_page(request, membership, form, status=422)
    return _members_page(request, membership, form)


@login_required
@require_POST
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    me = _admin(request)
    target = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, workspace=me.workspace
    )
    role = request.POST.get("role", "")
    if role not in Role.values:
        messages.error(request, "Choose one of the roles listed.")
        return redirect("workspace:members")
    try:
        services.membership_role_change(
            membership_id=target.pk, admin=_user(request), workspace_id=me.workspace_id, role=role
        )
    except services.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"{target.user.display_name} is now {Role(role).label.lower()}.")
    return redirect("workspace:members")


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    me = _admin(request)
    target = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, workspace=me.workspace
    )
    if request.method == "POST":
        try:
            services.membership_remove(
                membership_id=target.pk, admin=_user(request), workspace_id=me.workspace_id
            )
        except services.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request, f"{target.user.display_name} no longer has access to {me.workspace.name}."
            )
        return redirect("workspace:members")
    return render(
        request,
        "workspace/member_remove.html",
        {"target": target, "workspace": me.workspace, "is_me": target.pk == me.pk, "section": "members"},
    )


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    me = _admin(request)
    invitation = get_object_or_404(Invitation, pk=invitation_id, workspace=me.workspace, accepted_at=None)
    services.invitation_revoke(
        invitation_id=invitation.pk, admin=_user(request), workspace_id=me.workspace_id
    )
    messages.success(request, f"The invitation to {invitation.email} is withdrawn; its link no longer works.")
    return redirect("workspace:members")


class JoinForm(SingleLineFields, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("first_name", "last_name", "username")


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation link: a signed-in person joins; a new one makes their account, then joins."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "workspace/join_refused.html", status=404)
    user = request.user if isinstance(request.user, User) and request.user.is_authenticated else None
    form = None if user else JoinForm(request.POST or None)
    if request.method == "POST":
        if user is None:
            assert form is not None
            if form.is_valid():
                user = form.save(commit=False)
                user.email = invitation.email
                user.save()
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if user is not None:
            try:
                joined = services.invitation_accept(token=token, user=user)
            except services.Refused as refusal:
                messages.error(request, str(refusal))
            else:
                request.session[SESSION_KEY] = joined.workspace_id
                messages.success(
                    request,
                    f"Welcome to {joined.workspace.name}. You are {joined.get_role_display().lower()} here.",
                )
                return redirect("home")
    return render(
        request,
        "workspace/join.html",
        {"invitation": invitation, "form": form, "signed_in": user},
        status=422 if form is not None and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def senders(request: HttpRequest) -> HttpResponse:
    me = _admin(request)
    form = sender_admin.SenderForm(request.POST or None, request.FILES or None, workspace_id=me.workspace_id)
    if request.method == "POST":
        if form.is_valid():
            sender = sender_admin.sender_save(form=form, admin=_user(request))
            messages.success(
                request, f"{sender.name} added. LinkedIn asks them to accept before ads can be sent as them."
            )
            return redirect("workspace:senders")
        messages.error(request, "The sender was not added; see the marked fields.")
    return render(
        request,
        "workspace/senders.html",
        {
            "workspace": me.workspace,
            "senders": Sender.objects.filter(workspace=me.workspace).order_by("name"),
            "form": form,
            "section": "senders",
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def sender_edit(request: HttpRequest, sender_id: int) -> HttpResponse:
    me = _admin(request)
    sender = get_object_or_404(Sender, pk=sender_id, workspace=me.workspace)
    form = sender_admin.SenderForm(
        request.POST or None, request.FILES or None, instance=sender, workspace_id=me.workspace_id
    )
    if request.method == "POST":
        if form.is_valid():
            sender_admin.sender_save(form=form, admin=_user(request))
            messages.success(request, f"{sender.name} is saved.")
            return redirect("workspace:senders")
        messages.error(request, "The sender was not saved; see the marked fields.")
    return render(
        request,
        "workspace/sender_edit.html",
        {"workspace": me.workspace, "sender": sender, "form": form, "section": "senders"},
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def sender_remove(request: HttpRequest, sender_id: int) -> HttpResponse:
    me = _admin(request)
    sender = get_object_or_404(Sender, pk=sender_id, workspace=me.workspace)
    try:
        sender_admin.sender_delete(sender_id=sender.pk, admin=_user(request), workspace_id=me.workspace_id)
    except sender_admin.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"{sender.name} is removed from the senders.")
    return redirect("workspace:senders")


def _audit_events(request: HttpRequest, me: Membership) -> tuple[audit.AuditFilter, Any]:
    form = audit.AuditFilter(request.GET or None, workspace=me.workspace)
    return form, form.apply(audit.audit_events_for(me.workspace))


@login_required
@require_http_methods(["GET"])
def audit_trail(request: HttpRequest) -> HttpResponse:
    me = _admin(request)
    form, events = _audit_events(request, me)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(small_int(request.GET.get("page")) or 1)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workspace/audit.html",
        {
            "workspace": me.workspace,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
            "section": "audit",
        },
    )


@login_required
@require_http_methods(["GET"])
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    me = _admin(request)
    _, events = _audit_events(request, me)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return csv_response(audit.audit_csv_rows(events), filename=f"audit-{me.workspace.slug}-{stamp}.csv")
