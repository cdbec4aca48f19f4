"""Fidelity: LinkedIn's own Python client (`linkedin-api-client`), unchanged but for its base URLs,
drives every row of the written contract (inmail_studio/sandbox/CONTRACT.md) against the sandbox.

The client reads `linkedin_api.common.constants.VERSIONED_BASE_URL` (and the OAuth and unversioned
ones) each time it builds a URL, so pointing those constants at the live server is all it takes.
Three rows have no method in the client (R05 revoke, R15 the upload PUT, the consent page's own
form); plain HTTP drives them, as a LinkedIn integration would. Every request is matched to a row
by the sandbox, which records it; the last assertion is that every row was exercised.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from django.utils import timezone
from linkedin_api.clients.auth.client import AuthClient
from linkedin_api.clients.auth.utils import oauth as official_oauth
from linkedin_api.clients.restli.client import RestliClient
from linkedin_api.common import constants

from inmail_studio.ads import limits
from inmail_studio.sandbox import contract
from inmail_studio.sandbox.models import Campaign, InboxMessage
from inmail_studio.sandbox.seed import DEMO_ORGANIZATION

from .conftest import ACCOUNT, ACCOUNT_ID, OTHER_ACCOUNT_ID, Api, as_urn, code_of, current_version, message_ad
from .test_images import png

REDIRECT = "http://127.0.0.1:8000/linkedin/callback"
WEBINAR = "Q4 Finance Webinar"


@pytest.fixture
def official(live_server: Any, sandbox: None, monkeypatch: pytest.MonkeyPatch) -> RestliClient:
    base = f"{live_server.url}/sandbox/linkedin"
    monkeypatch.setattr(constants, "VERSIONED_BASE_URL", f"{base}/rest")
    monkeypatch.setattr(constants, "NON_VERSIONED_BASE_URL", f"{base}/v2")
    monkeypatch.setattr(constants, "OAUTH_BASE_URL", f"{base}/oauth/v2")
    monkeypatch.setattr(official_oauth, "OAUTH_BASE_URL", f"{base}/oauth/v2")
    contract.forget()
    return RestliClient()


class Run:
    """The official client with a token and the version, and what the run created."""

    def __init__(self, client: RestliClient, token: str) -> None:
        self.client = client
        self.token = token
        self.version = current_version()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def call(**kwargs: Any) -> Any:
            kwargs.setdefault("access_token", self.token)
            kwargs.setdefault("version_string", self.version)
            return method(**kwargs)

        return call


def _consent(base: str, scope: str) -> str:
    """The consent page's own form (the member picks themselves): the code LinkedIn redirects back with."""
    session = requests.Session()
    auth = AuthClient(settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET, REDIRECT)
    url = auth.generate_member_auth_url(scopes=scope.split(), state="s1")  # R01
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.text
    query = parse_qs(urlsplit(url).query)
    answer = session.post(
        f"{constants.OAUTH_BASE_URL}/authorization",
        data={
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
            **{k: v[0] for k, v in query.items()},
            "member": "ada-admin",
            "decision": "allow",
        },
        headers={"Referer": url},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]


def _oauth(base: str) -> dict[str, str]:
    """R01–R05: consent, code exchange, refresh, introspection, revocation."""
    auth = AuthClient(settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET, REDIRECT)
    scope = "r_ads rw_ads openid profile"  # no r_ads_reporting: the reporting row must refuse it
    grant = auth.exchange_auth_code_for_access_token(code=_consent(base, scope))  # R02
    assert grant.status_code == 200 and grant.access_token and grant.refresh_token
    assert set(grant.scope.split(",")) == set(scope.split())
    refreshed = auth.exchange_refresh_token_for_access_token(refresh_token=grant.refresh_token)  # R03
    assert refreshed.status_code == 200 and refreshed.access_token != grant.access_token
    assert refreshed.refresh_token == grant.refresh_token
    info = auth.introspect_access_token(access_token=refreshed.access_token)  # R04
    assert info.status_code == 200 and info.active is True and info.status == "active"
    # R05 has no method in the official client: the form practitioners use.
    revoked = requests.post(
        f"{constants.OAUTH_BASE_URL}/revoke",
        data={
            "token": grant.access_token,
            "client_id": settings.LINKEDIN_CLIENT_ID,
            "client_secret": settings.LINKEDIN_CLIENT_SECRET,
        },
        timeout=10,
    )
    assert revoked.status_code == 200
    assert auth.introspect_access_token(access_token=grant.access_token).status == "revoked"
    return {"access": refreshed.access_token, "reporting": _reporting_token(base)}


