"""The forecast of an ad, the workspace's forecast assumptions, variant sets, and a live ad's results."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from inmail_studio import conflicts
from inmail_studio.accounts.models import User
from inmail_studio.accounts.selectors import current_membership, membership_for
from inmail_studio.ads import limits, preview
from inmail_studio.ads import selectors as ad_selectors
from inmail_studio.ads.models import Ad, Kind, State
from inmail_studio.ads.preview_choice import preview_choice, preview_members
from inmail_studio.client_address import client_ip_or_none
from inmail_studio.dispatch import dispatch
from inmail_studio.http import HtmxHttpRequest, small_int
from inmail_studio.linkedin.models import Campaign
from inmail_studio.linkedin.selectors import CAMPAIGN_FORMATS

from . import forecast as forecasting
from . import results, selectors, services
from . import utm as utm_rule
from .forms import AssumptionsForm, ForecastForm
from .models import SOURCES, DailyResult, ResultsPull


def _user(request: HtmxHttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _forecast_context(ad: Ad, form: ForecastForm, assumptions: forecasting.Assumptions) -> dict[str, Any]:
    """The forecast for the form's inputs when they are valid, else for the saved plan."""
    result = None
    if form.is_bound and form.is_valid():
        audience, rate = form.cleaned_data["audience_size"], form.cleaned_data["conversion_rate"]
    else:
        audience, rate = form.instance.audience_size, form.instance.conversion_rate
    if audience:
        result = forecasting.forecast(
            audience=audience, kind=ad.kind, assumptions=assumptions, conversion_rate=rate
        )
    return {
        "forecast": result,
        "bars": forecasting.funnel_bars(result) if result else [],
        "chart": {
            "width": forecasting.CHART_WIDTH,
            "label_width": forecasting.LABEL_WIDTH,
            "bar_area": forecasting.BAR_AREA,
            "bar_height": forecasting.BAR_HEIGHT,
            "height": forecasting.ROW_HEIGHT * (len(result.stages) if result else 0),
            "text_x": forecasting.LABEL_WIDTH + forecasting.BAR_AREA + 12,
            "label_y": forecasting.BAR_HEIGHT // 2 + 5,
        },
        "sources": SOURCES,
    }


