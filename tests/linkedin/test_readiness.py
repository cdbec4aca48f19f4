"""The readiness check, against the sandbox over HTTP, with each failure produced on purpose: the page
for workspace admins and `manage.py linkedin_check`. Only read calls are made."""

from __future__ import annotations

import html
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import Sender
from inmail_studio.linkedin import readiness
from inmail_studio.linkedin.models import LinkedInConnection
from inmail_studio.sandbox import contract
from inmail_studio.sandbox import models as sandbox
from tests.conftest import GOOD_AD, client_for

from .conftest import connect

pytestmark = pytest.mark.usefixtures("sandbox_url")


def checks(workspace: Workspace) -> dict[str, readiness.Check]:
    return {c.key: c for c in readiness.run(workspace).checks}


def test_a_well_connected_workspace_passes_every_check_with_read_calls_only(
    workspace: Workspace, admin_user: User
) -> None:
    connect(workspace, admin_user)
    contract.forget()
    report = readiness.run(workspace)
    assert [c.key for c in report.checks] == list(readiness.ORDER[1:])
    assert report.ready, [(c.key, c.summary) for c in report.failed]
    found = {c.key: c for c in report.checks}
    assert "is Account manager on urn:li:sponsoredAccount:508915158" in found["role"].summary
    assert "Message and conversation ads each have a campaign" in found["campaigns"].summary
    assert "3 lead forms readable" in found["lead_forms"].summary
    # Sofia is still asked: a warning, not a failure, while no ad uses her.
    assert found["senders"].warn and "Sofia Alvarez: requested" in found["senders"].items
    # Read calls only: GETs, and the token introspection (a POST that changes nothing).
    calls = contract.seen()
    assert {c.method for c in calls if c.row != "R04"} == {"GET"}
    assert {c.row for c in calls} == {"R04", "R09", "R13", "R10", "R37"}


def test_a_sunset_version_fails_first_and_says_which_setting_to_change_and_to_what(
    workspace: Workspace, admin_user: User, settings: Any
) -> None:
    connect(workspace, admin_user)
    settings.LINKEDIN_API_VERSION = "202511"  # LinkedIn sunset it on 16 November 2026
    found = checks(workspace)
    assert found["version"].ok is False
    assert "LINKEDIN_API_VERSION=2026" in found["version"].fix
    assert all(found[key].ok is None for key in readiness.ORDER[2:])  # nothing else can be asked


def test_missing_scopes_fail_and_say_which_features_stop(workspace: Workspace, admin_user: User) -> None:
    connect(workspace, admin_user, scope="r_ads rw_ads")
    found = checks(workspace)
    scopes = found["scopes"]
    assert scopes.ok is False
    assert "Missing r_ads_reporting, openid, profile (as LinkedIn reports the token)" in scopes.summary
    assert "so these won't work: reading results (ad analytics);" in scopes.summary
    assert "r_ads_reporting: missing — reading results (ad analytics)" in scopes.items
    assert "Reconnect LinkedIn" in scopes.fix


def test_a_viewer_on_the_account_fails_the_role_check(workspace: Workspace, admin_user: User) -> None:
    # Dana only has the VIEWER role on the demo account: she may read it, not create ads there.
    connect(workspace, admin_user, slug="dana-whitfield")
    role = checks(workspace)["role"]
    assert role.ok is False
    assert "has only Viewer on urn:li:sponsoredAccount:508915158" in role.summary
    assert "Creative manager" in role.fix


def test_an_ad_whose_sender_has_not_approved_fails_the_sender_check(
    workspace: Workspace, admin_user: User, author: User
) -> None:
    connect(workspace, admin_user)
    sofia = Sender.objects.get(workspace=workspace, urn="urn:li:person:sofia-alvarez")
    ad_services.ad_create(workspace=workspace, author=author, fields={**GOOD_AD, "sender": sofia})
    senders = checks(workspace)["senders"]
    assert senders.ok is False
    assert senders.summary.startswith("Sofia Alvarez can't send yet")
    assert "Sofia Alvarez: requested (used by an ad)" in senders.items
    assert "accept the sender permission request" in senders.fix


