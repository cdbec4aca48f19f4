"""The forecast of an ad and the workspace's forecast assumptions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from inmail_studio.accounts.models import User
from inmail_studio.accounts.selectors import current_membership, membership_for
from inmail_studio.ads import selectors as ad_selectors
from inmail_studio.ads.models import Ad
from inmail_studio.http import HtmxHttpRequest

from . import forecast as forecasting
from . import selectors, services
from .forms import AssumptionsForm, ForecastForm
from .models import SOURCES


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
    """The forecast of one ad. GET with inputs recalculates without saving (live, and for viewers);
    POST saves the inputs to the ad's plan (authors and admins)."""
    user = _user(request)
    ad = ad_selectors.ad_for(user, ad_id)
    membership = membership_for(user, ad.workspace_id)
    assert membership is not None
    plan = selectors.plan_for(ad)
    row = selectors.assumptions_for(ad.workspace_id)
    assumptions = forecasting.Assumptions.of(row)
    status = 200
    if request.method == "POST":
        if not membership.can_edit:
            raise PermissionDenied("You need the author role in this workspace to plan ads.")
        form = ForecastForm(request.POST, instance=plan, default_rate=row.conversion_rate)
        if form.is_valid():
            services.plan_update(
                ad=ad,
                editor=user,
                audience_size=form.cleaned_data["audience_size"],
                conversion_rate=form.cleaned_data["conversion_rate"],
                forecast=True,
            )
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
        "saved": request.method == "POST" and status == 200,
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
    if request.method == "POST":
        if not membership.can_admin:
            raise PermissionDenied("Only workspace admins can change the forecast assumptions.")
        if "reset" in request.POST:
            services.assumptions_reset(workspace=workspace, editor=_user(request))
            messages.success(request, "Forecast assumptions reset to the guide's figures.")
            return redirect("guidance:assumptions")
        form = AssumptionsForm(request.POST, instance=row)
        if form.is_valid():
            services.assumptions_update(workspace=workspace, editor=_user(request), values=form.cleaned_data)
            messages.success(request, "Forecast assumptions saved.")
            return redirect("guidance:assumptions")
        messages.error(request, "The assumptions were not saved; see the marked fields.")
        status = 422
    else:
        form = AssumptionsForm(instance=row)
        status = 200
    return render(
        request,
        "guidance/assumptions.html",
        {"form": form, "membership": membership, "customised": not row._state.adding},
        status=status,
    )
