"""Pages for the LinkedIn integration: the connection, the ad page's panel, the ledger and the payload."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from inmail_studio.accounts.models import Membership, User
from inmail_studio.accounts.selectors import current_membership, membership_for
from inmail_studio.ads.models import Ad, State
from inmail_studio.ads.selectors import ad_for
from inmail_studio.client_address import client_ip_or_none
from inmail_studio.http import HtmxHttpRequest

from . import oauth, readiness, selectors, services
from .client import Rejected, Transient
from .models import Campaign, ConnectionEvent, TestSend


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _require_admin(membership: Membership) -> Membership:
    if not membership.can_admin:
        raise PermissionDenied("Only a workspace admin can manage the LinkedIn connection.")
    return membership


def _ad_and_membership(request: HtmxHttpRequest, ad_id: int) -> tuple[Ad, Membership]:
    user = _user(request)
    ad = ad_for(user, ad_id)
    membership = membership_for(user, ad.workspace_id)
    assert membership is not None
    return ad, membership


def _ip(request: HtmxHttpRequest) -> str | None:
    return client_ip_or_none(request)


# --- connection ----------------------------------------------------------------------


@login_required
@require_GET
def connection(request: HtmxHttpRequest) -> HttpResponse:
    membership = current_membership(request)
    workspace = membership.workspace
    return render(
        request,
        "linkedin/connection.html",
        {
            "membership": membership,
            "workspace": workspace,
            "connection": selectors.connection_of(workspace.pk),
            "campaigns": Campaign.objects.filter(workspace=workspace),
            "senders": workspace.senders.all(),
            "events": ConnectionEvent.objects.filter(workspace=workspace).select_related("actor")[:20]
            if membership.can_admin
            else [],
            "site_url_elsewhere": _site_url_elsewhere(request),
            "sandbox": settings.LINKEDIN_SANDBOX,
        },
    )


def _site_url_elsewhere(request: HtmxHttpRequest) -> dict[str, str] | None:
    """The address the site was opened at and SITE_URL, when they differ (else None): OAuth's return
    address and every link in an email are made from one of them, so the admin is told which to set."""
    here = request.build_absolute_uri("/").rstrip("/")
    if here == settings.SITE_URL:
        return None
    return {"here": here, "configured": settings.SITE_URL}


@login_required
@require_POST
def connect(request: HtmxHttpRequest) -> HttpResponse:
    membership = _require_admin(current_membership(request))
    return redirect(oauth.start(request, workspace_id=membership.workspace_id))


@login_required
@require_GET
@sensitive_variables("grant")
def callback(request: HtmxHttpRequest) -> HttpResponse:
    try:
        workspace_id, grant = oauth.finish(request)
    except oauth.OAuthRefused as error:
        messages.error(request, str(error))
        return redirect("linkedin:connection")
    except (Rejected, Transient) as error:
        messages.error(request, f"LinkedIn didn't complete the sign-in: {error.explain()}")
        return redirect("linkedin:connection")
    membership = membership_for(_user(request), workspace_id)
    if membership is None:
        raise PermissionDenied("You are not a member of that workspace.")
    _require_admin(membership)
    connection = services.connection_store(
        workspace=membership.workspace, admin=_user(request), grant=grant, ip=_ip(request)
    )
    missing = services.missing_scopes(connection)
    if missing:
        messages.warning(
            request,
            f"LinkedIn is connected without {', '.join(missing)}; the features that need "
            f"{'them' if len(missing) > 1 else 'it'} stay off until you reconnect and allow every permission.",
        )
    messages.success(request, "LinkedIn is connected. Now choose the ad account this workspace uses.")
    return redirect("linkedin:account")


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def account(request: HtmxHttpRequest) -> HttpResponse:
    membership = _require_admin(current_membership(request))
    workspace = membership.workspace
    error = ""
    try:
        accounts = services.accounts_available(workspace=workspace)
    except services.NotConnected as problem:
        messages.error(request, str(problem))
        return redirect("linkedin:connection")
    except (Rejected, Transient) as problem:
        accounts, error = [], problem.explain()
    if request.method == "POST":
        try:
            services.account_choose(
                workspace_id=workspace.pk, admin=_user(request), account_urn=request.POST.get("account", "")
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        except (Rejected, Transient) as problem:
            error = problem.explain()
        else:
            messages.success(request, "Ad account chosen; its campaigns and senders are imported.")
            return redirect("linkedin:connection")
    return render(
        request,
        "linkedin/account.html",
        {"membership": membership, "workspace": workspace, "accounts": accounts, "error": error},
        status=422 if error and request.method == "POST" else 200,
    )


@login_required
@require_POST
def refresh(request: HtmxHttpRequest) -> HttpResponse:
    """Re-read campaigns and sender permissions from LinkedIn now."""
    membership = _require_admin(current_membership(request))
    try:
        campaigns = services.campaigns_import(workspace=membership.workspace)
        senders = services.senders_import(workspace=membership.workspace)
    except services.NotConnected as error:
        messages.error(request, str(error))
    except (Rejected, Transient) as error:
        messages.error(request, error.explain())
    else:
        messages.success(
            request, f"Refreshed {len(campaigns)} campaigns and {len(senders)} senders from LinkedIn."
        )
    return redirect("linkedin:connection")


@login_required
@require_POST
def disconnect(request: HtmxHttpRequest) -> HttpResponse:
    """Revoke both tokens at LinkedIn, delete them here, record who did it; say what happened."""
    membership = _require_admin(current_membership(request))
    done = services.connection_disconnect(
        workspace_id=membership.workspace_id, admin=_user(request), ip=_ip(request)
    )
    if done.failed:
        messages.warning(request, done.message)
    else:
        messages.success(request, done.message)
    return redirect("linkedin:connection")


@login_required
@require_http_methods(["GET", "POST"])
def readiness_check(request: HtmxHttpRequest) -> HttpResponse:
    """The readiness check: GET explains it, POST runs it (read calls to LinkedIn only, nothing stored)."""
    membership = _require_admin(current_membership(request))
    report = readiness.run(membership.workspace) if request.method == "POST" else None
    return render(
        request,
        "linkedin/readiness.html",
        {
            "membership": membership,
            "workspace": membership.workspace,
            "report": report,
            "titles": readiness.TITLES,
        },
    )


@login_required
@require_POST
def import_contents(request: HtmxHttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if not (membership.can_admin or membership.can_edit):
        raise PermissionDenied("Your role can't import ads.")
    try:
        ads = services.contents_import(workspace_id=membership.workspace_id, admin=_user(request))
    except services.NotConnected as error:
        messages.error(request, str(error))
    except (Rejected, Transient) as error:
        messages.error(request, error.explain())
    else:
        if ads:
            messages.success(request, f"Imported {len(ads)} message ads from LinkedIn as drafts.")
        else:
            messages.info(request, "Nothing new to import: every message ad of the account is already here.")
    return redirect("linkedin:connection")


# --- the ad page's panel -----------------------------------------------------------------


def _panel(request: HtmxHttpRequest, ad: Ad, membership: Membership, *, status: int = 200) -> HttpResponse:
    """The panel alone for htmx, or back to the ad page without JavaScript."""
    if not request.htmx:
        return redirect("ads:edit", ad.pk)
    ad.refresh_from_db()
    return render(
        request, "linkedin/_panel.html", {"panel": selectors.panel_for(ad, membership)}, status=status
    )


# States in which the ad page is locked: when the panel's polling sees the ad leave one, the page
# reloads (the editor unlocks after a sync, shows "live" after a launch). Never while someone types.
LOCKED_WHILE = {State.SYNCING.value, State.LAUNCHING.value}


@login_required
@require_GET
def panel(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    ad, membership = _ad_and_membership(request, ad_id)
    was = request.GET.get("was", "")
    if request.htmx and was in LOCKED_WHILE and was != ad.state:
        return HttpResponseClientRefresh()
    return render(request, "linkedin/_panel.html", {"panel": selectors.panel_for(ad, membership)})


@login_required
@require_POST
def campaign(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    ad, membership = _ad_and_membership(request, ad_id)
    try:
        services.campaign_choose(
            ad_id=ad.pk, user=_user(request), campaign_urn=request.POST.get("campaign", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _panel(request, ad, membership, status=422)
    ad.refresh_from_db()
    name = selectors.panel_for(ad, membership).campaign_name
    if not name:
        messages.success(request, "No campaign: the ad won't sync to LinkedIn until one is chosen.")
    elif ad.state in (State.SYNCING, State.SYNCED):
        messages.success(
            request,
            f"Campaign saved: {name}. Syncing the approved revision to it on LinkedIn, as a draft creative.",
        )
    else:
        messages.success(
            request, f"Campaign saved: {name}. The ad syncs to it on LinkedIn once it is approved."
        )
    return _panel(request, ad, membership)


def _queue(
    request: HtmxHttpRequest,
    ad_id: int,
    ask: Callable[..., object],
    *,
    queued: str,
    refused_status: int = 200,
) -> HttpResponse:
    """Ask a service to queue a job for the ad; the panel says it is queued, or why it was refused."""
    ad, membership = _ad_and_membership(request, ad_id)
    try:
        ask(ad_id=ad.pk, user=_user(request))
    except services.SyncRefused as error:
        messages.error(request, str(error))
        return _panel(request, ad, membership, status=refused_status)
    messages.info(request, queued)
    return _panel(request, ad, membership)


@login_required
@require_POST
def retry(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """ "Sync to LinkedIn", "Retry sync", and "Retry now" on a sync or launch that waits."""
    return _queue(request, ad_id, services.sync_or_retry, queued="Sent to LinkedIn's queue.")


@login_required
@require_POST
def test_send(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    ad, membership = _ad_and_membership(request, ad_id)
    try:
        send = services.test_send_request(ad_id=ad.pk, user=_user(request))
    except services.SyncRefused as error:
        messages.error(request, str(error))
        return _panel(request, ad, membership, status=409 if request.htmx else 200)
    send.refresh_from_db()
    if not send.finished:
        # Only while it is on its way: once sent (at once, without a broker), the panel's status
        # line says so, and a "sending…" beside "sent" would contradict it.
        messages.info(request, "Sending a test message to the connected member's LinkedIn inbox…")
    return _panel(request, ad, membership)


@login_required
@require_POST
def test_send_confirm(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """ "It arrived": a possibly sent test was found in the member's inbox."""
    return _queue(
        request,
        ad_id,
        services.test_send_confirm,
        queued="Noted: the test message arrived.",
        refused_status=409 if request.htmx else 200,
    )