def test_no_usable_conversation_campaign_fails_the_campaign_check(
    workspace: Workspace, admin_user: User
) -> None:
    connect(workspace, admin_user)
    sandbox.Campaign.objects.filter(format="SPONSORED_MESSAGE").update(status="ARCHIVED")
    campaigns = checks(workspace)["campaigns"]
    assert campaigns.ok is False
    assert "No usable conversation ad campaign" in campaigns.summary
    assert "conversation ad campaigns (SPONSORED_MESSAGE): none" in campaigns.items


def test_an_ad_naming_an_archived_or_unknown_form_fails_the_lead_form_check(
    workspace: Workspace, admin_user: User, author: User
) -> None:
    connect(workspace, admin_user)
    sender = Sender.objects.get(workspace=workspace, urn="urn:li:person:dana-whitfield")
    for name, form in (("Old survey", "urn:li:adForm:4244"), ("Typo", "urn:li:adForm:999")):
        ad_services.ad_create(
            workspace=workspace,
            author=author,
            fields={
                **GOOD_AD,
                "name": name,
                "sender": sender,
                "cta_kind": "lead_form",
                "landing_page_url": "",
                "lead_form_urn": form,
            },
        )
    forms = checks(workspace)["lead_forms"]
    assert forms.ok is False
    assert "urn:li:adForm:4244 (archived) used by “Old survey”" in forms.summary
    assert "urn:li:adForm:999 (not on the account) used by “Typo”" in forms.summary


def test_a_member_without_a_role_on_the_account_fails_reading_it(
    workspace: Workspace, admin_user: User
) -> None:
    connect(workspace, admin_user)
    sandbox.AccountRole.objects.filter(member__slug="ada-admin", account_id=508915158).delete()
    found = checks(workspace)
    assert found["role"].ok is False and "has no role" in found["role"].summary
    assert found["senders"].ok is False and "ACCESS_DENIED" not in found["senders"].summary
    assert "Reconnect LinkedIn as a member with a role" in found["senders"].fix


def test_without_a_connection_the_check_says_to_connect(workspace: Workspace) -> None:
    found = checks(workspace)
    assert found["connection"].ok is False and "Connect LinkedIn" in found["connection"].fix


def test_the_page_runs_the_check_for_admins_only(
    workspace: Workspace, admin_user: User, author: User, viewer: User
) -> None:
    connect(workspace, admin_user, scope="r_ads rw_ads")
    admin = client_for(admin_user)
    intro = admin.get("/linkedin/readiness/")
    assert intro.status_code == 200 and b"Run the check" in intro.content
    page = html.unescape(admin.post("/linkedin/readiness/").content.decode())
    assert "1 check to fix" in page
    assert 'data-check="scopes" data-state="failed"' in page
    assert "What to do: Press “Reconnect LinkedIn”" in page
    for user in (author, viewer):
        assert client_for(user).get("/linkedin/readiness/").status_code == 403
        assert client_for(user).post("/linkedin/readiness/").status_code == 403


def test_the_command_prints_each_check_and_exits_1_when_one_fails(
    workspace: Workspace, admin_user: User
) -> None:
    connect(workspace, admin_user)
    out = io.StringIO()
    call_command("linkedin_check", "--workspace", workspace.slug, stdout=out)
    text = out.getvalue()
    assert "✓ The API version is accepted" in text and "Ready for LinkedIn." in text

    LinkedInConnection.objects.filter(workspace=workspace).delete()
    connect(workspace, admin_user, slug="dana-whitfield")
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("linkedin_check", "--workspace", str(workspace.pk), stdout=out)
    assert failed.value.returncode == 1
    assert "✗ The member may create ads on the account" in out.getvalue()
    assert "What to do: In Campaign Manager" in out.getvalue()
