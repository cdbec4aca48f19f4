"""The project's own client, end to end against the sandbox in strict mode: connect, choose the account,
sync message ads (with a banner, and a lead-gen one), a conversation ad (with a batch whose answer is
lost), test send, launch, pull results, import, refresh the token, run the readiness check and
disconnect. The sandbox matches every request to a row of the written contract and refuses anything
else; the test fails if the client ever sent a form no row lists, and checks that every row the app
relies on was exercised."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import State
from inmail_studio.guidance import services as guidance
from inmail_studio.linkedin import readiness, services
from inmail_studio.linkedin.client import Rejected
from inmail_studio.linkedin.models import AdLinkedIn, LinkedInConnection, LinkedInConversation, SyncAttempt
from inmail_studio.sandbox import contract
from inmail_studio.sandbox import models as sandbox
from inmail_studio.sandbox.services import faults_configure
from tests.conftest import client_for

from .conftest import approve_ad, connect
from .conversations import make_conversation_ad, run_to_the_end
from .test_import import _banner, _on_linkedin
from .test_views_connection import _consent, _start

pytestmark = pytest.mark.usefixtures("sandbox_url")


def _used_by_the_app() -> set[str]:
    return {row.id for row in contract.ROWS if row.app and not row.app.startswith("no longer")}


def _connect(admin: User, workspace: Workspace) -> LinkedInConnection:
    client = client_for(admin)
    params = _start(client)
    assert client.get("/sandbox/linkedin/oauth/v2/authorization", params).status_code == 200
    client.get(_consent(client, params))
    chosen = client.post("/linkedin/account/", {"account": "urn:li:sponsoredAccount:508915158"}, follow=True)
    assert "Ad account chosen" in html.unescape(chosen.content.decode())
    return LinkedInConnection.objects.get(workspace=workspace)


def test_every_call_the_app_makes_is_a_form_the_contract_lists(
    workspace: Workspace, admin_user: User, author: User, approver: User, make_synced_ready_ad: Any
) -> None:
    """`make_synced_ready_ad` connects the workspace the way the fixtures do; the journey then also
    connects through the pages, so the OAuth rows are the app's own."""
    assert settings.SANDBOX_STRICT
    contract.forget()
    connection = _connect(admin_user, workspace)
    assert connection.member_urn == "urn:li:person:ada-admin"

    # Message ads: one with a banner (image owner, upload), one lead-gen (the creative names its form).
    banner = _banner(workspace, author)
    with_banner = make_synced_ready_ad(banner=banner)
    lead = make_synced_ready_ad(
        name="Demo request",
        cta_kind="lead_form",
        cta_text="Request a demo",
        landing_page_url="",
        lead_form_urn="urn:li:adForm:4242",
    )
    assert with_banner.state == lead.state == State.SYNCED
    lead_creative = sandbox.Creative.objects.get(
        pk=AdLinkedIn.objects.get(ad=lead).creative_urn.rsplit(":", 1)[-1]
    )
    assert (lead_creative.leadgen_form, lead_creative.leadgen_label) == ("urn:li:adForm:4242", "REQUEST_DEMO")

    # A conversation ad whose first batch of messages loses its answer: the retry finds them (GET_ALL).
    faults_configure(queue="ok,drop")
    conversation = make_conversation_ad(workspace, author, approver, name="Spring event")
    run_to_the_end(SyncAttempt.objects.get(ad=conversation))
    conversation.refresh_from_db()
    assert conversation.state == State.SYNCED
    record = LinkedInConversation.objects.get(ad=conversation)
    assert sandbox.ConversationMessage.objects.filter(
        conversation_id=record.urn.rsplit(":", 1)[-1]
    ).count() == len(record.messages)

    # An edit after sync updates the content in place (PARTIAL_UPDATE), then test send and launch.
    ad_services.ad_update(ad_id=lead.pk, editor=author, fields={"subject": "A demo, on your schedule"})
    approve_ad(lead, author=author, approver=approver)
    lead.refresh_from_db()
    assert lead.state == State.SYNCED
    services.test_send_request(ad_id=lead.pk, user=author)
    services.launch(ad_id=lead.pk, approver=approver)
    lead.refresh_from_db()
    assert lead.state == State.LIVE
    assert (
        sandbox.InboxMessage.objects.get(content_urn=AdLinkedIn.objects.get(ad=lead).content_urn).snapshot[
            "lead_form_urn"
        ]
        == "urn:li:adForm:4242"
    )

    # Results (r_ads_reporting was granted at connect), import, an expired token refreshed.
    assert guidance.results_pull(ad_id=lead.pk) >= 1
    _on_linkedin("Made in Campaign Manager")
    assert [a.subject for a in services.contents_import(workspace_id=workspace.pk, admin=admin_user)] == [
        "Made in Campaign Manager"
    ]
    LinkedInConnection.objects.filter(pk=connection.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert services.accounts_available(workspace=workspace)

    report = readiness.run(workspace)
    assert [c.key for c in report.checks] == list(readiness.ORDER)[1:]

    done = services.connection_disconnect(workspace_id=workspace.pk, admin=admin_user)
    assert set(done.revoked) == {"access", "refresh"}

    seen = contract.seen()
    unlisted = [s for s in seen if not s.row]
    assert unlisted == [], f"the app sent forms the contract does not list: {unlisted}"
    assert _used_by_the_app() <= {s.row for s in seen}, sorted(_used_by_the_app() - {s.row for s in seen})


def test_a_drifted_client_fails_loudly_instead_of_passing(workspace: Workspace, admin_user: User) -> None:
    """What strict mode is for: a form the contract does not list (here index paging on a cursor
    finder, what the client sent before) is refused and recorded, never answered."""
    connect(workspace, admin_user, choose=False)
    contract.forget()
    api = services.client_for(workspace)
    with pytest.raises(Rejected) as refused:
        api.finder("adAccounts", "search")
    assert (refused.value.status, refused.value.code) == (400, "NOT_IN_CONTRACT")
    (entry,) = contract.seen()
    assert entry.row == "" and "does not list count, start" in entry.reason
