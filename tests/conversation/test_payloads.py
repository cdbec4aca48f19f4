"""The pure mapping of a tree to LinkedIn's sponsoredMessageContents bodies, created leaves first."""

from __future__ import annotations

import pytest

from inmail_studio.linkedin.payloads.conversation_messages import (
    TreeNotSyncable,
    first_message_ref,
    message_payloads,
    placeholder,
    resolve,
)

from .trees import button, find, good_tree, message


def test_messages_are_created_leaves_first_so_every_target_exists_before_its_button() -> None:
    ordered = [item.ref for item in message_payloads(good_tree())]
    assert ordered == ["m4", "m2", "m3", "m1"]
    created: set[str] = set()
    for item in message_payloads(good_tree()):
        assert set(item.depends_on) <= created
        created.add(item.ref)


def test_each_action_maps_to_its_reply_type() -> None:
    bodies = {item.ref: item.body for item in message_payloads(good_tree())}
    assert bodies["m1"] == {
        "bodySource": {"text": "<p>Hi %FIRSTNAME%, which describes you?</p>"},
        "nextAction": {
            "options": [
                {"optionText": "Marketing", "replyType": "SIMPLE_REPLY", "nextContent": placeholder("m2")},
                {"optionText": "Sales", "replyType": "SIMPLE_REPLY", "nextContent": placeholder("m3")},
                {"optionText": "Not interested", "replyType": "SIMPLE_REPLY"},
            ]
        },
    }
    assert bodies["m2"]["nextAction"]["options"] == [
        {
            "optionText": "Get the guide",
            "replyType": "EXTERNAL_WEBSITE",
            "landingPage": "https://example.com/guide",
        },
        {"optionText": "Talk to us", "replyType": "LEAD_GENERATION", "nextContent": placeholder("m4")},
    ]
    assert bodies["m4"] == {
        "bodySource": {"leadGenerationForm": "urn:li:adForm:42"},
        "nextAction": {"options": []},
    }


def test_a_thank_you_button_maps_to_lead_generation_thank_you() -> None:
    t = good_tree()
    t["messages"].append(message("m5", "Thanks", "<p>Thank you!</p>"))
    find(t, "m4")["buttons"] = [button("b9", "Done", "thank_you", "m5")]
    bodies = {item.ref: item.body for item in message_payloads(t)}
    assert bodies["m4"]["nextAction"]["options"] == [
        {"optionText": "Done", "replyType": "LEAD_GENERATION_THANK_YOU", "nextContent": placeholder("m5")}
    ]


def test_placeholders_resolve_to_the_urns_linkedin_returned() -> None:
    urns = {}
    for n, item in enumerate(message_payloads(good_tree()), start=1):
        body = resolve(item.body, urns)
        assert "{{" not in str(body)
        urns[item.ref] = f"urn:li:sponsoredMessageContent:(urn:li:sponsoredConversation:7,{n})"
    assert urns[first_message_ref(good_tree())].endswith(",4)")


def test_resolving_before_the_target_exists_refuses() -> None:
    m1 = next(i for i in message_payloads(good_tree()) if i.ref == "m1")
    with pytest.raises(TreeNotSyncable):
        resolve(m1.body, {})


def test_bodies_are_sanitized_in_the_payload() -> None:
    t = good_tree()
    find(t, "m2")["body"] = '<p onclick="x()">Hi<script>alert(1)</script></p>'
    bodies = {i.ref: i.body for i in message_payloads(t)}
    assert bodies["m2"]["bodySource"]["text"] == "<p>Hi</p>"


def test_unreachable_messages_are_not_synced() -> None:
    t = good_tree()
    t["messages"].append(message("m9", "Orphan"))
    assert "m9" not in [i.ref for i in message_payloads(t)]


def test_a_loop_cannot_be_mapped() -> None:
    t = good_tree()
    find(t, "m2")["buttons"].append(button("b8", "Again", "message", "m1"))
    with pytest.raises(TreeNotSyncable, match="loops"):
        message_payloads(t)


def test_a_shared_follow_up_is_created_once() -> None:
    refs = [i.ref for i in message_payloads(good_tree())]
    assert refs.count("m4") == 1
