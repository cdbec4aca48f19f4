"""Each best-practice check on an example that passes it and one that fails it, and the score."""

from __future__ import annotations

from typing import Any

import pytest

from inmail_studio.ads import limits, snapshots
from inmail_studio.ads.models import CtaKind, Kind, SenderPermission
from inmail_studio.guidance import checks
from inmail_studio.guidance.checks import Plan

SENDER = {
    "id": 1,
    "urn": "urn:li:person:dana",
    "name": "Dana Whitfield",
    "headline": "VP Marketing at Acme Cloud",
    "photo": "/media/senders/1/dana.jpg",
}
GOOD_BODY = (
    "<p>Hi %FIRSTNAME%,</p><p>You told us last spring that forecasting pipeline is your team's hardest "
    "job. On 12 December our head of research shows how three SaaS companies cut their forecast error "
    "in half, with the spreadsheets they used.</p><p>Would you like a seat? It takes 40 minutes and "
    "you'll leave with the templates.</p>"
)
GOOD_PLAN = Plan(offer_type="webinar", audience_size=20_000, sender_permission=SenderPermission.APPROVED)


def snap(**fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": Kind.MESSAGE,
        "name": "Q4 forecasting webinar",
        "subject": "%FIRSTNAME%, a seat at our Q4 webinar?",
        "body": GOOD_BODY,
        "cta_text": "Save my seat",
        "landing_page_url": "https://acmecloud.com/webinar?utm_source=linkedin&utm_medium=sponsored_message&utm_campaign=q4",
        **{k: v for k, v in fields.items() if k != "sender"},
    }
    snapshot = snapshots.build(**values)
    snapshot["sender"] = fields.get("sender", SENDER)
    return snapshot


def result(snapshot: dict[str, Any], key: str, plan: Plan = GOOD_PLAN) -> checks.CheckResult:
    found = [r for r in checks.run(snapshot, plan) if r.key == key]
    assert found, f"{key} did not run"
    return found[0]


def test_a_well_written_ad_passes_every_check_and_scores_100() -> None:
    results = checks.run(snap(), GOOD_PLAN)
    assert [r.key for r in results if not r.passed] == []
    assert checks.score(results) == 100


# ---------- Subject ----------


def test_a_subject_under_40_characters_passes() -> None:
    assert result(snap(subject="Question about %COMPANYNAME%"), "subject_length").status == "pass"


def test_a_subject_of_40_to_60_characters_gets_advice() -> None:
    subject = "A question about how your team plans its next quarter"
    assert 40 <= len(subject) <= limits.SUBJECT.maximum
    check = result(snap(subject=subject), "subject_length")
    assert check.status == "advice"
    assert f"{len(subject)} characters" == check.detail


def test_a_subject_over_linkedins_limit_is_a_problem_using_the_limit_from_limits() -> None:
    subject = "x" * (limits.SUBJECT.maximum + 1)
    check = result(snap(subject=subject), "subject_length")
    assert check.status == "problem"
    assert str(limits.SUBJECT.maximum) in check.why


def test_an_empty_subject_is_a_problem() -> None:
    assert result(snap(subject=""), "subject_length").status == "problem"


@pytest.mark.parametrize(
    "subject", ["%FIRSTNAME%, quick question", "News for %INDUSTRY% leaders", "For %COMPANYNAME%"]
)
def test_a_subject_with_a_name_company_or_industry_macro_is_personalised(subject: str) -> None:
    assert result(snap(subject=subject), "subject_personalised").status == "pass"


@pytest.mark.parametrize("subject", ["Quick question", "%firstname%, quick question", "%NAME%, hello"])
def test_a_subject_without_a_real_macro_gets_advice_to_personalise(subject: str) -> None:
    assert result(snap(subject=subject), "subject_personalised").status == "advice"


@pytest.mark.parametrize(
    "subject, detail",
    [
        ("Get a FREE audit today", "free"),
        ("Guaranteed results for %COMPANYNAME%", "guaranteed"),
        ("Act now: seats are going", "act now"),
        ("100% more pipeline", "100%"),
        ("EXCLUSIVE WEBINAR INVITATION", "capitals"),
    ],
)
def test_spam_words_and_capitals_make_the_subject_a_problem(subject: str, detail: str) -> None:
    check = result(snap(subject=subject), "subject_direct")
    assert check.status == "problem"
    assert detail in check.detail.lower()


def test_many_exclamation_marks_get_advice() -> None:
    check = result(snap(subject="See you there!!"), "subject_direct")
    assert check.status == "advice"
    assert "2 exclamation marks" in check.detail


