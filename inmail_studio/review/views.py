"""Pages of the approval workflow: the queue, my drafts, the review page, the timeline,
share links (and the stakeholder's page behind them) and notifications."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from inmail_studio.accounts.models import Membership, User
from inmail_studio.accounts.selectors import current_membership, current_membership_or_none, membership_for
from inmail_studio.ads import placeholders, preview
from inmail_studio.ads.conversation.tree import paths
from inmail_studio.ads.models import Ad, Kind
from inmail_studio.ads.preview_choice import Session, preview_choice, preview_device, preview_members
from inmail_studio.ads.selectors import ad_for
from inmail_studio.ads.services import BUILT_IN_PERSONAS
from inmail_studio.client_address import client_ip_or_none
from inmail_studio.http import HtmxHttpRequest, framed_by_self, small_int
from inmail_studio.ratelimit import Rate, rate_limited

from . import selectors, services
from .models import Notification, ShareKind
from .workflow import IllegalMove, StaleState

PAGE_SIZE = 25
log = logging.getLogger(__name__)


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _ip(request: HtmxHttpRequest) -> str | None:
    return client_ip_or_none(request)


def _membership(request: HtmxHttpRequest, ad: Ad) -> Membership:
    membership = membership_for(_user(request), ad.workspace_id)
    assert membership is not None  # ad_for already returned 404 to non-members
    return membership


def _own_path(url: str) -> bool:
    """A path on this site. Browsers read `/\\evil.example` and `/<tab>/evil.example` as another host,
    so a leading slash is not enough; Django's own check is the one `LoginView` trusts."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


def _back(request: HtmxHttpRequest, default: str) -> HttpResponse:
    """Where a form came from (only our own paths), for the no-JavaScript round trip."""
    target = request.POST.get("next", "")
    url = target if _own_path(target) else default
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# ---------------------------------------------------------------- lists


