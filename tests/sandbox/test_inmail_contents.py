"""inMailContents: create, get, batch get, partial update, sendTestInMail, and LinkedIn's validation."""

from __future__ import annotations

from typing import Any

import pytest

from inmail_studio.ads import limits
from inmail_studio.sandbox.models import InboxMessage

from .conftest import ACCOUNT, ACCOUNT_ID, Api, as_urn, campaign_urn, code_of, encode, message_ad


def test_create_answers_201_with_the_urn_in_x_restli_id_and_x_linkedin_id(api: Api) -> None:
    response = api.post("/inMailContents", message_ad())
    assert response.status_code == 201
    assert response.headers["x-restli-id"].startswith("urn%3Ali%3AadInMailContent%3A")
    assert response.headers["x-linkedin-id"] == response.headers["x-restli-id"]


def test_get_returns_the_entity_with_its_read_only_fields(api: Api) -> None:
    urn = api.create("/inMailContents", message_ad())
    entity = api.get(f"/inMailContents/{encode(urn)}").json()
    assert entity["id"] == urn
    assert entity["account"] == ACCOUNT
    assert entity["subContent"]["regular"]["callToActionText"] == "Save my seat"
    assert entity["createdBy"] == "urn:li:person:ada-admin"
    assert isinstance(entity["createdAt"], int)


def test_batch_get_reports_each_id_with_results_statuses_and_errors(api: Api) -> None:
    first = api.create("/inMailContents", message_ad())
    second = api.create("/inMailContents", message_ad(name="Other"))
    missing = "urn:li:adInMailContent:999999"
    response = api.get(f"/inMailContents?ids=List({encode(first)},{encode(second)},{encode(missing)})")
    assert response.status_code == 200
    body = response.json()
    assert set(body["results"]) == {first, second}
    assert body["statuses"] == {first: 200, second: 200, missing: 404}
    assert body["errors"][missing]["status"] == 404


def test_partial_update_answers_204_and_changes_only_the_fields_set(api: Api) -> None:
    urn = api.create("/inMailContents", message_ad())
    response = api.patch(f"/inMailContents/{encode(urn)}", {"subject": "New subject"})
    assert response.status_code == 204
    entity = api.get(f"/inMailContents/{encode(urn)}").json()
    assert entity["subject"] == "New subject"
    assert entity["htmlBody"] == message_ad()["htmlBody"]


def test_a_post_to_an_entity_without_partial_update_is_a_form_the_contract_does_not_list(api: Api) -> None:
    urn = api.create("/inMailContents", message_ad())
    response = api.post(f"/inMailContents/{encode(urn)}", {"patch": {"$set": {}}})
    assert response.status_code == 400
    assert response.json()["code"] == "NOT_IN_CONTRACT"
    assert "R20 wants PARTIAL_UPDATE" in response.json()["message"]


def test_a_sender_without_approved_permission_is_refused(api: Api) -> None:
    response = api.post("/inMailContents", message_ad(sender="urn:li:person:sofia-alvarez"))
    assert response.status_code == 422
    assert code_of(response) == "SINMAIL_SENDER_NOT_APPROVED"


def test_switching_to_an_unapproved_sender_is_refused_too(api: Api) -> None:
    urn = api.create("/inMailContents", message_ad())
    response = api.patch(f"/inMailContents/{encode(urn)}", {"sender": "urn:li:person:sofia-alvarez"})
    assert response.status_code == 422
    assert code_of(response) == "SINMAIL_SENDER_NOT_APPROVED"


def _over(limit: limits.Limit) -> str:
    return "x" * (limit.maximum + 1)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject": _over(limits.SUBJECT)}, "subject"),
        ({"subject": ""}, "subject"),
        ({"name": _over(limits.AD_NAME)}, "name"),
        ({"htmlBody": f"<p>{_over(limits.BODY)}</p>"}, "htmlBody"),
        (
            {
                "htmlBody": "".join(
                    f'<a href="https://e.com/{i}">l{i}</a>' for i in range(limits.BODY_LINKS.maximum + 1)
                )
            },
            "htmlBody",
        ),
        ({"htmlBody": "<p>" + "🚀" * (limits.BODY_EMOJIS.maximum + 1) + "</p>"}, "htmlBody"),
        ({"customFooter": _over(limits.FOOTER)}, "customFooter"),
        (
            {
                "subContent": {
                    "regular": {
                        "callToActionText": _over(limits.CTA_TEXT),
                        "callToActionLandingPageUrl": "https://e.com",
                    }
                }
            },
            "callToActionText",
        ),
        (
            {
                "subContent": {
                    "regular": {"callToActionText": "Go", "callToActionLandingPageUrl": "javascript:alert(1)"}
                }
            },
            "callToActionLandingPageUrl",
        ),
        (
            {
                "subContent": {
                    "regular": {
                        "callToActionText": "Go",
                        "callToActionLandingPageUrl": "https://e.com/"
                        + "a" * limits.LANDING_PAGE_URL.maximum,
                    }
                }
            },
            "callToActionLandingPageUrl",
        ),
        ({"subContent": {}}, "subContent"),
        (
            {
                "subContent": {
                    "regular": {"callToActionText": "Go", "callToActionLandingPageUrl": "https://e.com"},
                    "form": {"callToActionText": "Go"},
                }
            },
            "subContent",
        ),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_what_linkedin_refuses_is_answered_422_naming_the_field(
    api: Api, overrides: dict[str, Any], field: str
) -> None:
    response = api.post("/inMailContents", message_ad(**overrides))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["status"] == 422
    assert field in body["message"]


