"""adAccounts, adCampaigns, creatives and sender permissions."""

from __future__ import annotations

from collections.abc import Callable

from .conftest import ACCOUNT, ACCOUNT_ID, OTHER_ACCOUNT_ID, Api, campaign_urn, encode, message_ad


def test_ad_account_search_lists_only_accounts_the_member_has_a_role_on(api_as: Callable[..., Api]) -> None:
    ada = api_as("ada-admin").get("/adAccounts?q=search").json()
    maya = api_as("maya-marketer").get("/adAccounts?q=search&search=(status:(values:List(ACTIVE)))").json()
    assert {a["id"] for a in ada["elements"]} == {ACCOUNT_ID, OTHER_ACCOUNT_ID}
    assert [a["id"] for a in maya["elements"]] == [ACCOUNT_ID]
    assert maya["elements"][0]["name"] == "Acme Cloud — EMEA"
    assert maya["elements"][0]["reference"].startswith("urn:li:organization:")
    assert "nextPageToken" not in maya["metadata"]  # one page: cursor paging answers no token


def test_ad_account_get_by_number_or_urn(api: Api) -> None:
    assert api.get(f"/adAccounts/{ACCOUNT_ID}").json()["name"] == "Acme Cloud — EMEA"
    assert api.get(f"/adAccounts/{encode(ACCOUNT)}").json()["id"] == ACCOUNT_ID
    assert api.get("/adAccounts/1234").status_code == 404


def test_campaign_search_lists_the_seeded_sponsored_inmail_campaigns(api: Api) -> None:
    body = api.get(f"/adAccounts/{ACCOUNT_ID}/adCampaigns?q=search").json()
    assert {c["name"]: c["format"] for c in body["elements"]} == {
        "Q4 Finance Webinar": "SPONSORED_INMAIL",
        "IT Directors Demo": "SPONSORED_INMAIL",
        "Conversation pilot": "SPONSORED_MESSAGE",
    }
    assert all(c["type"] == "SPONSORED_INMAILS" for c in body["elements"])
    drafts = api.get(
        f"/adAccounts/{ACCOUNT_ID}/adCampaigns?q=search&search=(status:(values:List(DRAFT)))"
    ).json()
    assert [c["name"] for c in drafts["elements"]] == ["Conversation pilot"]


def test_a_campaign_can_be_created_and_read_back(api: Api) -> None:
    response = api.post(
        f"/adAccounts/{ACCOUNT_ID}/adCampaigns", {"name": "New", "format": "SPONSORED_INMAIL"}
    )
    assert response.status_code == 201
    number = response.headers["x-restli-id"]
    assert api.get(f"/adAccounts/{ACCOUNT_ID}/adCampaigns/{number}").json()["name"] == "New"


def test_creatives_create_get_update_status_and_find_by_campaign(api: Api) -> None:
    content = api.create("/inMailContents", message_ad())
    campaign = campaign_urn(api)
    creative = api.create(
        f"/adAccounts/{ACCOUNT_ID}/creatives",
        {"campaign": campaign, "content": {"reference": content}, "intendedStatus": "DRAFT", "name": "v1"},
    )
    assert creative.startswith("urn:li:sponsoredCreative:")
    entity = api.get(f"/adAccounts/{ACCOUNT_ID}/creatives/{encode(creative)}").json()
    assert entity["content"] == {"reference": content}
    assert entity["intendedStatus"] == "DRAFT"

    found = api.get(
        f"/adAccounts/{ACCOUNT_ID}/creatives?q=criteria&campaigns=List({encode(campaign)})"
    ).json()
    assert [c["id"] for c in found["elements"]] == [creative]
    by_content = api.get(
        f"/adAccounts/{ACCOUNT_ID}/creatives?q=criteria&contentReferences=List({encode(content)})"
    ).json()
    assert [c["id"] for c in by_content["elements"]] == [creative]
    other = campaign_urn(api, "IT Directors Demo")
    assert (
        api.get(f"/adAccounts/{ACCOUNT_ID}/creatives?q=criteria&campaigns=List({encode(other)})").json()[
            "elements"
        ]
        == []
    )

    assert (
        api.patch(
            f"/adAccounts/{ACCOUNT_ID}/creatives/{encode(creative)}", {"intendedStatus": "ACTIVE"}
        ).status_code
        == 204
    )
    assert (
        api.get(f"/adAccounts/{ACCOUNT_ID}/creatives/{encode(creative)}").json()["intendedStatus"] == "ACTIVE"
    )


def test_only_the_status_and_name_of_a_creative_can_change(api: Api) -> None:
    content = api.create("/inMailContents", message_ad())
    creative = api.create(
        f"/adAccounts/{ACCOUNT_ID}/creatives",
        {"campaign": campaign_urn(api), "content": {"reference": content}},
    )
    response = api.patch(f"/adAccounts/{ACCOUNT_ID}/creatives/{encode(creative)}", {"campaign": "x"})
    assert response.status_code == 422


def test_a_message_ad_cannot_go_into_a_conversation_campaign(api: Api) -> None:
    content = api.create("/inMailContents", message_ad())
    response = api.post(
        f"/adAccounts/{ACCOUNT_ID}/creatives",
        {"campaign": campaign_urn(api, "Conversation pilot"), "content": {"reference": content}},
    )
    assert response.status_code == 422
    assert "SPONSORED_INMAIL" in response.json()["message"]


def test_a_creative_must_reference_content_of_the_same_account(api: Api) -> None:
    response = api.post(
        f"/adAccounts/{ACCOUNT_ID}/creatives",
        {"campaign": campaign_urn(api), "content": {"reference": "urn:li:adInMailContent:424242"}},
    )
    assert response.status_code == 422


def test_sender_permissions_are_found_by_account_as_account_member_and_state(api: Api) -> None:
    body = api.get(f"/adInMailMemberSenderPermissions?q=account&account={encode(ACCOUNT)}").json()
    states = {p["member"]: p["state"] for p in body["elements"]}
    assert states == {
        "urn:li:person:dana-whitfield": "APPROVED",
        "urn:li:person:marcus-lee": "APPROVED",
        "urn:li:person:sofia-alvarez": "REQUESTED",
    }
    # The answer is the entity, undecorated: nobody asked for a projection.
    assert all(set(p) == {"account", "member", "state"} for p in body["elements"])
    assert body["paging"]["total"] == 3


def test_sender_permissions_of_an_account_without_a_role_are_403(api_as: Callable[..., Api]) -> None:
    maya = api_as("maya-marketer")
    other = encode(f"urn:li:sponsoredAccount:{OTHER_ACCOUNT_ID}")
    assert maya.get(f"/adInMailMemberSenderPermissions?q=account&account={other}").status_code == 403


def test_me_needs_r_basicprofile_which_the_app_never_asks_for(api_as: Callable[..., Api]) -> None:
    refused = api_as("maya-marketer").get("/me")
    assert refused.status_code == 403 and "r_basicprofile" in refused.json()["message"]
    granted = api_as("maya-marketer", scope="r_ads r_basicprofile").get("/me")
    assert granted.json()["localizedFirstName"] == "Maya"