@login_required
@require_POST
def launch(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    ad, membership = _ad_and_membership(request, ad_id)
    try:
        services.launch(ad_id=ad.pk, approver=_user(request), ip=_ip(request))
    except services.SyncRefused as error:
        # A double click lands here too: the first click is launching it.
        messages.error(request, str(error))
        return _panel(request, ad, membership, status=409 if request.htmx else 200)
    ad.refresh_from_db()
    if ad.state == State.LIVE:  # in-process Celery: it already ran
        messages.success(request, "Launched: the creative is ACTIVE on LinkedIn and the ad is locked.")
        if request.htmx:
            return HttpResponseClientRefresh()
        return redirect("ads:edit", ad.pk)
    messages.info(request, "Launching: LinkedIn is setting the creative ACTIVE. The ad is locked meanwhile.")
    return _panel(request, ad, membership)


@login_required
@require_GET
def ledger(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    ad, membership = _ad_and_membership(request, ad_id)
    return render(
        request,
        "linkedin/ledger.html",
        {
            "ad": ad,
            "membership": membership,
            "attempts": selectors.attempts_of(ad),
            "test_sends": TestSend.objects.filter(ad=ad).select_related("requested_by")[:50],
        },
    )


@login_required
@require_GET
def payload(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    ad, membership = _ad_and_membership(request, ad_id)
    data = selectors.payload_for(ad)
    for call in data["calls"]:
        call["json"] = json.dumps(call["body"], indent=2, ensure_ascii=False)
    if request.GET.get("format") == "json":
        return HttpResponse(
            json.dumps(
                [{"call": c["call"], "body": c["body"]} for c in data["calls"]], indent=2, ensure_ascii=False
            ),
            content_type="application/json",
        )
    return render(request, "linkedin/payload.html", {"ad": ad, "membership": membership, **data})
