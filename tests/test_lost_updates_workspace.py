"""Lost updates on the workspace's shared pages: sample members, forecast assumptions, an ad's forecast inputs.

These have no revisions; each page carries the values it was loaded with (signed) as its version.
"""

from __future__ import annotations

import html
import re
from typing import Any

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import Ad, Persona
from inmail_studio.guidance.models import AdPlan, ForecastAssumptions
from tests.conftest import client_for


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _hidden(response: Any, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', response.content.decode())
    assert match, name
    return html.unescape(match.group(1))


def _conflict_fields(response: Any) -> dict[str, str]:
    page = response.content.decode()
    out = {
        f"conflict-theirs-{m.group(1)}": html.unescape(m.group(2))
        for m in re.finditer(r'name="conflict-theirs-([^"]+)" value="([^"]*)"', page)
    }
    out |= {
        f"conflict-pick-{m.group(1)}": m.group(2)
        for m in re.finditer(r'name="conflict-pick-([^"]+)" value="(mine|theirs)" checked', page)
    }
    return out


# --- sample members ------------------------------------------------------------------------------


def _personas_form(page: Any, **changes: str) -> dict[str, str]:
    """The sample members page as the browser posts it, with some fields changed."""
    data = {"base_version": _hidden(page, "base_version")}
    for m in re.finditer(r'name="(form-[^"]+)"(?: [^>]*)? value="([^"]*)"', page.content.decode()):
        data[m.group(1)] = html.unescape(m.group(2))
    for m in re.finditer(
        r'<input type="(?:text|hidden|number)" name="(form-[^"]+)"[^>]*?(?: value="([^"]*)")?[^>]*>',
        page.content.decode(),
    ):
        data.setdefault(m.group(1), html.unescape(m.group(2) or ""))
    return {**data, **changes}


def test_two_admins_editing_the_sample_members_get_a_conflict_and_merge_per_field(
    workspace: Workspace, author: User, admin_user: User
) -> None:
    ad_services.personas_ensure(workspace=workspace)
    alice, ada = client_for(author), client_for(admin_user)
    page_alice, page_ada = alice.get("/ads/personas/"), ada.get("/ads/personas/")
    first = Persona.objects.filter(workspace=workspace).order_by("position", "pk").first()
    assert first is not None
    assert (
        alice.post(
            "/ads/personas/", _personas_form(page_alice, **{"form-0-company": "Alice Corp"})
        ).status_code
        == 302
    )
    mine = _personas_form(page_ada, **{"form-0-job_title": "Ada's title"})
    refused = ada.post("/ads/personas/", mine)
    assert refused.status_code == 409
    assert "Someone else saved the sample members" in _text(refused)
    assert 'value="Ada&#x27;s title"' in refused.content.decode()  # what Ada typed is in the form
    fields = _conflict_fields(refused)
    assert (
        fields["conflict-pick-form-0-company"] == "theirs"
        and fields["conflict-pick-form-0-job_title"] == "mine"
    )
    first.refresh_from_db()
    assert first.company == "Alice Corp" and first.job_title != "Ada's title"
    saved = ada.post("/ads/personas/", {**mine, "base_version": _hidden(refused, "base_version"), **fields})
    assert saved.status_code == 302
    first.refresh_from_db()
    assert (first.company, first.job_title) == ("Alice Corp", "Ada's title")


def test_a_sample_member_someone_deleted_comes_back_as_a_new_one_with_what_was_typed(
    workspace: Workspace, author: User, admin_user: User
) -> None:
    ad_services.personas_ensure(workspace=workspace)
    page = client_for(admin_user).get("/ads/personas/")
    doomed = Persona.objects.filter(workspace=workspace).order_by("position", "pk").first()
    assert doomed is not None
    doomed.delete()
    refused = client_for(admin_user).post(
        "/ads/personas/", _personas_form(page, **{"form-0-company": "Typed here"})
    )
    assert refused.status_code == 409
    assert f"Someone else deleted “{doomed.label}”" in _text(refused)
    assert 'value="Typed here"' in refused.content.decode()


# --- forecast assumptions and forecast inputs -------------------------------------------------------------


def test_two_admins_saving_forecast_assumptions_get_a_conflict_per_figure(
    workspace: Workspace, admin_user: User, author: User
) -> None:
    from inmail_studio.accounts.models import Membership, Role

    Membership.objects.filter(user=author, workspace=workspace).update(role=Role.ADMIN)
    alice, ada = client_for(author), client_for(admin_user)
    page = ada.get("/guidance/assumptions/")
    fields = {
        m.group(1): m.group(2)
        for m in re.finditer(r'<input type="number" name="([a-z_]+)" value="([^"]*)"', page.content.decode())
    }
    form = {**fields, "base_version": _hidden(page, "base_version")}
    assert alice.post("/guidance/assumptions/", {**form, "open_rate_low": "41"}).status_code == 302
    mine = {**form, "ctr_high": "6"}
    refused = ada.post("/guidance/assumptions/", mine)
    assert refused.status_code == 409
    picks = _conflict_fields(refused)
    assert picks["conflict-pick-open_rate_low"] == "theirs" and picks["conflict-pick-ctr_high"] == "mine"
    assert (
        ada.post(
            "/guidance/assumptions/", {**mine, "base_version": _hidden(refused, "base_version"), **picks}
        ).status_code
        == 302
    )
    row = ForecastAssumptions.objects.get(workspace=workspace)
    assert (str(row.open_rate_low.normalize()), str(row.ctr_high.normalize())) == ("41", "6")


def test_two_authors_saving_an_ads_forecast_inputs_get_a_conflict(
    ad: Ad, author: User, admin_user: User
) -> None:
    alice, ada = client_for(author), client_for(admin_user)
    page = ada.get(f"/guidance/ads/{ad.pk}/forecast/")
    version = _hidden(page, "base_version")
    assert (
        alice.post(
            f"/guidance/ads/{ad.pk}/forecast/",
            {"audience_size": "20000", "conversion_rate": "", "base_version": version},
        ).status_code
        == 302
    )
    refused = ada.post(
        f"/guidance/ads/{ad.pk}/forecast/",
        {"audience_size": "5000", "conversion_rate": "3", "base_version": version},
    )
    assert refused.status_code == 409
    assert 'value="5000"' in refused.content.decode()
    assert AdPlan.objects.get(ad=ad).audience_size == 20000
