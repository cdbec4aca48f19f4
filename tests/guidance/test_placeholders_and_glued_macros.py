"""Placeholder links (example.com and kin) and macros with letters glued on are flagged where people
look: the checklist (a problem), the review page before approving, the LinkedIn panel before syncing,
and the macro warnings of the editor and the review page."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from inmail_studio.accounts.models import User
from inmail_studio.ads import macros, placeholders
from inmail_studio.ads.models import Ad
from inmail_studio.guidance import checks
from inmail_studio.review import services as review_services
from tests.conftest import client_for

PLACEHOLDERS = [
    "https://example.com/webinar",
    "https://www.example.org/",
    "https://events.example.net/x",
    "https://acme.example/",
    "https://acme.test/page",
    "https://yourcompany.com/offer",
    "http://localhost:8000/",
]
REAL = ["https://acmecloud.com/webinar", "https://example-corp.com/", "https://www.linkedin.com/company/acme"]


@pytest.mark.parametrize("url", PLACEHOLDERS)
def test_placeholder_addresses_are_recognised(url: str) -> None:
    assert placeholders.placeholder_host(url)


@pytest.mark.parametrize("url", REAL)
def test_real_addresses_are_left_alone(url: str) -> None:
    assert placeholders.placeholder_host(url) == ""


def _landing_real(**snapshot: object) -> checks.CheckResult:
    results = checks.run({"kind": "message", "cta_kind": "landing_page", **snapshot})
    return next(r for r in results if r.key == "landing_real")


def test_the_checklist_flags_a_placeholder_landing_page_or_body_link_as_a_problem() -> None:
    assert _landing_real(landing_page_url="https://example.com/webinar").status == checks.PROBLEM
    in_body = _landing_real(
        landing_page_url="https://acmecloud.com/webinar",
        body='<p>See <a href="https://acme.test/a">this</a></p>',
    )
    assert in_body.status == checks.PROBLEM and "https://acme.test/a" in in_body.detail
    assert _landing_real(landing_page_url="https://acmecloud.com/webinar").status == checks.PASS


def test_a_placeholder_website_button_of_a_conversation_is_a_problem() -> None:
    tree = {
        "first": "m1",
        "messages": [
            {
                "id": "m1",
                "name": "Open",
                "body": "<p>Hi %FIRSTNAME%</p>",
                "buttons": [
                    {
                        "id": "b1",
                        "text": "Go",
                        "action": "website",
                        "target": None,
                        "url": "https://example.com/x",
                    }
                ],
            }
        ],
    }
    results = checks.run({"kind": "conversation", "tree": tree, "subject": "Hi"})
    assert next(r for r in results if r.key == "landing_real").status == checks.PROBLEM


def test_a_macro_with_letters_glued_on_is_flagged_and_a_clean_one_is_not() -> None:
    [problem] = macros.find_problems("A session for %JOBTITLE%s and %FIRSTNAME%'s team")
    assert problem.token == "%JOBTITLE%s" and "VP Marketings" in problem.message
    assert macros.find_problems("For %JOBTITLE% peers, %FIRSTNAME%.") == []


@pytest.mark.django_db
def test_the_editor_and_the_review_page_warn_of_a_glued_macro(
    make_ad: Callable[..., Ad], author: User, approver: User
) -> None:
    ad = make_ad(body="<p>Hi %FIRSTNAME%,</p><p>A session for %JOBTITLE%s on <b>12 December</b>.</p>")
    editor = client_for(author).get(f"/ads/{ad.pk}/").content.decode()
    assert "%JOBTITLE%s runs the member" in editor
    review_services.submit(ad_id=ad.pk, actor=author)
    review = client_for(approver).get(f"/review/ads/{ad.pk}/").content.decode()
    assert "%JOBTITLE%s runs the member" in review


@pytest.mark.django_db
def test_the_approver_is_warned_of_placeholder_links_before_approving(
    make_ad: Callable[..., Ad], author: User, approver: User
) -> None:
    placeholder = make_ad(name="Placeholder", landing_page_url="https://example.com/webinar")
    real = make_ad(name="Real", landing_page_url="https://acmecloud.com/webinar")
    for ad in (placeholder, real):
        review_services.submit(ad_id=ad.pk, actor=author)
    client = client_for(approver)
    page = client.get(f"/review/ads/{placeholder.pk}/").content.decode()
    assert "data-placeholder-links" in page and "<code>https://example.com/webinar</code>" in page
    assert "data-placeholder-links" not in client.get(f"/review/ads/{real.pk}/").content.decode()
    panel = client.get(f"/linkedin/ads/{placeholder.pk}/panel/").content.decode()
    assert "placeholder address (example.com)" in panel