def test_limits_are_exactly_the_ones_in_ads_limits(api: Api) -> None:
    at_limit = message_ad(subject="s" * limits.SUBJECT.maximum)
    assert api.post("/inMailContents", at_limit).status_code == 201


def test_a_lead_gen_form_and_a_conversation_shell_are_accepted(api: Api) -> None:
    form = message_ad(
        subContent={"form": {"callToActionText": "Book a demo", "leadGenerationForm": "urn:li:adForm:4242"}}
    )
    assert api.post("/inMailContents", form).status_code == 201
    conversation = as_urn(api.create("/conversationAds", {"parentAccount": ACCOUNT}), "sponsoredConversation")
    shell = message_ad(htmlBody="", subContent={"guidedReplies": {"sponsoredConversation": conversation}})
    assert api.post("/inMailContents", shell).status_code == 201


def _draft_creative(api: Api, content: str, campaign: str | None = None) -> str:
    return api.create(
        f"/adAccounts/{ACCOUNT_ID}/creatives",
        {
            "campaign": campaign or campaign_urn(api),
            "content": {"reference": content},
            "intendedStatus": "DRAFT",
        },
    )


def test_content_used_by_an_active_creative_can_no_longer_change(api: Api) -> None:
    urn = api.create("/inMailContents", message_ad())
    creative = _draft_creative(api, urn)
    assert api.patch(f"/inMailContents/{encode(urn)}", {"subject": "Still a draft"}).status_code == 204
    assert (
        api.patch(
            f"/adAccounts/{ACCOUNT_ID}/creatives/{encode(creative)}", {"intendedStatus": "ACTIVE"}
        ).status_code
        == 204
    )
    response = api.patch(f"/inMailContents/{encode(urn)}", {"subject": "Too late"})
    assert response.status_code == 422
    assert code_of(response) == "INMAIL_CONTENT_IMMUTABLE"


def test_send_test_inmail_delivers_to_the_callers_inbox(api: Api) -> None:
    urn = api.create("/inMailContents", message_ad())
    campaign = campaign_urn(api)
    creative = _draft_creative(api, urn, campaign)
    response = api.post(
        "/inMailContents?action=sendTestInMail",
        {"adInMailContentId": urn, "campaign": campaign, "creative": creative, "account": ACCOUNT},
    )
    assert response.status_code == 200, response.text
    message = InboxMessage.objects.get()
    assert message.recipient.slug == "ada-admin"
    assert message.snapshot["subject"] == message_ad()["subject"]
    assert message.snapshot["sender"]["name"] == "Dana Whitfield"


def test_send_test_inmail_needs_a_campaign(api: Api) -> None:
    urn = api.create("/inMailContents", message_ad())
    response = api.post("/inMailContents?action=sendTestInMail", {"adInMailContentId": urn})
    assert response.status_code == 422
    assert "campaign" in response.json()["message"]


def test_send_test_inmail_needs_a_creative_that_references_the_content(api: Api) -> None:
    urn = api.create("/inMailContents", message_ad())
    other = api.create("/inMailContents", message_ad(name="Other"))
    campaign = campaign_urn(api)
    creative_of_other = _draft_creative(api, other, campaign)
    no_creative = api.post(
        "/inMailContents?action=sendTestInMail", {"adInMailContentId": urn, "campaign": campaign}
    )
    assert no_creative.status_code == 422
    wrong = api.post(
        "/inMailContents?action=sendTestInMail",
        {"adInMailContentId": urn, "campaign": campaign, "creative": creative_of_other},
    )
    assert wrong.status_code == 422
    assert not InboxMessage.objects.exists()