@pytest.mark.parametrize(
    "subject",
    [
        "Question about %COMPANYNAME%'s Q4 plans",
        "Your GDPR audit, %FIRSTNAME%",
        "Freedom to plan!",
        "%FIRSTNAME%",
    ],
)
def test_a_plain_subject_is_direct(subject: str) -> None:
    # "Freedom" is not "free"; one acronym is not shouting; one "!" is fine; a macro is not capitals.
    assert result(snap(subject=subject), "subject_direct").status == "pass"


# ---------- Body ----------


def test_a_long_body_gets_advice_with_its_word_count() -> None:
    body = "<p>" + " ".join(["you"] * (checks.BODY_WORDS_ADVISED + 1)) + "</p>"
    check = result(snap(body=body), "body_length")
    assert check.status == "advice"
    assert f"{checks.BODY_WORDS_ADVISED + 1} words" in check.detail


def test_a_body_over_linkedins_limit_is_a_problem() -> None:
    body = "<p>" + "a" * (limits.BODY.maximum + 1) + "</p>"
    assert result(snap(body=body), "body_length").status == "problem"


def test_a_two_line_body_is_too_short_to_give_context_value_and_an_ask() -> None:
    assert result(snap(body="<p>Hi %FIRSTNAME%, want a demo?</p>"), "body_length").status == "advice"


def test_an_empty_body_is_a_problem() -> None:
    assert result(snap(body=""), "body_length").status == "problem"


def test_one_link_in_the_body_is_fine() -> None:
    body = GOOD_BODY + '<p>The agenda: <a href="https://example.com/agenda">agenda</a></p>'
    assert result(snap(body=body), "body_links").status == "pass"


def test_two_links_compete_with_the_button() -> None:
    body = GOOD_BODY + '<p><a href="https://a.example">one</a> and <a href="https://b.example">two</a></p>'
    check = result(snap(body=body), "body_links")
    assert check.status == "advice"
    assert check.detail == "2 links"


def test_more_links_than_linkedin_allows_is_a_problem() -> None:
    links = "".join(f'<a href="https://{i}.example">{i}</a> ' for i in range(limits.BODY_LINKS.maximum + 1))
    assert result(snap(body=GOOD_BODY + f"<p>{links}</p>"), "body_links").status == "problem"


def test_a_body_that_addresses_the_reader_passes_and_one_that_does_not_gets_advice() -> None:
    assert result(snap(), "body_second_person").status == "pass"
    body = "<p>Acme Cloud has released a new forecasting module with three new reports.</p>"
    assert result(snap(body=body), "body_second_person").status == "advice"


def test_superlatives_and_talking_about_ourselves_read_as_a_generic_pitch() -> None:
    body = (
        "<p>We are the industry-leading provider of best-in-class forecasting. Our platform is what we "
        "built for companies like us, and we offer it to our customers.</p>"
    )
    check = result(snap(body=body), "body_pitch")
    assert check.status == "problem"
    assert "industry-leading" in check.detail and "we/our" in check.detail


def test_one_superlative_gets_advice_and_a_reader_first_body_passes() -> None:
    assert (
        result(snap(body=GOOD_BODY + "<p>It is a world-class session.</p>"), "body_pitch").status == "advice"
    )
    assert result(snap(), "body_pitch").status == "pass"


def test_a_missing_button_text_is_a_problem() -> None:
    assert result(snap(cta_text=""), "call_to_action").status == "problem"


def test_a_lead_form_button_without_a_form_is_a_problem() -> None:
    snapshot = snap(cta_kind=CtaKind.LEAD_FORM, lead_form_urn="")
    assert result(snapshot, "call_to_action").status == "problem"


# ---------- Offer ----------


@pytest.mark.parametrize("offer", ["webinar", "demo", "consultation"])
def test_invitations_demos_and_assessments_are_high_value_offers(offer: str) -> None:
    assert result(snap(), "offer_value", Plan(offer_type=offer)).status == "pass"


@pytest.mark.parametrize("offer", ["research", "case_study"])
def test_content_offers_get_the_guides_advice_to_make_them_exclusive(offer: str) -> None:
    check = result(snap(), "offer_value", Plan(offer_type=offer))
    assert check.status == "advice"
    assert "Sponsored Content" in check.why


def test_a_generic_pitch_is_a_problem_and_no_offer_type_gets_advice() -> None:
    assert result(snap(), "offer_value", Plan(offer_type="generic")).status == "problem"
    assert result(snap(), "offer_value", Plan(offer_type="")).status == "advice"


def test_a_narrow_audience_passes_and_a_broad_one_gets_advice() -> None:
    assert (
        result(snap(), "audience_narrow", Plan(audience_size=5_000, broad_audience=50_000)).status == "pass"
    )
    broad = result(
        snap(), "audience_narrow", Plan(offer_type="webinar", audience_size=80_000, broad_audience=50_000)
    )
    assert broad.status == "advice"
    assert "50,000" in broad.why