def _reporting_token(base: str) -> str:
    auth = AuthClient(settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET, REDIRECT)
    grant = auth.exchange_auth_code_for_access_token(code=_consent(base, "r_ads rw_ads r_ads_reporting"))
    return str(grant.access_token)


def _who(run: Run) -> None:
    """R06 userinfo (unversioned) and R38 /rest/me, which needs a scope the app never asks for."""
    me = run.client.get(resource_path="/userinfo", access_token=run.token)
    assert me.status_code == 200 and me.entity["sub"] == "ada-admin" and me.entity["name"] == "Ada Admin"
    refused = run.get(resource_path="/me")
    assert refused.status_code == 403


def _pages(run: Run, **finder: Any) -> list[dict[str, Any]]:
    """Every element of a cursor-paged search, a page at a time (the client's own `metadata` is
    always None, so the token is read from the answer)."""
    elements: list[dict[str, Any]] = []
    pages = 0
    query = dict(finder.pop("query_params", {}))
    while True:
        response = run.finder(query_params=query, **finder)
        assert response.status_code == 200, response.response.text
        elements += response.elements
        pages += 1
        token = response.response.json().get("metadata", {}).get("nextPageToken")
        if not token:
            assert pages > 1, "the search fitted one page: it proves nothing about paging"
            return elements
        query["pageToken"] = token


def _accounts(run: Run) -> dict[str, Any]:
    """R07 (cursor paging over two pages), R08, R09, R10 (two pages), R11, R12, R13, R37."""
    accounts = _pages(run, resource_path="/adAccounts", finder_name="search", query_params={"pageSize": 1})
    assert [a["id"] for a in accounts] == [ACCOUNT_ID, OTHER_ACCOUNT_ID]
    account = run.get(resource_path="/adAccounts/{id}", path_keys={"id": ACCOUNT_ID})
    assert account.entity["reference"] == DEMO_ORGANIZATION
    roles = run.finder(resource_path="/adAccountUsers", finder_name="authenticatedUser")
    assert {(r["account"], r["role"]) for r in roles.elements} >= {(ACCOUNT, "ACCOUNT_MANAGER")}

    made = run.create(
        resource_path="/adAccounts/{id}/adCampaigns",
        path_keys={"id": ACCOUNT_ID},
        entity={"name": "Spring conversations", "type": "SPONSORED_INMAILS", "format": "SPONSORED_MESSAGE"},
    )
    assert made.status_code == 201 and str(made.entity_id).isdigit()  # a bare number (R11)
    one = run.get(
        resource_path="/adAccounts/{id}/adCampaigns/{campaign}",
        path_keys={"id": ACCOUNT_ID, "campaign": int(made.entity_id)},
    )
    assert one.entity["name"] == "Spring conversations"
    campaigns = _pages(
        run,
        resource_path="/adAccounts/{id}/adCampaigns",
        path_keys={"id": ACCOUNT_ID},
        finder_name="search",
        query_params={"search": {"type": {"values": ["SPONSORED_INMAILS"]}}, "pageSize": 2},
    )
    assert len(campaigns) == Campaign.objects.filter(account_id=ACCOUNT_ID).count() == 4

    senders = run.finder(
        resource_path="/adInMailMemberSenderPermissions",
        finder_name="account",
        query_params={"account": ACCOUNT},
    )
    assert {p["member"]: p["state"] for p in senders.elements}["urn:li:person:sofia-alvarez"] == "REQUESTED"
    forms = run.finder(
        resource_path="/leadForms", finder_name="owner", query_params={"owner": {"sponsoredAccount": ACCOUNT}}
    )
    assert {f"urn:li:adForm:{f['id']}" for f in forms.elements} >= {"urn:li:adForm:4242"}
    return {c["name"]: f"urn:li:sponsoredCampaign:{c['id']}" for c in campaigns}


