"""conversationAds and their sponsoredMessageContents: created from the leaves up, no dangling or looping buttons."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from inmail_studio.ads import limits

from .conftest import ACCOUNT, ACCOUNT_ID, Api, as_urn, campaign_urn, code_of, encode, message_ad


def text(body: str, *options: dict[str, Any]) -> dict[str, Any]:
    return {"bodySource": {"text": body}, "nextAction": {"options": list(options)}}


def reply(label: str, next_content: str | None = None) -> dict[str, Any]:
    option: dict[str, Any] = {"optionText": label, "replyType": "SIMPLE_REPLY"}
    if next_content:
        option["nextContent"] = next_content
    return option


def conversation(api: Api) -> tuple[str, str]:
    urn = as_urn(api.create("/conversationAds", {"parentAccount": ACCOUNT}), "sponsoredConversation")
    return urn, f"/conversationAds/{encode(urn)}/sponsoredMessageContents"


def test_creating_a_conversation_answers_its_bare_number_and_the_urn_in_x_linkedin_id(api: Api) -> None:
    """Contract R27 (unconfirmed): x-restli-id may carry the bare number; the client turns it into the URN."""
    response = api.post("/conversationAds", {"parentAccount": ACCOUNT})
    assert response.status_code == 201
    number = response.headers["x-restli-id"]
    assert number.isdigit()
    assert unquote(response.headers["x-linkedin-id"]) == f"urn:li:sponsoredConversation:{number}"
    # Both forms of the key reach the same conversation, as LinkedIn's reference shows.
    by_number = api.get(f"/conversationAds/{number}").json()
    assert by_number == api.get(f"/conversationAds/{encode(as_urn(number, 'sponsoredConversation'))}").json()


def test_a_conversation_is_built_from_the_leaves_up_and_read_back(api: Api) -> None:
    urn, messages = conversation(api)
    assert urn.startswith("urn:li:sponsoredConversation:")
    leaf = api.create(
        messages,
        text(
            "<p>Great, here is the link.</p>",
            {"optionText": "Open", "replyType": "EXTERNAL_WEBSITE", "landingPage": "https://example.com"},
        ),
    )
    assert leaf == f"urn:li:sponsoredMessageContent:({urn},1)"
    first = api.create(
        messages, text("<p>Hi %FIRSTNAME%!</p>", reply("Tell me more", leaf), reply("Not interested"))
    )

    assert api.patch(f"/conversationAds/{encode(urn)}", {"firstMessageContent": first}).status_code == 204
    assert api.get(f"/conversationAds/{encode(urn)}").json()["firstMessageContent"] == first

    everything = api.get(messages).json()
    assert [m["id"] for m in everything["elements"]] == [leaf, first]
    one = api.get(f"{messages}/{encode(first)}").json()
    assert one["nextAction"]["options"][0]["nextContent"] == leaf


def test_batch_create_answers_each_new_message(api: Api) -> None:
    _, messages = conversation(api)
    response = api.post(
        messages,
        {"elements": [text("<p>One</p>"), text("<p>Two</p>")]},
        headers={"X-RestLi-Method": "BATCH_CREATE"},
    )
    assert response.status_code == 200
    assert [e["status"] for e in response.json()["elements"]] == [201, 201]
    assert api.get(messages).json()["paging"]["total"] == 2


def test_a_button_cannot_point_at_a_message_that_does_not_exist(api: Api) -> None:
    urn, messages = conversation(api)
    response = api.post(
        messages, text("<p>Hi</p>", reply("Next", f"urn:li:sponsoredMessageContent:({urn},9)"))
    )
    assert response.status_code == 422
    assert "leaves up" in response.json()["message"]


def test_at_most_the_limit_of_buttons_per_message(api: Api) -> None:
    _, messages = conversation(api)
    options = [reply(f"Option {i}") for i in range(limits.BUTTONS_PER_MESSAGE.maximum + 1)]
    response = api.post(messages, text("<p>Hi</p>", *options))
    assert response.status_code == 422
    assert code_of(response) == "TOO_MANY_OPTIONS"


def test_button_text_and_body_follow_the_limits(api: Api) -> None:
    _, messages = conversation(api)
    long_button = api.post(messages, text("<p>Hi</p>", reply("b" * (limits.BUTTON_TEXT.maximum + 1))))
    assert long_button.status_code == 422
    long_body = api.post(messages, text("x" * (limits.CONVERSATION_BODY.maximum + 1)))
    assert long_body.status_code == 422
    both = api.post(messages, {"bodySource": {"text": "<p>Hi</p>", "leadGenerationForm": "urn:li:adForm:1"}})
    assert both.status_code == 422


def test_a_partial_update_that_would_loop_is_refused(api: Api) -> None:
    _, messages = conversation(api)
    leaf = api.create(messages, text("<p>Leaf</p>"))
    first = api.create(messages, text("<p>First</p>", reply("Go", leaf)))
    response = api.patch(f"{messages}/{encode(leaf)}", {"nextAction": {"options": [reply("Back", first)]}})
    assert response.status_code == 422
    assert code_of(response) == "CYCLE_IN_CONVERSATION"
    fine = api.patch(f"{messages}/{encode(leaf)}", {"bodySource": {"text": "<p>Leaf, reworded</p>"}})
    assert fine.status_code == 204


def test_a_live_conversation_can_no_longer_change(api: Api) -> None:
    urn, messages = conversation(api)
    first = api.create(messages, text("<p>Hi</p>"))
    api.patch(f"/conversationAds/{encode(urn)}", {"firstMessageContent": first})
    content = api.create(
        "/inMailContents",
        message_ad(htmlBody="", subContent={"guidedReplies": {"sponsoredConversation": urn}}),
    )
    creative = api.create(
        f"/adAccounts/{ACCOUNT_ID}/creatives",
        {
            "campaign": campaign_urn(api, "Conversation pilot"),
            "content": {"reference": content},
            "intendedStatus": "ACTIVE",
        },
    )
    assert creative
    response = api.patch(f"{messages}/{encode(first)}", {"bodySource": {"text": "<p>Changed</p>"}})
    assert response.status_code == 422
    assert code_of(response) == "INMAIL_CONTENT_IMMUTABLE"


def test_a_thank_you_after_a_form_keeps_the_message_it_leads_to(api: Api) -> None:
    _, messages = conversation(api)
    thanks = api.create(messages, text("<p>Thanks, we'll be in touch.</p>", reply("Done")))
    form = api.create(
        messages,
        {
            "bodySource": {"leadGenerationForm": "urn:li:adForm:4242"},
            "nextAction": {
                "options": [
                    {
                        "optionText": "Submitted",
                        "replyType": "LEAD_GENERATION_THANK_YOU",
                        "nextContent": thanks,
                    }
                ]
            },
        },
    )
    stored = api.get(f"{messages}/{encode(form)}").json()
    assert stored["nextAction"]["options"][0]["nextContent"] == thanks
