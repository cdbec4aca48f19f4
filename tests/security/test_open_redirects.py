"""Redirects only ever lead back into the app: `next` after a form, after signing in, from a notification."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad
from inmail_studio.review.models import Notification
from tests.conftest import PASSWORD, client_for

# What browsers read as another site although it starts with a slash, and plain absolute URLs.
FOREIGN = [
    "//evil.example/",
    "/\\evil.example/",
    "/\\/evil.example/",
    "/\t/evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", FOREIGN)
@pytest.mark.parametrize("action", ["comment", "submit", "withdraw"])
def test_the_next_of_a_review_form_never_leads_to_another_site(
    target: str, action: str, ad: Ad, author: User
) -> None:
    data = {"next": target, "body": "A note"}
    response = client_for(author).post(reverse(f"review:{action}", args=[ad.pk]), data)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert "evil.example" not in location


@pytest.mark.parametrize("target", FOREIGN)
def test_an_htmx_form_never_sends_the_browser_to_another_site(target: str, ad: Ad, author: User) -> None:
    response = client_for(author).post(
        reverse("review:comment", args=[ad.pk]), {"next": target, "body": "A note"}, HTTP_HX_REQUEST="true"
    )
    assert "evil.example" not in response.get("HX-Redirect", "")


def test_the_next_of_a_review_form_keeps_a_path_of_our_own(ad: Ad, author: User) -> None:
    own = reverse("ads:edit", args=[ad.pk]) + "?tab=review#thread"
    response = client_for(author).post(
        reverse("review:comment", args=[ad.pk]), {"next": own, "body": "A note"}
    )
    assert response["Location"] == own


@pytest.mark.parametrize("target", FOREIGN)
def test_signing_in_never_redirects_to_another_site(target: str, author: User) -> None:
    response = client_for(None).post(
        reverse("accounts:login") + "?next=" + target, {"username": author.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_a_notification_pointing_off_site_opens_the_home_page(ad: Ad, author: User) -> None:
    notification = Notification.objects.create(
        recipient=author, ad=ad, message="Look", url="//evil.example/phish"
    )
    response = client_for(author).get(reverse("review:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.mark.parametrize("target", ["/ads/\r\nSet-Cookie: stolen=1", "/ads/\nLocation: //evil.example"])
def test_a_next_with_a_line_break_cannot_add_a_header(target: str, ad: Ad, author: User) -> None:
    response = client_for(author).post(
        reverse("review:comment", args=[ad.pk]), {"next": target, "body": "A note"}
    )
    assert response.status_code == 302
    assert "\n" not in response["Location"] and "stolen" not in response.cookies