def _image(run: Run) -> str:
    """R14 initializeUpload as documented, R15 the PUT, R16 the image."""
    init = run.action(
        resource_path="/images",
        action_name="initializeUpload",
        action_params={
            "initializeUploadRequest": {
                "owner": DEMO_ORGANIZATION,
                "mediaLibraryMetadata": {"associatedAccount": ACCOUNT, "assetName": "banner.png"},
            }
        },
    )
    assert init.status_code == 200, init.response.text
    put = requests.put(
        init.value["uploadUrl"],
        data=png(limits.BANNER_WIDTH, limits.BANNER_HEIGHT),
        headers={"Authorization": f"Bearer {run.token}", "Content-Type": "image/png"},
        timeout=10,
    )
    assert put.status_code == 201
    image = run.get(resource_path="/images/{id}", path_keys={"id": init.value["image"]})
    assert image.entity["status"] == "AVAILABLE"
    return str(init.value["image"])


def _message_ads(run: Run, campaigns: dict[str, str], image: str) -> list[str]:
    """R17–R21 and R22–R26: contents, creatives (a lead-gen one naming its form), paging, a test send."""
    body = message_ad(
        subContent={
            "regular": {
                "callToActionText": "Save my seat",
                "callToActionLandingPageUrl": "https://example.com/webinar",
                "rightRailAdPicture": image,
            }
        }
    )
    content = run.create(resource_path="/inMailContents", entity=body)
    assert content.status_code == 201, content.response.text
    content_urn = content.decoded_entity_id
    second = run.create(resource_path="/inMailContents", entity=message_ad(name="Second")).decoded_entity_id
    batch = run.batch_get(resource_path="/inMailContents", ids=[content_urn, second])
    assert set(batch.results) == {content_urn, second} and batch.errors == {}
    assert (
        run.get(resource_path="/inMailContents/{id}", path_keys={"id": content_urn}).entity["name"]
        == body["name"]
    )
    updated = run.partial_update(
        resource_path="/inMailContents/{id}",
        path_keys={"id": content_urn},
        patch_set_object={"subject": "New"},
    )
    assert updated.status_code == 204

    lead = run.create(
        resource_path="/inMailContents",
        entity=message_ad(name="Lead gen", subContent={"form": {"callToActionText": "Request a demo"}}),
    ).decoded_entity_id
    creatives = []
    for reference, extra in (
        (content_urn, {}),
        (second, {}),
        (lead, {"leadgenCallToAction": {"destination": "urn:li:adForm:4242", "label": "REQUEST_DEMO"}}),
    ):
        made = run.create(
            resource_path="/adAccounts/{id}/creatives",
            path_keys={"id": ACCOUNT_ID},
            entity={
                "campaign": campaigns[WEBINAR],
                "content": {"reference": reference},
                "intendedStatus": "DRAFT",
                **extra,
            },
        )
        assert made.status_code == 201, made.response.text
        creatives.append(made.decoded_entity_id)
    found = _pages(
        run,
        resource_path="/adAccounts/{id}/creatives",
        path_keys={"id": ACCOUNT_ID},
        finder_name="criteria",
        query_params={"campaigns": [campaigns[WEBINAR]], "pageSize": 2},
    )
    assert [c["id"] for c in found] == creatives
    assert found[2]["leadgenCallToAction"] == {"destination": "urn:li:adForm:4242", "label": "REQUEST_DEMO"}
    batch = run.batch_get(
        resource_path="/adAccounts/{id}/creatives", path_keys={"id": ACCOUNT_ID}, ids=creatives
    )
    assert set(batch.results) == set(creatives)
    one = run.get(
        resource_path="/adAccounts/{id}/creatives/{c}", path_keys={"id": ACCOUNT_ID, "c": creatives[0]}
    )
    assert one.entity["content"]["reference"] == content_urn

    sent = run.action(
        resource_path="/inMailContents",
        action_name="sendTestInMail",
        action_params={
            "adInMailContentId": lead,
            "campaign": campaigns[WEBINAR],
            "creative": creatives[2],
            "account": ACCOUNT,
        },
    )
    assert sent.status_code == 200, sent.response.text
    message = InboxMessage.objects.get(content_urn=lead)
    assert message.recipient.slug == "ada-admin" and message.snapshot["lead_form_urn"] == "urn:li:adForm:4242"

    live = run.partial_update(
        resource_path="/adAccounts/{id}/creatives/{c}",
        path_keys={"id": ACCOUNT_ID, "c": creatives[0]},
        patch_set_object={"intendedStatus": "ACTIVE"},
    )
    assert live.status_code == 204
    return creatives


