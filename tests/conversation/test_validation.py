"""The validator on hand-made trees: one test per rule, each showing the rule fires and names its target."""

from __future__ import annotations

from inmail_studio.ads import limits
from inmail_studio.ads.conversation.validation import Problem, Severity, validate

from .trees import button, find, good_tree, message, tree


def codes(problems: list[Problem], severity: Severity | None = None) -> list[str]:
    return [p.code for p in problems if severity is None or p.severity == severity]


def only(problems: list[Problem], code: str) -> Problem:
    matching = [p for p in problems if p.code == code]
    assert len(matching) == 1, problems
    return matching[0]


def test_a_well_scripted_tree_has_no_problems() -> None:
    assert validate(good_tree()) == []


def test_an_empty_tree_is_an_error() -> None:
    assert codes(validate(tree(first=None))) == ["empty"]


def test_a_message_no_path_reaches_is_an_error_on_that_message() -> None:
    t = good_tree()
    t["messages"].append(message("m9", "Orphan", "<p>Nobody sees me</p>", button("b90", "No thanks", "end")))
    problem = only(validate(t), "unreachable")
    assert problem.is_error and problem.message_id == "m9"
    assert "Orphan" in problem.message


def test_a_cycle_is_an_error_on_the_button_that_closes_it() -> None:
    t = good_tree()
    find(t, "m2")["buttons"].append(button("b8", "Back to start", "message", "m1"))
    problem = only(validate(t), "cycle")
    assert problem.is_error and problem.button_id == "b8" and problem.message_id == "m2"


def test_a_cycle_among_unreachable_messages_is_still_an_error() -> None:
    t = good_tree()
    t["messages"] += [
        message(
            "m8",
            "Loop A",
            "<p>a</p>",
            button("b80", "To B", "message", "m9"),
            button("b81", "No thanks", "end"),
        ),
        message(
            "m9",
            "Loop B",
            "<p>b</p>",
            button("b90", "To A", "message", "m8"),
            button("b91", "No thanks", "end"),
        ),
    ]
    assert "cycle" in codes(validate(t), Severity.ERROR)


def test_a_button_without_a_target_is_an_error() -> None:
    t = good_tree()
    find(t, "m1")["buttons"][0]["target"] = None
    problem = only(validate(t), "no_target")
    assert problem.button_id == "b1" and problem.is_error


def test_a_website_button_without_an_address_is_an_error() -> None:
    t = good_tree()
    find(t, "m2")["buttons"][0]["url"] = ""
    assert only(validate(t), "no_target").button_id == "b4"


def test_a_website_button_with_a_javascript_address_is_an_error() -> None:
    t = good_tree()
    find(t, "m2")["buttons"][0]["url"] = "javascript:alert(1)"
    assert only(validate(t), "bad_url").button_id == "b4"


def test_more_buttons_than_linkedin_allows_is_an_error() -> None:
    t = good_tree()
    extra = limits.BUTTONS_PER_MESSAGE.maximum + 1 - len(find(t, "m1")["buttons"])
    find(t, "m1")["buttons"] += [
        button(f"x{i}", f"Link {i}", "website", url="https://example.com") for i in range(extra)
    ]
    problem = only(validate(t), "too_many_buttons")
    assert problem.message_id == "m1"
    assert f"LinkedIn allows {limits.BUTTONS_PER_MESSAGE.maximum}" in problem.message


def test_button_text_over_the_limit_is_an_error() -> None:
    t = good_tree()
    find(t, "m1")["buttons"][0]["text"] = "M" * (limits.BUTTON_TEXT.maximum + 1)
    problem = only(validate(t), "button_text_too_long")
    assert problem.button_id == "b1"


def test_button_text_at_the_limit_is_fine() -> None:
    t = good_tree()
    find(t, "m1")["buttons"][0]["text"] = "M" * limits.BUTTON_TEXT.maximum
    assert validate(t) == []


def test_a_body_over_the_limit_is_an_error_counting_its_html() -> None:
    t = good_tree()
    find(t, "m2")["body"] = "<p>" + "a" * (limits.CONVERSATION_BODY.maximum - 7) + "</p>"
    assert "body_too_long" not in codes(validate(t))
    find(t, "m2")["body"] = "<p>" + "a" * (limits.CONVERSATION_BODY.maximum - 6) + "</p>"
    assert only(validate(t), "body_too_long").message_id == "m2"


def test_a_body_over_the_advised_length_is_a_warning() -> None:
    t = good_tree()
    find(t, "m2")["body"] = "<p>" + "a" * limits.CONVERSATION_BODY_ADVISED + "</p>"
    problem = only(validate(t), "body_long")
    assert problem.severity == Severity.WARNING and problem.message_id == "m2"


def test_more_emojis_than_allowed_is_an_error() -> None:
    t = good_tree()
    find(t, "m3")["body"] = "<p>" + "🎉" * (limits.CONVERSATION_EMOJIS.maximum + 1) + "</p>"
    assert only(validate(t), "too_many_emojis").message_id == "m3"
    find(t, "m3")["body"] = "<p>" + "🎉" * limits.CONVERSATION_EMOJIS.maximum + "</p>"
    assert "too_many_emojis" not in codes(validate(t))


