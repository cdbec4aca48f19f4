"""Rest.li encoding and the one payload mapping: pure functions, no HTTP."""

from __future__ import annotations

from inmail_studio.ads import snapshots
from inmail_studio.linkedin import payloads, restli

SNAPSHOT = {
    "v": 1,
    "kind": "message",
    "name": "Q4 webinar invite",
    "sender": {"id": 1, "urn": "urn:li:person:dana-whitfield", "name": "Dana", "headline": "", "photo": ""},
    "subject": "%FIRSTNAME%, a seat?",
    "body": "<p>Hi %FIRSTNAME%</p>",
    "footer": "Acme Cloud, 1 Market St.",
    "cta_kind": "landing_page",
    "cta_text": "Save my seat",
    "landing_page_url": "https://example.com/webinar",
    "lead_form_urn": "",
    "banner": None,
}


def test_urn_keys_are_encoded_whole_and_lists_keep_their_delimiters() -> None:
    assert restli.key("urn:li:adInMailContent:123") == "urn%3Ali%3AadInMailContent%3A123"
    assert restli.encode(["urn:li:x:1", "urn:li:x:2"]) == "List(urn%3Ali%3Ax%3A1,urn%3Ali%3Ax%3A2)"
    assert (
        restli.encode({"type": {"values": ["SPONSORED_INMAILS"]}})
        == "(type:(values:List(SPONSORED_INMAILS)))"
    )
    assert restli.query({"q": "criteria", "campaigns": ["urn:li:sponsoredCampaign:7"]}) == (
        "campaigns=List(urn%3Ali%3AsponsoredCampaign%3A7)&q=criteria"
    )


def test_a_landing_page_ad_maps_to_regular_sub_content_with_macros_left_for_linkedin() -> None:
    body = payloads.content(SNAPSHOT, account_urn="urn:li:sponsoredAccount:1")
    assert body == {
        "account": "urn:li:sponsoredAccount:1",
        "name": "Q4 webinar invite",
        "sender": "urn:li:person:dana-whitfield",
        "subject": "%FIRSTNAME%, a seat?",
        "htmlBody": "<p>Hi %FIRSTNAME%</p>",
        "customFooter": "Acme Cloud, 1 Market St.",
        "subContent": {
            "regular": {
                "callToActionText": "Save my seat",
                "callToActionLandingPageUrl": "https://example.com/webinar",
            }
        },
    }


def test_a_lead_form_ad_maps_to_form_sub_content_and_the_banner_to_the_right_rail() -> None:
    snapshot = {
        **SNAPSHOT,
        "cta_kind": "lead_form",
        "landing_page_url": "",
        "banner": {"id": 1, "sha256": "ab"},
    }
    body = payloads.content(snapshot, account_urn="urn:li:sponsoredAccount:1", image_urn="urn:li:image:C4E")
    assert body["subContent"] == {
        "form": {"callToActionText": "Save my seat", "rightRailAdPicture": "urn:li:image:C4E"}
    }


def test_an_update_sets_only_the_fields_linkedin_lets_change() -> None:
    update = payloads.content_update(SNAPSHOT, account_urn="urn:li:sponsoredAccount:1")
    assert set(update) == {"name", "sender", "subject", "htmlBody", "subContent"}


def test_the_creative_is_a_draft_pointing_at_the_content_in_the_chosen_campaign() -> None:
    assert payloads.creative(
        campaign_urn="urn:li:sponsoredCampaign:7", content_urn="urn:li:adInMailContent:9", name="n"
    ) == {
        "campaign": "urn:li:sponsoredCampaign:7",
        "content": {"reference": "urn:li:adInMailContent:9"},
        "intendedStatus": "DRAFT",
        "name": "n",
    }


def test_the_mapping_reads_a_real_snapshot_unchanged(ad: object) -> None:
    snapshot = ad.current_revision.snapshot  # type: ignore[attr-defined]
    body = payloads.content(snapshot, account_urn="urn:li:sponsoredAccount:1")
    assert body["htmlBody"] == snapshots.sanitize_body(snapshot["body"])
    assert body["sender"] == "urn:li:person:dana"