@login_required
@require_http_methods(["GET", "POST"])
def ad_forecast(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """The forecast of one ad. GET with inputs (live) or POST with `calculate` recalculates without
    saving, for viewers too; any other POST saves the inputs to the ad's plan (authors and admins)."""
    user = _user(request)
    ad = ad_selectors.ad_for(user, ad_id)
    membership = membership_for(user, ad.workspace_id)
    assert membership is not None
    plan = selectors.plan_for(ad)
    row = selectors.assumptions_for(ad.workspace_id)
    assumptions = forecasting.Assumptions.of(row)
    status = 200
    conflict = None
    version = conflicts.state_token(services.forecast_state(plan))
    if request.method == "POST" and "calculate" in request.POST:
        form = ForecastForm(request.POST, instance=plan, default_rate=row.conversion_rate)
        version = request.POST.get(conflicts.VERSION_FIELD, version)
        if not form.is_valid():
            status = 422
    elif request.method == "POST":
        if not membership.can_edit:
            raise PermissionDenied("You need the author role in this workspace to plan ads.")
        data = conflicts.apply_picks(request.POST)
        version = data.get(conflicts.VERSION_FIELD, "")
        form = ForecastForm(data, instance=plan, default_rate=row.conversion_rate)
        if form.is_valid():
            try:
                services.plan_update(
                    ad=ad,
                    editor=user,
                    audience_size=form.cleaned_data["audience_size"],
                    conversion_rate=form.cleaned_data["conversion_rate"],
                    forecast=True,
                    expected=conflicts.state_from_token(version),
                )
            except conflicts.EditConflict as error:
                conflict = _state_conflict(error, data, form)
                version, status = error.version, 409
                messages.error(
                    request, f"Not saved: {error.message} Keep yours or take theirs, then save again."
                )
            else:
                if not request.htmx:
                    messages.success(request, "Forecast inputs saved.")
                    return redirect("guidance:forecast", ad.pk)
        else:
            status = 422
    elif "audience_size" in request.GET:
        form = ForecastForm(request.GET, instance=plan, default_rate=row.conversion_rate)
        if not form.is_valid():
            status = 422
    else:
        form = ForecastForm(instance=plan, default_rate=row.conversion_rate)
    context = {
        "ad": ad,
        "membership": membership,
        "form": form,
        "saved": request.method == "POST" and "calculate" not in request.POST and status == 200,
        "conflict": conflict,
        "base_version": version,
        "assumptions_row": row,
        **_forecast_context(ad, form, assumptions),
    }
    if request.htmx and request.htmx.target == "forecast-result":
        return render(request, "guidance/forecast.html#result", context, status=status)
    return render(request, "guidance/forecast.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def assumptions(request: HtmxHttpRequest) -> HttpResponse:
    """The workspace's forecast assumptions, each with its source; admins edit them."""
    membership = current_membership(request)
    workspace = membership.workspace
    row = selectors.assumptions_for(workspace.pk)
    conflict = None
    if request.method == "POST":
        if not membership.can_admin:
            raise PermissionDenied("Only workspace admins can change the forecast assumptions.")
        if "reset" in request.POST:
            services.assumptions_reset(workspace=workspace, editor=_user(request))
            messages.success(request, "Forecast assumptions reset to the guide's figures.")
            return redirect("guidance:assumptions")
        data = conflicts.apply_picks(request.POST)
        version = data.get(conflicts.VERSION_FIELD, "")
        form = AssumptionsForm(data, instance=row)
        status = 422
        if form.is_valid():
            try:
                services.assumptions_update(
                    workspace=workspace,
                    editor=_user(request),
                    values=form.cleaned_data,
                    expected=conflicts.state_from_token(version),
                )
            except conflicts.EditConflict as error:
                conflict = _state_conflict(error, data, form)
                version, status = error.version, 409
                messages.error(
                    request, f"Not saved: {error.message} Keep yours or take theirs, figure by figure."
                )
            else:
                messages.success(request, "Forecast assumptions saved.")
                return redirect("guidance:assumptions")
        else:
            messages.error(request, "The assumptions were not saved; see the marked fields.")
    else:
        form = AssumptionsForm(instance=row)
        status = 200
        version = conflicts.state_token(services.assumptions_state(row))
    return render(
        request,
        "guidance/assumptions.html",
        {
            "form": form,
            "membership": membership,
            "customised": not row._state.adding,
            "conflict": conflict,
            "base_version": version,
        },
        status=status,
    )


def _state_conflict(error: conflicts.EditConflict, data: Any, form: Any) -> conflicts.Conflict:
    """Figure by figure: what the person typed against what another person saved meanwhile."""
    current, base = error.context["current"], error.context["base"]
    names = list(current)
    mine = {name: services.figure(data.get(name, "")) for name in names}
    return conflicts.Conflict(
        message=error.message,
        version=error.version,
        fields=conflicts.field_conflicts(
            fields=[(name, str(form.fields[name].label or name)) for name in names],
            mine=mine,
            theirs=current,
            base=base,
        ),
    )


# ---------------------------------------------------------------- variants


def _editor_url(ad: Ad) -> str:
    return reverse("ads:conversation" if ad.kind == Kind.CONVERSATION else "ads:edit", args=[ad.pk])


@login_required
@require_http_methods(["GET", "POST"])
def variant_create(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """ "Create variant": a copy of the ad as the next letter of its set, with the subject it should try."""
    user = _user(request)
    ad = ad_selectors.ad_for(user, ad_id)
    membership = membership_for(user, ad.workspace_id)
    if membership is None or not membership.can_edit:
        raise PermissionDenied("You need the author role in this workspace to create variants.")
    variant = selectors.variant_of(ad)
    errors: dict[str, str] = {}
    subject = request.POST.get("subject", ad.subject) if request.method == "POST" else ad.subject
    if request.method == "POST":
        try:
            copy = services.variant_create(ad_id=ad.pk, author=user, subject=subject)
        except ValidationError as error:
            by_field = error.message_dict if hasattr(error, "error_dict") else {"general": error.messages}
            errors = {
                ("general" if field == "__all__" else field): " ".join(texts)
                for field, texts in by_field.items()
            }
        except services.VariantRefused as error:
            errors = {"general": str(error)}
        else:
            label = copy.variant.label
            messages.success(
                request,
                f"Variant {label} created. Change its subject or body so the variants test something.",
            )
            return redirect(_editor_url(copy))
    return render(
        request,
        "guidance/variant_new.html",
        {
            "ad": ad,
            "variant": variant,
            "subject": subject,
            "errors": errors,
            "subject_limit": limits.SUBJECT.maximum,
        },
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def variant_set(request: HtmxHttpRequest, set_id: int) -> HttpResponse:
    """The variants side by side (previews and what differs from A); approvers approve all or each;
    the campaign they share is chosen here for all of them."""
    user = _user(request)
    variant_set = selectors.variant_set_for(user, set_id)
    membership = membership_for(user, variant_set.workspace_id)
    assert membership is not None
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "approve":
            if not membership.can_approve:
                raise PermissionDenied("Your role in this workspace doesn't allow you to approve ads.")
            chosen = request.POST.getlist("ad")
            revisions = {
                int(ad_id): request.POST.get(f"revision-{ad_id}", "")
                for ad_id in chosen
                if small_int(ad_id) is not None
            }
            try:
                approved = services.variant_set_approve(
                    set_id=variant_set.pk,
                    approver=user,
                    revisions=revisions,
                    comment=request.POST.get("comment", ""),
                    ip=client_ip_or_none(request),
                )
            except services.VariantRefused as error:
                problems, status = error.messages, 409
            else:
                labels = ", ".join(a.variant.label for a in approved)
                messages.success(request, f"Approved variant{'s' if len(approved) > 1 else ''} {labels}.")
                return redirect("guidance:variant_set", variant_set.pk)
        elif action == "campaign":
            if not (membership.can_edit or membership.can_approve):
                raise PermissionDenied("Your role in this workspace doesn't allow you to choose campaigns.")
            try:
                services.variant_set_campaign(
                    set_id=variant_set.pk, user=user, campaign_urn=request.POST.get("campaign", "")
                )
            except ValidationError as error:
                problems, status = error.messages, 422
            else:
                messages.success(request, "Every variant that isn't live is in this campaign now.")
                return redirect("guidance:variant_set", variant_set.pk)
        else:
            problems, status = ["Choose what to do."], 400
    rows = selectors.variant_rows(variant_set)
    members = preview_members(variant_set.workspace_id)
    member, device = preview_choice(request, members)
    columns = [{"row": row, "frame": preview.frame(row.snapshot, member, device)} for row in rows]
    approvable = [
        row for row in rows if row.in_review and membership.can_approve and row.review_author_id != user.pk
    ]
    campaigns = {row.campaign_urn for row in rows}
    return render(
        request,
        "guidance/variants.html",
        {
            "variant_set": variant_set,
            "membership": membership,
            "columns": columns,
            "rows": rows,
            "approvable": approvable,
            "own_in_review": [r for r in rows if r.in_review and r.review_author_id == user.pk],
            "problems": problems,
            "members": members,
            "member": member,
            "device": device,
            "devices": preview.DEVICES,
            "campaign": services.set_campaign(variant_set),
            "campaigns_differ": len(campaigns) > 1,
            # Only campaigns the set's kind of ad can run in: a message ad never goes to a conversation campaign.
            "campaign_choices": Campaign.objects.filter(
                workspace_id=variant_set.workspace_id,
                format__in=[
                    "",
                    *(CAMPAIGN_FORMATS[row.ad.kind] for row in rows if row.ad.kind in CAMPAIGN_FORMATS),
                ],
            ),
            "first_label": rows[0].label if rows else "A",
        },
        status=status,
    )


# ---------------------------------------------------------------- results


@login_required
@require_http_methods(["GET", "POST"])
def ad_results(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """How a live ad is doing: its rates against the forecast and the guide, and its days as a chart.

    POST ("Refresh from LinkedIn") queues a pull of its figures now rather than at the next beat.
    """
    user = _user(request)
    ad = ad_selectors.ad_for(user, ad_id)
    membership = membership_for(user, ad.workspace_id)
    assert membership is not None
    if request.method == "POST":
        if not (membership.can_edit or membership.can_approve):
            raise PermissionDenied("Your role in this workspace doesn't allow you to refresh results.")
        if ad.state == State.LIVE:
            from .tasks import pull_ad_results_task

            # A broker that is down is logged; the hourly pull catches up.
            dispatch(pull_ad_results_task, ad.pk)
            messages.success(request, "Asked LinkedIn for the latest figures.")
        return redirect("guidance:results", ad.pk)
    return render(request, "guidance/results.html", _results_context(ad, membership))


def _results_context(ad: Ad, membership: Any) -> dict[str, Any]:
    rows = selectors.results_rows(ad)
    totals = results.Totals.of(rows)
    plan = selectors.plan_for(ad)
    assumptions = forecasting.Assumptions.of(selectors.assumptions_for(ad.workspace_id))
    expected = (
        forecasting.forecast(
            audience=plan.audience_size,
            kind=ad.kind,
            assumptions=assumptions,
            conversion_rate=plan.conversion_rate,
        )
        if plan.audience_size
        else None
    )
    return {
        "ad": ad,
        "membership": membership,
        "totals": totals,
        "comparisons": results.compare(
            totals, kind=ad.kind, workspace=assumptions, guide=forecasting.Assumptions.guide()
        ),
        "expected": expected,
        "chart": results.chart(rows),
        "days": _day_table(rows),
        "pull": ResultsPull.objects.filter(ad=ad).first(),
        "sources": SOURCES,
    }


def _day_table(rows: list[DailyResult]) -> list[tuple[Any, results.Totals | None]]:
    """Every day from the first reported to the last, newest first; None marks a day LinkedIn didn't report."""
    if not rows:
        return []
    by_day: dict[Any, list[DailyResult]] = {}
    for row in rows:
        by_day.setdefault(row.day, []).append(row)
    first, last = min(by_day), max(by_day)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [(day, results.Totals.of(by_day[day]) if day in by_day else None) for day in reversed(days)]


# What the builder reads is bounded by the fields it comes from (the URL field, the ad name, the variant).
UTM_INPUTS = {
    "url": ("The landing page URL", Ad._meta.get_field("landing_page_url").max_length or 0),
    "name": ("The ad name", Ad._meta.get_field("name").max_length or 0),
    "variant": ("The variant", 40),
}


@login_required
@require_GET
def utm(request: HtmxHttpRequest) -> JsonResponse:
    """The editor's "Add UTM tags": the landing page URL tagged by `guidance.utm` (a pure function of
    what is typed, so it reads nothing stored), or the message to show beside the field (422)."""
    given = {key: request.GET.get(key, "") for key in UTM_INPUTS}
    for key, (label, limit) in UTM_INPUTS.items():
        if len(given[key]) > limit:
            return JsonResponse({"error": f"{label} is longer than {limit} characters."}, status=422)
    try:
        url = utm_rule.build(given["url"], ad_name=given["name"], variant=given["variant"])
    except utm_rule.Unreadable as error:
        return JsonResponse({"error": str(error)}, status=422)
    return JsonResponse({"url": url})
