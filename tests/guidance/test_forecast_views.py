"""The forecast page and the workspace's assumptions, as each persona sees them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad
from inmail_studio.guidance.models import AdPlan, ForecastAssumptions
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _url(ad: Ad) -> str:
    return reverse("guidance:forecast", args=[ad.pk])


def test_an_ad_without_an_audience_asks_for_one(ad: Ad, author: User) -> None:
    response = client_for(author).get(_url(ad))
    assert response.status_code == 200
    assert "Enter your audience size" in response.content.decode()


def test_saving_the_audience_shows_ranges_sources_and_the_funnel(ad: Ad, author: User) -> None:
    client = client_for(author)
    response = client.post(_url(ad), {"audience_size": "10000", "conversion_rate": ""})
    assert response.status_code == 302
    plan = AdPlan.objects.get(ad=ad)
    assert (plan.audience_size, plan.conversion_rate) == (10_000, None)
    html = client.get(_url(ad)).content.decode()
    assert "Forecast inputs saved." in html
    assert 'data-stat="cost">$2,500–$7,500<' in html
    assert 'data-stat="opens">4,000–5,500<' in html
    assert 'data-stat="clicks">120–385<' in html
    assert 'data-stat="leads">12–39<' in html
    assert 'data-stat="cost_per_lead">$64.94–$625.00<' in html
    assert "LeadsBridge" in html and "40–55%" in html and "$50–$200+" in html
    assert "<svg" in html and html.count('class="funnel-low"') == 4
    assert "style=" not in html  # the CSP forbids inline style


def test_typing_an_audience_recalculates_live_without_saving(ad: Ad, viewer: User) -> None:
    response = client_for(viewer).get(
        _url(ad),
        {"audience_size": "2000", "conversion_rate": "20"},
        headers={"HX-Request": "true", "HX-Target": "forecast-result"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="forecast-result"')
    assert 'data-stat="leads">5–15<' in html  # 20% of 24–77 clicks
    assert not AdPlan.objects.filter(ad=ad).exists()


def test_a_conversation_ad_forecasts_replies_at_three_times(make_ad: Any, author: User) -> None:
    ad = make_ad(kind="conversation")
    html = client_for(author).get(_url(ad), {"audience_size": "10000"}).content.decode()
    assert 'data-stat="replies">360–1,155<' in html
    assert 'data-stat="cost">$7,500–$15,000+<' in html


def test_a_broad_audience_is_warned_about_with_the_budget_it_needs(ad: Ad, author: User) -> None:
    html = client_for(author).get(_url(ad), {"audience_size": "400000"}).content.decode()
    assert "is a broad audience for messaging" in html
    assert "$100,000–$300,000" in html


@pytest.mark.parametrize(
    "value, message",
    [("0", "greater than or equal to 1"), ("lots", "Enter a whole number"), ("", "Enter how many members")],
)
def test_a_bad_audience_is_explained_next_to_the_field(
    ad: Ad, author: User, value: str, message: str
) -> None:
    response = client_for(author).post(_url(ad), {"audience_size": value})
    assert response.status_code == 422
    html = response.content.decode()
    field = html[html.index('id="field-audience_size"') :]
    assert message in field[: field.index("</div>")]
    assert not AdPlan.objects.filter(ad=ad, audience_size__isnull=False).exists()


def test_a_viewer_can_calculate_but_not_save(ad: Ad, viewer: User) -> None:
    client = client_for(viewer)
    page = client.get(_url(ad)).content.decode()
    assert "Save to the ad's plan" not in page
    assert client.post(_url(ad), {"audience_size": "1000"}).status_code == 403
    assert not AdPlan.objects.filter(ad=ad).exists()


def test_an_outsider_cannot_see_or_change_another_workspaces_forecast(ad: Ad, outsider: User) -> None:
    client = client_for(outsider)
    assert client.get(_url(ad)).status_code == 404
    assert client.post(_url(ad), {"audience_size": "1000"}).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(ad: Ad) -> None:
    response = client_for(None).get(_url(ad))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ---------- Assumptions ----------


ASSUMPTIONS = {
    "message_cost_low": "0.50",
    "message_cost_high": "1.00",
    "conversation_cost_low": "0.75",
    "conversation_cost_high": "1.50",
    "open_rate_low": "40",
    "open_rate_high": "55",
    "ctr_low": "3",
    "ctr_high": "7",
    "reply_multiplier": "3",
    "conversion_rate": "10",
    "cpl_benchmark_low": "50",
    "cpl_benchmark_high": "200",
    "broad_audience": "100000",
}


def test_the_assumptions_page_shows_the_guides_figures_with_sources(author: User) -> None:
    html = client_for(author).get(reverse("guidance:assumptions")).content.decode()
    assert "These are the guide's figures." in html
    assert 'value="0.25"' in html and 'value="0.75"' in html
    assert "LeadsBridge" in html and "3× higher reply rates" in html
    assert "Only workspace admins can change these." in html


def test_an_admin_changes_the_assumptions_and_forecasts_use_them(
    ad: Ad, admin_user: User, author: User
) -> None:
    response = client_for(admin_user).post(reverse("guidance:assumptions"), ASSUMPTIONS)
    assert response.status_code == 302
    assert ForecastAssumptions.objects.get(workspace=ad.workspace).message_cost_low == Decimal("0.50")
    html = client_for(author).get(_url(ad), {"audience_size": "10000"}).content.decode()
    assert 'data-stat="cost">$5,000–$10,000<' in html
    page = client_for(admin_user).get(reverse("guidance:assumptions")).content.decode()
    assert "Your workspace has its own figures." in page and "Guide: 0.25 – 0.75" in page


def test_a_low_end_above_the_high_end_is_refused_next_to_the_field(
    admin_user: User, workspace: Workspace
) -> None:
    response = client_for(admin_user).post(reverse("guidance:assumptions"), {**ASSUMPTIONS, "ctr_low": "9"})
    assert response.status_code == 422
    assert "The high end must not be below the low end." in response.content.decode()
    assert not ForecastAssumptions.objects.filter(workspace=workspace).exists()


def test_an_admin_resets_to_the_guides_figures(admin_user: User, workspace: Workspace) -> None:
    ForecastAssumptions.objects.create(workspace=workspace, ctr_low=Decimal(1))
    response = client_for(admin_user).post(reverse("guidance:assumptions"), {"reset": "1"})
    assert response.status_code == 302
    assert not ForecastAssumptions.objects.filter(workspace=workspace).exists()


def test_only_admins_change_the_assumptions(author: User, approver: User, workspace: Workspace) -> None:
    for user in (author, approver):
        assert client_for(user).post(reverse("guidance:assumptions"), ASSUMPTIONS).status_code == 403
    assert not ForecastAssumptions.objects.filter(workspace=workspace).exists()


def test_an_outsiders_admin_changes_only_their_own_workspace(
    outsider: User, workspace: Workspace, other_workspace: Workspace
) -> None:
    assert client_for(outsider).post(reverse("guidance:assumptions"), ASSUMPTIONS).status_code == 302
    assert ForecastAssumptions.objects.filter(workspace=other_workspace).exists()
    assert not ForecastAssumptions.objects.filter(workspace=workspace).exists()
