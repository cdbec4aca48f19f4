"""The conversation ad checks, on trees of messages with reply buttons."""

from __future__ import annotations

from typing import Any

from inmail_studio.ads import snapshots
from inmail_studio.ads.models import Kind, SenderPermission
from inmail_studio.guidance import checks
from inmail_studio.guidance.checks import Plan

PLAN = Plan(offer_type="consultation", audience_size=8_000, sender_permission=SenderPermission.APPROVED)
SENDER = {"id": 1, "urn": "urn:li:person:dana", "name": "Dana", "headline": "VP Marketing", "photo": "/d.jpg"}


def button(
    bid: str, text: str, action: str = "message", target: str | None = None, url: str = ""
) -> dict[str, Any]:
    return {"id": bid, "text": text, "action": action, "target": target, "url": url}


def message(mid: str, name: str, body: str, *buttons: dict[str, Any], kind: str = "text") -> dict[str, Any]:
    return {"id": mid, "name": name, "kind": kind, "body": body, "form_urn": "", "buttons": list(buttons)}


TAGS = "?utm_source=linkedin&utm_medium=sponsored_message&utm_campaign=clinic"


def good_tree() -> dict[str, Any]:
    return {
        "lead_gen": True,
        "first": "m1",
        "messages": [
            message(
                "m1",
                "Opening",
                "<p>Hi %FIRSTNAME%, what's your biggest challenge with forecasting?</p>",
                button("b1", "Accuracy", target="m2"),
                button("b2", "Time it takes", target="m3"),
                button("b3", "Not interested", "end"),
            ),
            message(
                "m2",
                "Accuracy",
                "<p>You can see how three teams halved their error.</p>",
                button("b4", "Get the study", "website", url="https://acmecloud.com/study" + TAGS),
            ),
            message(
                "m3",
                "Time",
                "<p>Your team could book a free-of-charge assessment with us.</p>",
                button("b5", "Book it", "lead_form", target="m4"),
            ),
            message("m4", "Form", "", kind="form"),
        ],
    }


def snap(tree: dict[str, Any]) -> dict[str, Any]:
    snapshot = snapshots.build(
        kind=Kind.CONVERSATION, name="Clinic", subject="%FIRSTNAME%, a question", tree=tree
    )
    snapshot["sender"] = SENDER
    return snapshot


def status(tree: dict[str, Any], key: str) -> checks.CheckResult:
    return next(r for r in checks.run(snap(tree), PLAN) if r.key == key)


def test_a_well_scripted_conversation_passes_every_check() -> None:
    results = checks.run(snap(good_tree()), PLAN)
    assert [r.key for r in results if not r.passed] == []
    assert {"conversation_hook", "conversation_answers", "conversation_converts", "landing_utm"} <= {
        r.key for r in results
    }
    # The message ad's body and button checks don't apply: the tree replaces them.
    assert not {"body_length", "call_to_action"} & {r.key for r in results}


def test_an_opening_without_a_question_gets_advice() -> None:
    tree = good_tree()
    tree["messages"][0]["body"] = "<p>Hi %FIRSTNAME%, we have news.</p>"
    assert status(tree, "conversation_hook").status == "advice"


def test_no_opening_message_is_a_problem() -> None:
    tree = {**good_tree(), "first": None}
    assert status(tree, "conversation_hook").status == "problem"
    assert status(tree, "conversation_converts").status == "problem"


def test_a_question_with_one_answer_gets_advice_and_more_than_linkedin_allows_is_a_problem() -> None:
    tree = good_tree()
    tree["messages"][0]["buttons"] = [button("b1", "Accuracy", target="m2")]
    check = status(tree, "conversation_answers")
    assert check.status == "advice"
    assert check.detail == "“Opening” offers 1 answer"
    tree["messages"][0]["buttons"] = [button(f"x{i}", f"Answer {i}", target="m2") for i in range(6)]
    assert status(tree, "conversation_answers").status == "problem"


def test_a_closing_message_with_one_website_button_is_not_a_question() -> None:
    # m2 has one button, but it is a call to action: only m1 is a question.
    assert status(good_tree(), "conversation_answers").status == "pass"


def test_a_branch_that_ends_without_a_link_or_form_is_a_problem() -> None:
    tree = good_tree()
    tree["messages"][1]["buttons"] = []  # "Accuracy" now ends the conversation with nothing to do
    check = status(tree, "conversation_converts")
    assert check.status == "problem"
    assert check.detail == "1 of 3 paths end without one, e.g. after “Accuracy”"


def test_the_not_interested_exit_is_not_a_dead_end() -> None:
    check = status(good_tree(), "conversation_converts")
    assert check.status == "pass" and check.detail == "3 paths"


def test_website_buttons_are_checked_like_landing_pages() -> None:
    tree = good_tree()
    tree["messages"][1]["buttons"][0]["url"] = "http://example.com/study"
    https = status(tree, "landing_https")
    assert https.status == "problem"
    assert https.detail == "1 of 1 website button"
    assert status(tree, "landing_utm").status == "advice"


def test_the_words_of_every_message_are_read_for_a_sales_pitch() -> None:
    tree = good_tree()
    tree["messages"][2]["body"] = "<p>We are the industry-leading, best-in-class platform.</p>"
    check = status(tree, "body_pitch")
    assert check.status == "problem" and check.section == "conversation"
