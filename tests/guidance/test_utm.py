"""The UTM tags the builder adds to a landing page URL."""

from __future__ import annotations

from inmail_studio.guidance.utm import tagged_url


def test_tags_are_added_after_the_pages_own_parameters() -> None:
    url = tagged_url(
        "https://example.com/webinar?ref=nav#agenda", ad_name="Q4 Webinar: Forecasting!", variant="B"
    )
    assert url == (
        "https://example.com/webinar?ref=nav&utm_source=linkedin&utm_medium=sponsored_message"
        "&utm_campaign=q4-webinar-forecasting&utm_content=b#agenda"
    )


def test_existing_utm_tags_are_replaced_not_duplicated() -> None:
    once = tagged_url(
        "https://example.com/?utm_source=google&utm_campaign=old", ad_name="Spring", variant="a"
    )
    assert tagged_url(once, ad_name="Spring", variant="a") == once
    assert once.count("utm_source") == 1
    assert "utm_source=linkedin" in once and "utm_campaign=spring" in once


def test_an_unnamed_ad_and_an_empty_variant_still_get_tags() -> None:
    url = tagged_url("https://example.com", ad_name="", variant="")
    assert url.endswith("utm_campaign=message-ad&utm_content=a")
