"""The client's side of the contract, without HTTP: how it writes projections and reads ids, sender
states and errors, what it sends for lead-gen ads, banners and conversation batches, and the version
calendar it reads."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings

from inmail_studio.ads.models import SenderPermission
from inmail_studio.linkedin import payloads, restli, services, versions
from inmail_studio.linkedin.client import SCOPES
from inmail_studio.linkedin.payloads.conversation_messages import message_payloads
from tests.conversation.trees import good_tree

# --- Rest.li encoding -----------------------------------------------------------------------------


def test_fields_keep_raw_commas_while_everything_else_is_encoded() -> None:
    query = restli.query(
        {
            "q": "analytics",
            "fields": "dateRange,pivotValues,sends",
            "creatives": ["urn:li:sponsoredCreative:1"],
        }
    )
    assert query == (
        "creatives=List(urn%3Ali%3AsponsoredCreative%3A1)&fields=dateRange,pivotValues,sends&q=analytics"
    )
    assert restli.query({"fields": ["a", "b"]}) == "fields=a,b"


@pytest.mark.parametrize(
    "header,urn_type,expected",
    [
        ("123", "sponsoredConversation", "urn:li:sponsoredConversation:123"),
        (
            "urn%3Ali%3AsponsoredConversation%3A123",
            "sponsoredConversation",
            "urn:li:sponsoredConversation:123",
        ),
        ("urn%3Ali%3AadInMailContent%3A9", "adInMailContent", "urn:li:adInMailContent:9"),
        ("123", None, "123"),
    ],
)
def test_a_created_id_that_is_a_bare_number_becomes_its_urn(
    header: str, urn_type: str | None, expected: str
) -> None:
    assert restli.decode_id(header, urn_type) == expected


# --- sender permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state,expected",
    [
        ("APPROVED", SenderPermission.APPROVED),
        ("ACCEPTED", SenderPermission.APPROVED),  # unconfirmed spelling, read the same way
        ("REQUESTED", SenderPermission.PENDING),
        ("DECLINED", SenderPermission.REVOKED),
        ("REVOKED", SenderPermission.REVOKED),
        ("SOMETHING_NEW", SenderPermission.REVOKED),
        ("", SenderPermission.REVOKED),
    ],
)
def test_a_sender_permission_is_read_from_its_state(state: str, expected: str) -> None:
    assert services.permission_of({"member": "urn:li:person:x", "state": state}) == expected


def test_the_old_status_field_is_not_mistaken_for_a_state() -> None:
    assert (
        services.permission_of({"member": "urn:li:person:x", "status": "APPROVED"})
        == SenderPermission.REVOKED
    )


# --- payloads -------------------------------------------------------------------------------------


def test_a_lead_gen_message_ad_names_its_form_on_the_creative_only() -> None:
    snapshot = {"cta_kind": "lead_form", "cta_text": "Request a demo", "lead_form_urn": "urn:li:adForm:4242"}
    body = payloads.creative(
        campaign_urn="urn:li:sponsoredCampaign:1", content_urn="c", name="n", snapshot=snapshot
    )
    assert body["leadgenCallToAction"] == {"destination": "urn:li:adForm:4242", "label": "REQUEST_DEMO"}
    content = payloads.content({**snapshot, "name": "x"}, account_urn="urn:li:sponsoredAccount:1")
    assert content["subContent"] == {"form": {"callToActionText": "Request a demo"}}


@pytest.mark.parametrize(
    "text,label", [("Sign up", "SIGN_UP"), ("  download ", "DOWNLOAD"), ("Grab your copy", "LEARN_MORE")]
)
def test_the_leadgen_label_follows_the_button_text_when_one_fits(text: str, label: str) -> None:
    assert payloads.leadgen_label(text) == label


def test_a_landing_page_ad_names_no_form() -> None:
    body = payloads.creative(
        campaign_urn="c",
        content_urn="x",
        name="n",
        snapshot={"cta_kind": "landing_page", "lead_form_urn": ""},
    )
    assert "leadgenCallToAction" not in body


def test_a_banner_upload_is_owned_by_the_organization_with_the_account_as_its_library() -> None:
    assert payloads.image_upload(
        owner="urn:li:organization:7", account_urn="urn:li:sponsoredAccount:1", name="b.png"
    ) == {
        "initializeUploadRequest": {
            "owner": "urn:li:organization:7",
            "mediaLibraryMetadata": {"associatedAccount": "urn:li:sponsoredAccount:1", "assetName": "b.png"},
        }
    }


def test_conversation_messages_go_in_batches_leaves_first() -> None:
    items = message_payloads(good_tree())
    batches = payloads.message_batches(items)
    assert sorted(item.ref for batch in batches for item in batch) == sorted(item.ref for item in items)
    created: set[str] = set()
    for batch in batches:
        assert all(set(item.depends_on) <= created for item in batch), "a button points at a later batch"
        created |= {item.ref for item in batch}
    assert [item.ref for item in batches[-1]] == [good_tree()["first"]]
    assert payloads.message_batches(items) == batches  # deterministic: a retry batches the same way


# --- scopes ---------------------------------------------------------------------------------------


def test_the_app_asks_for_reporting_and_openid_connect_not_for_a_profile_scope() -> None:
    assert SCOPES == ("rw_ads", "r_ads", "r_ads_reporting", "openid", "profile")
    assert "r_basicprofile" not in SCOPES and "r_liteprofile" not in SCOPES


# --- the version calendar -------------------------------------------------------------------------


def test_the_default_version_is_one_linkedin_lists_as_released_and_answered_today() -> None:
    from django.utils import timezone

    version = versions.find(settings.LINKEDIN_API_VERSION)
    assert version is not None and version.released
    assert versions.is_active(settings.LINKEDIN_API_VERSION, timezone.now().date())


def test_the_calendar_knows_the_months_linkedin_skipped_and_every_entry_names_its_source() -> None:
    assert not versions.find("202412").released and not versions.find("202512").released  # type: ignore[union-attr]
    for version in versions.CALENDAR:
        assert version.source.startswith("https://learn.microsoft.com/en-us/linkedin/")
        if version.released:
            assert version.sunset is not None and version.sunset > version.release_month
    names = [v.name for v in versions.CALENDAR]
    assert names == sorted(names) and len(names) == len(set(names))


@pytest.mark.parametrize(
    "header,day,ok,warn,start",
    [
        ("202601", date(2026, 11, 15), True, False, "API version 202601 is supported until 15 January 2027"),
        (
            "202601",
            date(2026, 11, 16),
            True,
            True,
            "LinkedIn retires API version 202601 on 15 January 2027, in 60 days.",
        ),
        ("202601", date(2027, 1, 15), False, True, "LinkedIn retired API version 202601 on 15 January 2027"),
        ("202512", date(2026, 11, 30), False, True, "LinkedIn never released API version 202512"),
        (
            "202608.01",
            date(2026, 11, 30),
            True,
            False,
            "API version 202608.01 is supported until 15 August 2027",
        ),
    ],
)
def test_the_standing_of_a_version_on_a_day(header: str, day: date, ok: bool, warn: bool, start: str) -> None:
    standing = versions.standing(header, day)
    assert (standing.ok, standing.warn) == (ok, warn)
    assert standing.message.startswith(start)
    if not ok:
        assert f"Set LINKEDIN_API_VERSION={versions.newest_active(day).name}" in standing.message  # type: ignore[union-attr]


def test_a_policy_sunset_is_marked_as_the_earliest_linkedin_allows() -> None:
    standing = versions.standing("202608", date(2026, 11, 30))
    assert "(LinkedIn's earliest date under its one-year policy)" in standing.message