@login_required
@require_GET
def mine(request: HtmxHttpRequest) -> HttpResponse:
    membership = current_membership(request)
    ads = selectors.my_drafts(_user(request), workspace_id=membership.workspace_id)
    page = Paginator(ads, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/mine.html", {"membership": membership, "page": page})


# ---------------------------------------------------------------- the review page


def _detail(
    request: HtmxHttpRequest,
    ad: Ad,
    *,
    errors: dict[str, str] | None = None,
    data: Any = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    membership = _membership(request, ad)
    page = selectors.review_page(ad)
    members = preview_members(ad.workspace_id)
    member, device = preview_choice(request, members, session=Session.READ)
    is_open = page.awaiting_decision
    own = page.revision.author_id == user.pk
    comment_fields = [
        (name, label)
        for name, label in services.COMMENT_FIELDS.items()
        if not page.is_conversation or name in selectors.CONVERSATION_FIELDS
    ]
    if page.is_conversation:
        # The reviewed revision walked in the editor's frame view: reply buttons and the paths'
        # "walk it" links step through it without leaving the review page.
        width, height = preview.FRAME_SIZE[device]
        frame_base = (
            reverse("ads:conversation_frame", args=[ad.pk])
            + f"?rev={page.revision.number}&persona={member.key}&device={device}&path="
        )
        shown: dict[str, Any] = {
            "device": device,
            "frame_width": width,
            "frame_height": height,
            "frame_base": frame_base,
        }
    else:
        shown = preview.frame(page.revision.snapshot, member, device)
    context = {
        "ad": ad,
        "membership": membership,
        "page": page,
        "members": members,
        "member": member,
        "macro_problems": preview.macro_problems(page.revision.snapshot),
        "placeholder_links": placeholders.in_snapshot(page.revision.snapshot),
        "can_decide": is_open and membership.can_approve and not own,
        "own_revision": own,
        "is_open": is_open,
        "can_comment": membership.can_edit or membership.can_approve,
        "comment_fields": comment_fields,
        "comment_labels": services.COMMENT_FIELDS,
        "errors": errors or {},
        "data": data or {},
        **shown,
    }
    return render(request, "review/detail.html", context, status=status)


@login_required
@require_GET
def detail(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    ad = ad_for(_user(request), ad_id)
    if ad.current_revision_id is None:
        messages.info(request, "Save the draft first; there is nothing to review yet.")
        return redirect("ads:edit", ad.pk)
    return _detail(request, ad)


@login_required
@require_POST
def decide(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    user = _user(request)
    ad = ad_for(user, ad_id)
    decision = request.POST.get("decision", "")
    comment = request.POST.get("comment", "")
    revision_hash = request.POST.get("revision", "")
    field_comments = {
        name: request.POST.get(f"field_{name}", "")
        for name in services.COMMENT_FIELDS
        if request.POST.get(f"field_{name}", "").strip()
    }
    try:
        if decision == "approve":
            services.approve(
                ad_id=ad.pk, approver=user, revision_hash=revision_hash, comment=comment, ip=_ip(request)
            )
            messages.success(request, f"Approved “{ad.name}”. The author has been told.")
        elif decision == "request_changes":
            services.request_changes(
                ad_id=ad.pk,
                approver=user,
                revision_hash=revision_hash,
                comment=comment,
                field_comments=field_comments,
                ip=_ip(request),
            )
            messages.success(request, f"Changes requested on “{ad.name}”. The author has been told.")
        else:
            return _detail(
                request,
                ad,
                errors={"decision": "Choose approve or request changes."},
                data=request.POST,
                status=422,
            )
    except (StaleState, IllegalMove) as error:
        messages.error(request, str(error))
        return redirect("review:detail", ad.pk)
    except ValidationError as error:
        return _detail(
            request, ad, errors={"comment": " ".join(error.messages)}, data=request.POST, status=422
        )
    except (OperationalError, InterfaceError):
        log.exception("Deciding on ad %s failed on the database", ad.pk)
        # Nothing was recorded; the comments typed come back with the page.
        return _detail(
            request,
            ad,
            errors={
                "decision": "The database didn't answer in time, so nothing was recorded. Your comments "
                "are still here; try again in a moment."
            },
            data=request.POST,
            status=503,
        )
    if request.htmx:
        return HttpResponseClientRedirect(reverse("review:queue"))
    return redirect("review:queue")


@login_required
@require_POST
def comment(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    user = _user(request)
    ad = ad_for(user, ad_id)
    try:
        services.comment_add(
            ad_id=ad.pk,
            author=user,
            body=request.POST.get("body", ""),
            field=request.POST.get("field", ""),
            ip=_ip(request),
        )
    except ValidationError as error:
        return _detail(request, ad, errors={"body": " ".join(error.messages)}, data=request.POST, status=422)
    messages.success(request, "Comment added.")
    return _back(request, reverse("review:detail", args=[ad.pk]) + "#thread")


# ---------------------------------------------------------------- moves from the editor


@login_required
@require_POST
def submit(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    user = _user(request)
    ad = ad_for(user, ad_id)
    try:
        services.submit(ad_id=ad.pk, actor=user, ip=_ip(request), comment=request.POST.get("comment", ""))
    except services.NotReady as error:
        messages.error(request, "Not submitted yet. " + " ".join(error.messages))
    except (IllegalMove, StaleState) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{ad.name}” is in review. Approvers have been told.")
    return _back(request, reverse("ads:edit", args=[ad.pk]))


@login_required
@require_POST
def withdraw(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    user = _user(request)
    ad = ad_for(user, ad_id)
    try:
        services.withdraw(ad_id=ad.pk, actor=user, ip=_ip(request))
    except (IllegalMove, StaleState) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Withdrawn from review. It is a draft again and you can edit it.")
    return _back(request, reverse("ads:edit", args=[ad.pk]))


@login_required
@require_POST
def duplicate(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    user = _user(request)
    ad = ad_for(user, ad_id)
    copy = services.duplicate(ad_id=ad.pk, actor=user, ip=_ip(request))
    messages.success(request, f"“{copy.name}” is a new draft with the content of “{ad.name}”.")
    return redirect("ads:edit", copy.pk)


@login_required
@require_GET
def timeline(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    ad = ad_for(_user(request), ad_id)
    return render(
        request,
        "review/timeline.html",
        {"ad": ad, "entries": selectors.timeline_for(ad), "membership": _membership(request, ad)},
    )


# ---------------------------------------------------------------- share links


@login_required
@require_http_methods(["GET", "POST"])
def share(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    user = _user(request)
    ad = ad_for(user, ad_id)
    membership = _membership(request, ad)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not (membership.can_edit or membership.can_approve):
            raise PermissionDenied("Your role in this workspace doesn't allow sharing ads.")
        days = request.POST.get("days", "")
        try:
            services.share_link_create(
                ad_id=ad.pk,
                creator=user,
                recipient=request.POST.get("recipient", ""),
                kind=request.POST.get("kind", ShareKind.PREVIEW),
                days=small_int(days, digits=3) or 0,
                ip=_ip(request),
            )
        except ValidationError as error:
            errors["form"] = " ".join(error.messages)
        except IllegalMove as error:
            errors["form"] = str(error)
        else:
            messages.success(request, "Link created. Copy it below and send it to them.")
            return redirect("review:share", ad.pk)
    # The token is the authority (a sign-off link can send the ad back to draft): only members who
    # may share see it; a viewer sees who has a link and until when.
    can_share = membership.can_edit or membership.can_approve
    links = [
        {
            "link": link,
            "status": selectors.share_link_status(link),
            "url": request.build_absolute_uri(reverse("review:shared", args=[services.share_token(link)]))
            if can_share
            else "",
        }
        for link in selectors.share_links_of(ad)
    ]
    # The page lists the links' addresses, and a token is the authority: never kept in any cache.
    response = render(
        request,
        "review/share.html",
        {
            "ad": ad,
            "membership": membership,
            "links": links,
            "errors": errors,
            "data": request.POST if errors else {},
            "kinds": ShareKind.choices,
            "default_days": services.SHARE_LINK_DAYS,
            "max_days": services.SHARE_LINK_MAX_DAYS,
        },
        status=422 if errors else 200,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def share_revoke(request: HtmxHttpRequest, link_id: int) -> HttpResponse:
    link = services.share_link_revoke(link_id=link_id, actor=_user(request), ip=_ip(request))
    messages.success(request, f"The link for {link.recipient} no longer works.")
    return redirect("review:share", link.ad_id)


SAMPLE_MEMBER = preview.PreviewMember(
    "sample",
    "A sample member",
    {k: v for k, v in BUILT_IN_PERSONAS[0].items() if k != "label"},
)


def _private(response: HttpResponse) -> HttpResponse:
    # The token is the key: never send it off-site in a Referer, never cache or index the page.
    # same-origin, not no-referrer: under no-referrer Chromium posts the sign-off form with `Origin: null`
    # (Fetch's origin serialisation), which Django's CSRF check rightly refuses. same-origin sends the
    # Referer and the real Origin to this site only (whose logs redact the token) and nothing elsewhere.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# The stakeholder's page is open to anyone holding a link: each address gets so many pages (a
# conversation's walk loads one per click) and far fewer decisions, shared by every web process.
SHARED_PAGE_RATE = Rate(limit=240, window=600)
SHARED_DECISION_RATE = Rate(limit=20, window=600)


def _too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    minutes = max(1, round(retry_after / 60))
    reason = (
        f"Too many requests from your network to shared previews. Wait {minutes} minute"
        f"{'s' if minutes != 1 else ''}, then open the link again."
    )
    return _private(render(request, "review/shared_refused.html", {"reason": reason}))


@rate_limited("shared-page", SHARED_PAGE_RATE, _too_many)
@rate_limited("shared-decision", SHARED_DECISION_RATE, _too_many, methods=("POST",))
@require_http_methods(["GET", "POST"])
def shared(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The stakeholder's page: one revision's preview, and for sign-off links two buttons (used once)."""
    try:
        link = services.share_link_resolve(token)
    except services.ShareLinkRefused as error:
        return _private(
            render(request, "review/shared_refused.html", {"reason": str(error)}, status=error.status)
        )
    errors: dict[str, str] = {}
    done = ""
    if request.method == "POST":
        try:
            link = services.stakeholder_decide(
                token=token,
                verdict=request.POST.get("verdict", ""),
                revision_hash=request.POST.get("revision", ""),
                comment=request.POST.get("comment", ""),
                ip=_ip(request),
            )
        except services.ShareLinkRefused as error:
            return _private(
                render(request, "review/shared_refused.html", {"reason": str(error)}, status=error.status)
            )
        except ValidationError as error:
            errors["form"] = " ".join(error.messages)
        else:
            done = request.POST.get("verdict", "")
    device = preview_device(request)
    snapshot = link.revision.snapshot
    is_conversation = snapshot.get("kind") == Kind.CONVERSATION
    context = {
        "link": link,
        "token": token,
        "revision": link.revision,
        "signoff": link.kind == ShareKind.SIGNOFF,
        "errors": errors,
        "data": request.POST if errors else {},
        "done": done,
        "is_conversation": is_conversation,
    }
    if is_conversation:
        # The frame walks the shared revision through this same link (`?frame=1&path=b1.b4`):
        # the stakeholder clicks the replies as a member would, and reads every path below it.
        frame_base = f"{reverse('review:shared', args=[token])}?frame=1&device={device}&path="
        if request.method == "GET" and request.GET.get("frame"):
            path = [p for p in request.GET.get("path", "").split(".") if p]
            document = preview.render_document(
                snapshot, SAMPLE_MEMBER, device, path=path, walk_url=frame_base
            )
            return framed_by_self(_private(HttpResponse(document)))
        width, height = preview.FRAME_SIZE[device]
        context |= {
            "paths": paths(snapshot.get("tree") or {}),
            "frame_base": frame_base,
            "device": device,
            "frame_width": width,
            "frame_height": height,
        }
    else:
        context |= preview.frame(snapshot, SAMPLE_MEMBER, device)
    return _private(render(request, "review/shared.html", context, status=422 if errors else 200))


# ---------------------------------------------------------------- notifications


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HtmxHttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        services.notifications_mark_read(user=user)
        messages.success(request, "All notifications marked as read.")
        return redirect("review:notifications")
    return render(
        request,
        "review/notifications.html",
        {
            "notifications": selectors.notifications_for(user),
            "membership": current_membership_or_none(request),
        },
    )


@login_required
@require_GET
def notification_open(request: HtmxHttpRequest, notification_id: int) -> HttpResponse:
    """Mark a notification read and go where it points."""
    notification = get_object_or_404(Notification, pk=notification_id, recipient=_user(request))
    services.notifications_mark_read(user=_user(request), ids=[notification.pk])
    url = notification.url if _own_path(notification.url) else "/"
    return redirect(url)


@login_required
@require_GET
def bell(request: HtmxHttpRequest) -> HttpResponse:
    """The bell alone, polled by htmx so the unread count changes without a reload."""
    return render(request, "review/_bell.html", {})
