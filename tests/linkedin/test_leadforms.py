"""The account's lead gen forms for the editors' pickers (linkedin/leadforms.py), from the sandbox over HTTP
(contract row R37), and the picker fragment both editors load."""

from __future__ import annotations

import pytest

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.linkedin import leadforms
from inmail_studio.sandbox import contract
from inmail_studio.sandbox import models as sandbox
from tests.conftest import client_for

from .conftest import ACCOUNT, connect

pytestmark = pytest.mark.usefixtures("sandbox_url")


def test_the_accounts_forms_are_listed_published_first_and_read_once_per_few_minutes(
    workspace: Workspace, admin_user: User
) -> None:
    connect(workspace, admin_user)
    contract.forget()
    found = leadforms.lead_forms(workspace)
    assert found.problem == ""
    assert [(f.name, f.urn, f.usable) for f in found.forms] == [
        ("Demo request", "urn:li:adForm:4242", True),
        ("Webinar sign-up", "urn:li:adForm:4243", True),
        ("2025 survey", "urn:li:adForm:4244", False),
    ]
    assert found.named("urn:li:adForm:4244") is not None
    assert found.named("urn:li:adForm:4244").state_label == "archived"  # type: ignore[union-attr]
    assert [c.row for c in contract.seen()] == ["R37"]
    # The next picker (another message, another editor) is answered from the cache ...
    assert leadforms.lead_forms(workspace) == found
    assert [c.row for c in contract.seen()] == ["R37"]
    # ... until someone asks for a fresh list (a form was just published in Campaign Manager).
    account = sandbox.AdAccount.objects.get(pk=int(ACCOUNT.rsplit(":", 1)[1]))
    sandbox.LeadForm.objects.create(id=4300, account=account, name="Pricing call", state="PUBLISHED")
    fresh = leadforms.lead_forms(workspace, fresh=True)
    assert "Pricing call" in [f.name for f in fresh.forms]
    assert [c.row for c in contract.seen()] == ["R37", "R37"]


def test_without_a_connection_or_an_account_the_picker_says_why(workspace: Workspace) -> None:
    found = leadforms.lead_forms(workspace)
    assert found.forms == ()
    assert "connect" in found.problem


def test_linkedin_failing_is_said_plainly_and_not_remembered(workspace: Workspace, admin_user: User) -> None:
    connect(workspace, admin_user)
    sandbox.FaultConfig.objects.update_or_create(pk=1, defaults={"queue": "503,503,503,503,503,503"})
    failed = leadforms.lead_forms(workspace)
    assert failed.forms == () and "type the form's URN" in failed.problem
    sandbox.FaultConfig.objects.filter(pk=1).update(queue="")
    assert len(leadforms.lead_forms(workspace).forms) == 3  # not cached: asked again, answered


def test_the_picker_fragment_lists_the_forms_for_any_member_and_fills_only_a_named_field(
    workspace: Workspace, admin_user: User, viewer: User, outsider: User
) -> None:
    connect(workspace, admin_user)
    page = client_for(viewer).get("/linkedin/lead-forms/", {"for": "msg-form-urn"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-for="msg-form-urn"' in text
    assert '<option value="urn:li:adForm:4242" data-name="Demo request"' in text
    assert "2025 survey (archived)" in text
    # Another workspace's member sees their own (unconnected) workspace, never this account's forms.
    other = client_for(outsider).get("/linkedin/lead-forms/", {"for": "msg-form-urn"}).content.decode()
    assert "Demo request" not in other and "connect" in other
    # The field id is the editors' own kind of id, nothing that could break out of an attribute.
    assert client_for(viewer).get("/linkedin/lead-forms/", {"for": '"><script>'}).status_code == 404
    assert client_for(None).get("/linkedin/lead-forms/", {"for": "x"}).status_code == 302