def _conversation(run: Run, campaigns: dict[str, str]) -> None:
    """R27–R35: the conversation, its messages by BATCH_CREATE leaves first, the first message."""
    made = run.create(resource_path="/conversationAds", entity={"parentAccount": ACCOUNT})
    assert made.status_code == 201
    urn = as_urn(str(made.decoded_entity_id), "sponsoredConversation")
    keys = {"id": urn}
    leaves = run.batch_create(
        resource_path="/conversationAds/{id}/sponsoredMessageContents",
        path_keys=keys,
        entities=[
            {"bodySource": {"text": "<p>Here is the agenda.</p>"}, "nextAction": {"options": []}},
            {"bodySource": {"text": "<p>No problem.</p>"}, "nextAction": {"options": []}},
        ],
    )
    assert [e.status for e in leaves.elements] == [201, 201]
    agenda, bye = (e.id for e in leaves.elements)
    first = run.create(
        resource_path="/conversationAds/{id}/sponsoredMessageContents",
        path_keys=keys,
        entity={
            "bodySource": {"text": "<p>Want the agenda?</p>"},
            "nextAction": {
                "options": [
                    {"optionText": "Yes please", "replyType": "SIMPLE_REPLY", "nextContent": agenda},
                    {"optionText": "Not interested", "replyType": "SIMPLE_REPLY", "nextContent": bye},
                ]
            },
        },
    )
    assert first.status_code == 201
    first_urn = first.decoded_entity_id
    assert (
        run.partial_update(
            resource_path="/conversationAds/{id}",
            path_keys=keys,
            patch_set_object={"firstMessageContent": first_urn},
        ).status_code
        == 204
    )
    assert (
        run.get(resource_path="/conversationAds/{id}", path_keys=keys).entity["firstMessageContent"]
        == first_urn
    )
    assert set(run.batch_get(resource_path="/conversationAds", ids=[urn]).results) == {urn}
    everything = run.get_all(resource_path="/conversationAds/{id}/sponsoredMessageContents", path_keys=keys)
    assert [m["id"] for m in everything.elements] == [agenda, bye, first_urn]
    assert (
        run.partial_update(
            resource_path="/conversationAds/{id}/sponsoredMessageContents/{m}",
            path_keys={**keys, "m": bye},
            patch_set_object={"bodySource": {"text": "<p>No problem, thanks!</p>"}},
        ).status_code
        == 204
    )
    one = run.get(
        resource_path="/conversationAds/{id}/sponsoredMessageContents/{m}", path_keys={**keys, "m": bye}
    )
    assert one.entity["bodySource"]["text"] == "<p>No problem, thanks!</p>"


