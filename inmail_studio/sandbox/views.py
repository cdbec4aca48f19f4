"""The sandbox's pages: the members' test inboxes and the staff console (faults, tokens)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from inmail_studio.ads import macros, preview
from inmail_studio.ads.preview_choice import preview_device
from inmail_studio.http import frameable_by_self

from . import faults, services, tokens
from .forms import FaultForm
from .models import AdAccount, FaultConfig, InboxMessage, Member, Token


def reader(member: Member) -> preview.PreviewMember:
    """The inbox's owner as the renderer's member: LinkedIn fills macros from the recipient's profile.

    The sandbox knows only names; the company, job title and industry show LinkedIn's fallbacks.
    """
    return preview.PreviewMember(
        member.slug, member.name, {"first_name": member.first_name, "last_name": member.last_name}
    )


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sandbox/home.html",
        {
            "members": Member.objects.annotate(received=Count("test_messages")),
            "accounts": AdAccount.objects.prefetch_related(
                "campaigns", "roles__member", "sender_permissions__member"
            ),
        },
    )


def _readable_members(request: HttpRequest) -> QuerySet[Member]:
    """The members whose test inbox the signed-in user may read: every one for staff; otherwise the
    member a workspace of theirs is connected to LinkedIn as (test sends arrive in that inbox)."""
    from inmail_studio.linkedin.models import LinkedInConnection

    if request.user.is_staff:
        return Member.objects.all()
    urns = LinkedInConnection.objects.filter(
        workspace__memberships__user_id=request.user.pk or 0
    ).values_list("member_urn", flat=True)
    slugs = [urn.removeprefix("urn:li:person:") for urn in urns if urn.startswith("urn:li:person:")]
    return Member.objects.filter(slug__in=slugs)


def _inbox_owner(request: HttpRequest, slug: str) -> Member:
    """The member whose inbox this is, if the user may read it; another's inbox is a 404."""
    member = _readable_members(request).filter(slug=slug).first()
    if member is None:
        raise Http404("No such test inbox.")
    return member


@login_required
def inbox_members(request: HttpRequest) -> HttpResponse:
    members = _readable_members(request).annotate(received=Count("test_messages"))
    return render(request, "sandbox/inbox_members.html", {"members": members})


def _device(request: HttpRequest) -> str:
    return preview_device(request)


@login_required
def inbox(request: HttpRequest, slug: str) -> HttpResponse:
    member = _inbox_owner(request, slug)
    received = list(member.test_messages.all()[:50])
    if received:
        return _render_message(request, member, received, received[0])
    return render(request, "sandbox/inbox.html", {"member": member, "received": received, "opened": None})


@login_required
def inbox_message(request: HttpRequest, slug: str, message_id: int) -> HttpResponse:
    member = _inbox_owner(request, slug)
    opened = get_object_or_404(InboxMessage, pk=message_id, recipient=member)
    return _render_message(request, member, list(member.test_messages.all()[:50]), opened)


def _path(request: HttpRequest) -> list[str]:
    return [p for p in request.GET.get("path", "").split(".") if p]


def _walk_url(member: Member, message: InboxMessage, device: str) -> str:
    """Where a reply button inside the frame leads: the frame view, one more button on the path."""
    base = reverse("sandbox:inbox_frame", args=[member.slug, message.pk])
    return f"{base}?device={device}&path="


def _render_message(
    request: HttpRequest, member: Member, received: list[InboxMessage], opened: InboxMessage
) -> HttpResponse:
    if opened.read_at is None:
        InboxMessage.objects.filter(pk=opened.pk).update(read_at=timezone.now())
    device = _device(request)
    width, height = preview.FRAME_SIZE[device]
    # The one renderer, as `preview.frame` uses it, plus a conversation's walk: its reply buttons
    # are links that load the next step into the same sandboxed frame (no script runs in it).
    document = preview.render_document(
        opened.snapshot,
        reader(member),
        device,
        path=_path(request),
        walk_url=_walk_url(member, opened, device),
        drafting=False,
    )
    values = reader(member).values
    rows = [(message, macros.fill_text(message.snapshot.get("subject", ""), values)) for message in received]
    context = {
        "member": member,
        "rows": rows,
        "opened": opened,
        "is_conversation": bool(opened.snapshot.get("tree")),
        "document": document,
        "device": device,
        "frame_width": width,
        "frame_height": height,
    }
    return render(request, "sandbox/inbox.html", context)


@frameable_by_self
@login_required
def inbox_frame(request: HttpRequest, slug: str, message_id: int) -> HttpResponse:
    """One step of a test conversation as a bare document, for the inbox's frame (`?path=m1b1.m2b2`)."""
    member = _inbox_owner(request, slug)
    opened = get_object_or_404(InboxMessage, pk=message_id, recipient=member)
    device = _device(request)
    return HttpResponse(
        preview.render_document(
            opened.snapshot,
            reader(member),
            device,
            path=_path(request),
            walk_url=_walk_url(member, opened, device),
            drafting=False,
        )
    )


@staff_member_required
def console(request: HttpRequest) -> HttpResponse:
    config = FaultConfig.current()
    return render(
        request,
        "sandbox/console.html",
        {
            "form": FaultForm(instance=config),
            "header": faults.HEADER,
            "tokens": Token.objects.select_related("member").filter(kind=Token.Kind.ACCESS)[:50],
            "now": timezone.now(),
        },
    )


@staff_member_required
@require_POST
def console_faults(request: HttpRequest) -> HttpResponse:
    form = FaultForm(request.POST, instance=FaultConfig.current())
    if not form.is_valid():
        return render(
            request,
            "sandbox/console.html",
            {
                "form": form,
                "header": faults.HEADER,
                "tokens": Token.objects.select_related("member").filter(kind=Token.Kind.ACCESS)[:50],
                "now": timezone.now(),
            },
            status=400,
        )
    services.faults_configure(**form.cleaned_data)
    messages.success(
        request, "Faults saved. Every REST call without its own X-Sandbox-Faults header suffers them."
    )
    return redirect("sandbox:console")


@staff_member_required
@require_POST
def console_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(Token, pk=token_id)
    tokens.token_revoke(token=token.refresh or token)
    messages.success(request, f"Revoked the token …{token.hint} of {token.member} (and its refresh token).")
    return redirect("sandbox:console")
