"""The UTM tags the builder adds to a landing page URL."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from inmail_studio.accounts.models import User
from inmail_studio.guidance.utm import tagged_url
from tests.conftest import client_for


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


# ---------------------------------------------------------------- the builder's server side
# The editor's button asks `guidance:utm` (static/js/guidance.js holds no tagging of its own).


def _ask(client: Client, **query: str) -> tuple[int, dict[str, str]]:
    response = client.get(reverse("guidance:utm"), query)
    return response.status_code, response.json()


@pytest.mark.django_db
def test_the_builder_answers_with_the_url_tagged_by_utm_py(author: User) -> None:
    client = client_for(author)
    status, answer = _ask(client, url="https://example.com/clinic", name="Spring platform push", variant="a")
    assert status == 200
    assert answer == {"url": tagged_url("https://example.com/clinic", ad_name="Spring platform push")}
    assert answer["url"] == (
        "https://example.com/clinic?utm_source=linkedin&utm_medium=sponsored_message"
        "&utm_campaign=spring-platform-push&utm_content=a"
    )
    # Typed without a scheme: https is assumed, as the browser's address bar does.
    assert _ask(client, url="example.com/x", name="N", variant="b")[1]["url"].startswith(
        "https://example.com/x?utm_source=linkedin"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("   ", "Enter the landing page URL first."),
        ("https://[::1/x", "That landing page URL can't be read; copy it from the browser's address bar."),
        ("https:///nohost", "That landing page URL can't be read; copy it from the browser's address bar."),
    ],
)
def test_a_url_that_cant_be_tagged_gets_its_message(author: User, url: str, message: str) -> None:
    assert _ask(client_for(author), url=url, name="N", variant="a") == (422, {"error": message})


@pytest.mark.django_db
def test_the_builder_bounds_what_it_reads_and_asks_for_a_sign_in(author: User) -> None:
    status, answer = _ask(client_for(author), url="https://example.com/" + "x" * 2000, name="N", variant="a")
    assert status == 422 and "longer than 1100 characters" in answer["error"]
    assert _ask(client_for(author), url="https://e.com", name="N", variant="v" * 41)[0] == 422
    signed_out = Client().get(reverse("guidance:utm"), {"url": "https://example.com"})
    assert signed_out.status_code == 302