def test_a_generic_pitch_to_a_broad_audience_is_cold_mass_outreach() -> None:
    check = result(
        snap(), "audience_narrow", Plan(offer_type="generic", audience_size=800_000, broad_audience=50_000)
    )
    assert check.status == "problem"
    assert "cold mass outreach" in check.why


def test_an_unknown_audience_asks_for_the_forecast() -> None:
    assert "forecast" in result(snap(), "audience_narrow", Plan()).how_to_fix


# ---------- Sender ----------


def test_no_sender_is_one_problem_not_three() -> None:
    results = [r for r in checks.run(snap(sender=None), GOOD_PLAN) if r.section == "sender"]
    assert [(r.key, r.status) for r in results] == [("sender_person", "problem")]


def test_a_company_page_as_sender_gets_advice_to_send_as_a_person() -> None:
    sender = {**SENDER, "urn": "urn:li:organization:42"}
    assert result(snap(sender=sender), "sender_person").status == "advice"


@pytest.mark.parametrize("missing, expected", [("photo", "No photo"), ("headline", "No headline")])
def test_a_sender_without_photo_or_headline_has_an_incomplete_profile(missing: str, expected: str) -> None:
    check = result(snap(sender={**SENDER, missing: ""}), "sender_profile")
    assert check.status == "advice"
    assert check.detail == expected


@pytest.mark.parametrize(
    "permission, status",
    [
        (SenderPermission.APPROVED, "pass"),
        (SenderPermission.PENDING, "problem"),
        (SenderPermission.REVOKED, "problem"),
        (None, "problem"),
    ],
)
def test_only_an_approved_senders_permission_passes(permission: str | None, status: str) -> None:
    assert result(snap(), "sender_permission", Plan(sender_permission=permission)).status == status


# ---------- Landing page ----------


def test_an_http_landing_page_is_a_problem() -> None:
    assert result(snap(landing_page_url="http://example.com/offer"), "landing_https").status == "problem"


def test_no_landing_page_is_one_problem() -> None:
    results = [r for r in checks.run(snap(landing_page_url=""), GOOD_PLAN) if r.section == "landing"]
    assert [(r.key, r.status) for r in results] == [("landing_https", "problem")]


@pytest.mark.parametrize(
    "url",
    [
        "https://exa mple.com/offer",
        "https://localhost/offer",
        "https://example/offer",
        "ftp://example.com/x",
        "https://",
    ],
)
def test_a_malformed_landing_page_address_is_a_problem(url: str) -> None:
    assert result(snap(landing_page_url=url), "landing_format").status == "problem"


def test_a_landing_page_longer_than_linkedin_allows_is_a_problem() -> None:
    url = "https://example.com/?q=" + "a" * limits.LANDING_PAGE_URL.maximum
    assert result(snap(landing_page_url=url), "landing_format").status == "problem"


def test_missing_utm_tags_get_advice_naming_them() -> None:
    check = result(snap(landing_page_url="https://example.com/offer?utm_source=linkedin"), "landing_utm")
    assert check.status == "advice"
    assert check.detail == "Missing utm_medium, utm_campaign"


def test_a_lead_gen_form_has_no_landing_page_to_check() -> None:
    snapshot = snap(cta_kind=CtaKind.LEAD_FORM, lead_form_urn="urn:li:adForm:1")
    assert [r for r in checks.run(snapshot, GOOD_PLAN) if r.section == "landing"] == []


# ---------- Score ----------


def r(status: checks.Status) -> checks.CheckResult:
    return checks.CheckResult("body", "x", "x", status, "")


def test_the_score_counts_advice_as_half_and_takes_ten_points_a_problem() -> None:
    assert checks.score([r("pass"), r("pass"), r("advice"), r("advice")]) == 75
    # 62.5% of the points, less 10 for the problem, rounded half up.
    assert checks.score([r("pass"), r("pass"), r("advice"), r("problem")]) == 53
    assert checks.score([r("problem")]) == 0
    assert checks.score([]) == 0


def test_a_draft_with_any_problem_is_never_graded_good() -> None:
    value = checks.score([r("pass")] * 19 + [r("problem")])
    assert value == checks.GOOD - 1
    assert checks.grade(value) == "fair"


def test_a_weak_draft_scores_lower_than_the_same_draft_fixed() -> None:
    weak = snap(
        subject="FREE DEMO!!! ACT NOW",
        body="<p>We offer the best-in-class platform.</p>",
        landing_page_url="http://x",
    )
    weak_score = checks.score(checks.run(weak, Plan(offer_type="generic")))
    assert weak_score < 50
    assert checks.grade(weak_score) == "weak"
    assert checks.score(checks.run(snap(), GOOD_PLAN)) == 100
