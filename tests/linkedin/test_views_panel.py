"""The ad page's LinkedIn panel, its htmx actions, the sync ledger and "Show API payload", per persona.

Tasks run in-process (no broker in tests), so an action's outcome is in its own response.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad, State
from inmail_studio.linkedin import payloads
from inmail_studio.linkedin.models import AdLinkedIn, SyncAttempt, TestSend, TestSendStatus
from inmail_studio.review.selectors import approved_revision_for
from tests.conftest import client_for

MakeAd = Callable[..., Ad]
HTMX = {"HTTP_HX_REQUEST": "true"}
AD_PAGES = ("panel", "ledger", "payload")
AD_ACTIONS = ("campaign", "retry", "test-send", "launch")


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def synced(make_synced_ready_ad: MakeAd) -> Ad:
    ad = make_synced_ready_ad()
    assert ad.state == State.SYNCED
    return ad


@pytest.mark.parametrize("persona", ["author", "approver", "admin_user", "viewer"])
def test_every_member_of_the_workspace_sees_the_panel_ledger_and_payload(
    persona: str, request: pytest.FixtureRequest, synced: Ad
) -> None:
    client = client_for(request.getfixturevalue(persona))
    for page in AD_PAGES:
        response = client.get(f"/linkedin/ads/{synced.pk}/{page}/")
        assert response.status_code == 200, page


def test_an_outsider_gets_a_404_for_another_workspaces_ad_pages_and_actions(
    outsider: User, synced: Ad
) -> None:
    client = client_for(outsider)
    for page in AD_PAGES:
        assert client.get(f"/linkedin/ads/{synced.pk}/{page}/").status_code == 404, page
        assert client.get(f"/linkedin/ads/{synced.pk}/{page}/?format=json").status_code == 404, page
    for action in AD_ACTIONS:
        assert client.post(f"/linkedin/ads/{synced.pk}/{action}/", **HTMX).status_code == 404, action
    assert not TestSend.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in_from_every_ad_url(synced: Ad) -> None:
    client = Client()
    for page in AD_PAGES:
        response = client.get(f"/linkedin/ads/{synced.pk}/{page}/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for action in AD_ACTIONS:
        response = client.post(f"/linkedin/ads/{synced.pk}/{action}/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_viewer_sees_the_panel_without_actions_and_may_not_act(
    viewer: User, synced: Ad, webinar: str
) -> None:
    client = client_for(viewer)
    panel = _text(client.get(f"/linkedin/ads/{synced.pk}/panel/"))
    assert "Send test" not in panel and ">Launch" not in panel and "/launch/" not in panel
    assert client.post(f"/linkedin/ads/{synced.pk}/test-send/", **HTMX).status_code == 403
    assert client.post(f"/linkedin/ads/{synced.pk}/launch/", **HTMX).status_code == 403
    assert (
        client.post(f"/linkedin/ads/{synced.pk}/campaign/", {"campaign": webinar}, **HTMX).status_code == 403
    )
    assert not TestSend.objects.exists()


def test_choosing_a_campaign_with_htmx_returns_the_panel_and_syncs_a_waiting_approval(
    make_synced_ready_ad: MakeAd, author: User, webinar: str
) -> None:
    ad = make_synced_ready_ad(campaign="")
    assert ad.state == State.APPROVED
    client = client_for(author)
    assert "Choose the LinkedIn campaign for this ad first." in _text(
        client.get(f"/linkedin/ads/{ad.pk}/panel/")
    )
    response = client.post(f"/linkedin/ads/{ad.pk}/campaign/", {"campaign": webinar}, **HTMX)
    assert response.status_code == 200
    text = _text(response)
    assert text.lstrip().startswith('<section id="linkedin-panel"')
    assert "Syncing the approved revision to it on LinkedIn" in text and 'data-state="synced"' in text
    ad.refresh_from_db()
    assert ad.state == State.SYNCED


def test_a_campaign_of_another_account_is_refused_next_to_the_picker(
    make_synced_ready_ad: MakeAd, author: User
) -> None:
    ad = make_synced_ready_ad(campaign="")
    response = client_for(author).post(
        f"/linkedin/ads/{ad.pk}/campaign/", {"campaign": "urn:li:sponsoredCampaign:999999"}, **HTMX
    )
    assert response.status_code == 422
    assert "Choose one of the ad account's campaigns." in _text(response)
    assert AdLinkedIn.objects.get(ad=ad).campaign_urn == ""


def test_without_javascript_an_action_returns_to_the_ad_page(synced: Ad, author: User) -> None:
    response = client_for(author).post(f"/linkedin/ads/{synced.pk}/test-send/")
    assert response.status_code == 302 and response["Location"] == f"/ads/{synced.pk}/"


def test_send_test_shows_the_outcome_in_the_panel_and_counts_towards_the_limit(
    synced: Ad, author: User
) -> None:
    client = client_for(author)
    response = client.post(f"/linkedin/ads/{synced.pk}/test-send/", **HTMX)
    assert response.status_code == 200
    text = _text(response)
    assert 'data-test-send-status="sent"' in text and "1 of 5 today" in text
    send = TestSend.objects.get(ad=synced)
    assert send.status == TestSendStatus.SENT and send.request_id  # the sandbox's x-li-uuid
    synced.refresh_from_db()
    assert synced.state == State.TESTED


def test_a_refused_test_send_answers_409_with_the_reason(make_synced_ready_ad: MakeAd, author: User) -> None:
    ad = make_synced_ready_ad(campaign="")  # approved, not synced
    response = client_for(author).post(f"/linkedin/ads/{ad.pk}/test-send/", **HTMX)
    assert response.status_code == 409
    assert "Only a synced ad can be sent as a test." in _text(response)


def test_only_an_approver_launches_and_only_after_a_test(synced: Ad, author: User, approver: User) -> None:
    approver_client = client_for(approver)
    early = approver_client.post(f"/linkedin/ads/{synced.pk}/launch/", **HTMX)
    assert "Only a synced ad that has had a test message can be launched." in _text(early)
    client_for(author).post(f"/linkedin/ads/{synced.pk}/test-send/", **HTMX)
    assert client_for(author).post(f"/linkedin/ads/{synced.pk}/launch/", **HTMX).status_code == 403
    launched = approver_client.post(f"/linkedin/ads/{synced.pk}/launch/", **HTMX)
    assert launched.status_code == 200 and launched["HX-Refresh"] == "true"
    synced.refresh_from_db()
    assert synced.state == State.LIVE
    panel = _text(approver_client.get(f"/linkedin/ads/{synced.pk}/panel/"))
    assert "<strong>ACTIVE</strong>" in panel and "Send test" not in panel


def test_a_failed_sync_says_why_in_a_marketers_words_and_retry_syncs_it(
    make_synced_ready_ad: MakeAd, author: User
) -> None:
    from inmail_studio.sandbox.models import SenderPermission as SandboxPermission

    dana = SandboxPermission.objects.filter(member__slug="dana-whitfield")
    dana.update(state="REQUESTED")  # she withdrew on LinkedIn after our last import
    ad = make_synced_ready_ad()
    assert ad.state == State.SYNC_FAILED
    client = client_for(author)
    page = _text(client.get(f"/linkedin/ads/{ad.pk}/panel/"))
    assert "Sync failed: The sender hasn't approved sending ads for this ad account." in page
    assert "Retry sync" in page
    dana.update(state="APPROVED")
    response = client.post(f"/linkedin/ads/{ad.pk}/retry/", **HTMX)
    assert response.status_code == 200
    assert SyncAttempt.objects.filter(ad=ad).count() == 2
    ad.refresh_from_db()
    assert ad.state == State.SYNCED


def test_show_api_payload_is_the_exact_content_json_of_the_approved_revision(
    make_synced_ready_ad: MakeAd, author: User, workspace: Workspace
) -> None:
    ad = make_synced_ready_ad(campaign="")  # approved, nothing on LinkedIn yet: a create
    revision = approved_revision_for(ad)
    assert revision is not None
    expected = payloads.content(revision.snapshot, account_urn=workspace.ad_account_urn)
    client = client_for(author)
    data = json.loads(client.get(f"/linkedin/ads/{ad.pk}/payload/?format=json").content)
    assert data[0] == {"call": "POST /rest/inMailContents", "body": expected}
    page = _text(client.get(f"/linkedin/ads/{ad.pk}/payload/"))
    assert json.dumps(expected, indent=2, ensure_ascii=False) in page
    assert "the approved revision" in page and revision.short_hash in page


def test_show_api_payload_after_an_edit_still_shows_what_was_approved_until_reapproval(
    synced: Ad, author: User, workspace: Workspace
) -> None:
    from inmail_studio.ads.services import ad_update

    link = AdLinkedIn.objects.get(ad=synced)
    approved = approved_revision_for(synced)
    assert approved is not None
    update = payloads.content_update(approved.snapshot, account_urn=workspace.ad_account_urn, image_urn=None)
    data = json.loads(client_for(author).get(f"/linkedin/ads/{synced.pk}/payload/?format=json").content)
    assert data[0] == {
        "call": f"POST /rest/inMailContents/{link.content_urn} (PARTIAL_UPDATE)",
        "body": {"patch": {"$set": update}},
    }
    ad_update(ad_id=synced.pk, editor=author, fields={"subject": "A brand new subject"})
    page = _text(client_for(author).get(f"/linkedin/ads/{synced.pk}/payload/"))
    assert "the current draft (not approved yet)" in page and "A brand new subject" in page


def test_the_ledger_shows_each_call_with_linkedins_request_id(synced: Ad, author: User) -> None:
    attempt = SyncAttempt.objects.get(ad=synced)
    calls = [c for c in attempt.calls.all() if c.method]
    assert calls and all(c.request_id for c in calls)
    assert attempt.request_id == calls[-1].request_id
    page = _text(client_for(author).get(f"/linkedin/ads/{synced.pk}/ledger/"))
    for call in calls:
        assert call.request_id in page
    assert "POST inMailContents" in page and "201" in page