def _analytics(run: Run, reporting_token: str, creative: str) -> None:
    """R36: refused without r_ads_reporting, answered with it; `fields` with raw commas."""
    today = timezone.now().date()
    query = {
        "pivot": "CREATIVE",
        "timeGranularity": "ALL",
        "dateRange": {"start": {"year": today.year, "month": today.month, "day": today.day}},
        "creatives": [creative],
        "fields": "dateRange,pivotValues,sends,opens",
    }
    refused = run.finder(resource_path="/adAnalytics", finder_name="analytics", query_params=query)
    assert refused.status_code == 403 and "r_ads_reporting" in refused.response.json()["message"]
    answered = run.finder(
        resource_path="/adAnalytics",
        finder_name="analytics",
        query_params=query,
        access_token=reporting_token,
    )
    assert answered.status_code == 200, answered.response.text
    assert "fields=dateRange,pivotValues,sends,opens" in answered.url  # the official client's raw commas
    (element,) = answered.elements
    assert set(element) == {"dateRange", "pivotValues", "sends", "opens"}


def test_the_official_client_drives_every_row_of_the_contract(
    official: RestliClient, live_server: Any
) -> None:
    tokens = _oauth(live_server.url)
    run = Run(official, tokens["access"])
    _who(run)
    campaigns = _accounts(run)
    image = _image(run)
    creatives = _message_ads(run, campaigns, image)
    _conversation(run, campaigns)
    _analytics(run, tokens["reporting"], creatives[0])

    seen = contract.seen()
    unlisted = [s for s in seen if not s.row]
    assert unlisted == [], f"the official client sent forms no row lists: {unlisted}"
    assert {s.row for s in seen} == set(contract.BY_ID), sorted(set(contract.BY_ID) - {s.row for s in seen})


def test_the_official_client_sees_the_specific_code_of_a_refused_sender(
    official: RestliClient, api: Api
) -> None:
    response = Run(official, api.token).create(
        resource_path="/inMailContents", entity=message_ad(sender="urn:li:person:sofia-alvarez")
    )
    assert response.status_code == 422
    assert response.response.json()["code"] == "VALIDATION_FAILED"
    assert code_of(response.response) == "SINMAIL_SENDER_NOT_APPROVED"


def test_a_lead_gen_message_ad_whose_form_is_named_nowhere_is_refused(
    official: RestliClient, api: Api
) -> None:
    run = Run(official, api.token)
    content = run.create(
        resource_path="/inMailContents",
        entity=message_ad(subContent={"form": {"callToActionText": "Sign up"}}),
    ).decoded_entity_id
    campaign = f"urn:li:sponsoredCampaign:{Campaign.objects.get(name=WEBINAR).pk}"
    response = run.create(
        resource_path="/adAccounts/{id}/creatives",
        path_keys={"id": ACCOUNT_ID},
        entity={"campaign": campaign, "content": {"reference": content}, "intendedStatus": "DRAFT"},
    )
    assert response.status_code == 422
    assert code_of(response.response) == "LEAD_GEN_FORM_MISSING"
    # Named on the content instead (the other form LinkedIn's sources show), it is accepted.
    named = run.create(
        resource_path="/inMailContents",
        entity=message_ad(
            subContent={"form": {"callToActionText": "Sign up", "leadGenerationForm": "urn:li:adForm:4243"}}
        ),
    ).decoded_entity_id
    accepted = run.create(
        resource_path="/adAccounts/{id}/creatives",
        path_keys={"id": ACCOUNT_ID},
        entity={"campaign": campaign, "content": {"reference": named}, "intendedStatus": "DRAFT"},
    )
    assert accepted.status_code == 201


def test_a_form_of_another_account_or_an_archived_form_is_refused(official: RestliClient, api: Api) -> None:
    run = Run(official, api.token)
    for form in ("urn:li:adForm:4244", "urn:li:adForm:999"):
        response = run.create(
            resource_path="/inMailContents",
            entity=message_ad(
                subContent={"form": {"callToActionText": "Sign up", "leadGenerationForm": form}}
            ),
        )
        assert response.status_code == 422, form