def test_the_first_message_without_a_polite_exit_is_an_error() -> None:
    t = good_tree()
    find(t, "m1")["buttons"].pop()  # "Not interested"
    problem = only(validate(t), "no_exit")
    assert problem.message_id == "m1" and problem.is_error


def test_a_no_thanks_reply_counts_as_the_exit_even_when_it_leads_on() -> None:
    t = good_tree()
    t["messages"].append(message("m5", "Goodbye", "<p>Thanks for your time.</p>"))
    find(t, "m1")["buttons"][-1] = button("b3", "No thanks", "message", "m5")
    assert "no_exit" not in codes(validate(t))


def test_more_messages_than_allowed_is_an_error() -> None:
    t = good_tree()
    n = limits.MESSAGES_PER_CONVERSATION.maximum
    chain = [
        message(
            f"c{i}",
            f"Step {i}",
            "<p>x</p>",
            button(f"cb{i}", "Next", "message", f"c{i + 1}"),
            button(f"cx{i}", "Visit", "website", url="https://example.com"),
        )
        for i in range(n)
    ]
    chain.append(message(f"c{n}", "Last", "<p>x</p>"))
    find(t, "m1")["buttons"].insert(0, button("b0", "Chain", "message", "c0"))
    t["messages"] += chain
    assert only(validate(t), "too_many_messages").is_error


def test_a_lead_gen_button_pointing_at_a_plain_message_is_an_error() -> None:
    t = good_tree()
    find(t, "m2")["buttons"][1]["target"] = "m3"
    problem = only(validate(t), "lead_gen_target_not_form")
    assert problem.button_id == "b5"


def test_a_lead_gen_campaign_without_a_form_node_is_an_error() -> None:
    t = good_tree()
    for mid in ("m2", "m3"):
        find(t, mid)["buttons"].pop()
    t["messages"] = [m for m in t["messages"] if m["id"] != "m4"]
    assert "lead_gen_without_form" in codes(validate(t), Severity.ERROR)
    t["lead_gen"] = False
    assert "lead_gen_without_form" not in codes(validate(t))


def test_a_form_node_without_a_form_urn_is_an_error() -> None:
    t = good_tree()
    find(t, "m4")["form_urn"] = ""
    assert only(validate(t), "form_without_urn").message_id == "m4"


def test_a_path_ending_without_website_or_form_is_a_warning() -> None:
    t = good_tree()
    t["messages"].append(message("m5", "Dead end", "<p>Well, bye.</p>"))
    find(t, "m3")["buttons"][0] = button("b6", "Tell me more", "message", "m5")
    problem = only(validate(t), "path_without_conversion")
    assert problem.severity == Severity.WARNING and problem.message_id == "m5"
    assert "Sales → Tell me more" in problem.message


def test_the_not_interested_exit_is_not_a_missed_conversion() -> None:
    assert "path_without_conversion" not in codes(validate(good_tree()))


def test_one_answer_or_five_answers_on_a_question_are_warnings() -> None:
    t = good_tree()
    find(t, "m2")["buttons"].pop()
    assert only(validate(t), "answer_count").message_id == "m2"
    t = good_tree()
    find(t, "m1")["buttons"] += [
        button("b10", "Ops", "website", url="https://example.com/a"),
        button("b11", "IT", "website", url="https://example.com/b"),
    ]
    problem = only(validate(t), "answer_count")
    assert problem.severity == Severity.WARNING and "5 answers" in problem.message


def test_duplicate_button_texts_on_one_message_are_a_warning() -> None:
    t = good_tree()
    find(t, "m1")["buttons"][1]["text"] = " marketing "
    problem = only(validate(t), "duplicate_button")
    assert problem.button_id == "b2" and problem.severity == Severity.WARNING


def test_misspelled_macros_are_warnings() -> None:
    t = good_tree()
    find(t, "m1")["body"] = "<p>Hi %firstname%, at %COMPANY%?</p>"
    macro = [p for p in validate(t) if p.code == "macro"]
    assert len(macro) == 2 and all(p.severity == Severity.WARNING and p.message_id == "m1" for p in macro)


def test_errors_come_before_warnings() -> None:
    t = good_tree()
    find(t, "m1")["body"] = "<p>Hi %firstname%</p>"
    find(t, "m1")["buttons"][0]["target"] = None
    severities = [p.severity for p in validate(t)]
    assert severities == sorted(severities, key=lambda s: s != Severity.ERROR)
    assert Severity.ERROR in severities and Severity.WARNING in severities


def test_unsafe_html_in_a_body_is_measured_after_sanitizing() -> None:
    t = good_tree()
    find(t, "m2")["body"] = "<script>" + "x" * 9000 + "</script><p>Short</p>"
    assert "body_too_long" not in codes(validate(t))
