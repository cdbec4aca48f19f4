from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from inmail_studio.ads import limits
from inmail_studio.ads.validators import validate_body, validate_landing_page_url, validate_subject


def test_every_limit_is_named_once() -> None:
    keys = [limit.key for limit in limits.ALL]
    assert len(keys) == len(set(keys))


def test_subject_over_the_limit_says_what_to_change() -> None:
    with pytest.raises(ValidationError) as error:
        validate_subject("x" * 67)
    assert error.value.messages == ["Subject has 67 characters; LinkedIn allows 60."]


def test_subject_at_the_limit_is_accepted() -> None:
    validate_subject("x" * 60)


@pytest.mark.parametrize(
    ("actual", "status"),
    [(0, "ok"), (53, "ok"), (54, "warning"), (60, "warning"), (61, "error")],
)
def test_counter_turns_to_warning_near_the_limit_and_error_past_it(actual: int, status: str) -> None:
    assert limits.SUBJECT.status(actual) == status


def test_body_counts_visible_text_not_markup() -> None:
    body = "<p>" + "a" * 1500 + "</p>"
    validate_body(body)
    measures = {m.limit.key: m.actual for m in limits.measure_body(body)}
    assert measures["body"] == 1500


def test_body_over_1500_characters_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        validate_body("<p>" + "a" * 1501 + "</p>")
    assert "Body has 1,501 characters; LinkedIn allows 1,500." in error.value.messages


def test_body_with_more_than_three_links_is_refused() -> None:
    body = "".join(f'<a href="https://example.com/{i}">link {i}</a> ' for i in range(4))
    with pytest.raises(ValidationError) as error:
        validate_body(body)
    assert "Body has 4 links; LinkedIn allows 3." in error.value.messages


def test_link_text_over_70_characters_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        validate_body(f'<a href="https://example.com">{"x" * 71}</a>')
    assert "Link text has 71 characters; LinkedIn allows 70." in error.value.messages


def test_emojis_are_counted_as_a_reader_sees_them() -> None:
    # A family (joined with zero-width joiners) and a flag count once each.
    assert limits.count_emojis("👨‍👩‍👧 🇫🇷 🚀") == 3


def test_more_than_ten_emojis_are_refused() -> None:
    with pytest.raises(ValidationError) as error:
        validate_body("<p>" + "🚀" * 11 + "</p>")
    assert "Body has 11 emojis; LinkedIn allows 10." in error.value.messages


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com", "javascript:alert(1)", "example.com/no-scheme", "https://" + "a" * 1100 + ".com"],
)
def test_landing_page_must_be_a_short_http_url(url: str) -> None:
    with pytest.raises(ValidationError):
        validate_landing_page_url(url)


def test_landing_page_accepts_https_with_utm_parameters() -> None:
    validate_landing_page_url("https://example.com/offer?utm_source=linkedin&utm_medium=sponsored_message")
