"""The drafts list: search, filters by state and sender, pages, the htmx partial and empty states."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad, Sender, State

from .conftest import client_for
from .test_drafts_list import bulk_ads

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_ads(make_ad: Callable[..., Ad], workspace: Workspace) -> dict[str, Ad]:
    marcus = Sender.objects.create(workspace=workspace, urn="urn:li:person:marcus", name="Marcus Lee")
    webinar = make_ad(name="Webinar invite", subject="Join the webinar")
    report = make_ad(name="Research report", subject="The FP&A survey", sender=marcus)
    demo = make_ad(name="Demo request", subject="Twenty minutes for a webinar recap?")
    Ad.objects.filter(pk=report.pk).update(state=State.IN_REVIEW)
    return {"webinar": webinar, "report": report, "demo": demo, "marcus": marcus}  # type: ignore[dict-item]


def _names(response: object) -> list[str]:
    return [ad.name for ad in response.context["page"].object_list]  # type: ignore[attr-defined]


def test_the_list_shows_the_newest_first_with_sender_state_and_revision(
    three_ads: dict[str, Ad], author: User
) -> None:
    response = client_for(author).get(reverse("ads:list"))
    assert _names(response) == ["Demo request", "Research report", "Webinar invite"]
    html = response.content.decode()
    assert "Marcus Lee" in html
    assert "In review" in html
    assert "r1" in html
    assert "Alice Author" in html


def test_search_finds_ads_by_name_or_subject_ignoring_case(three_ads: dict[str, Ad], author: User) -> None:
    response = client_for(author).get(reverse("ads:list"), {"q": "WEBINAR"})
    assert sorted(_names(response)) == ["Demo request", "Webinar invite"]


def test_filtering_by_state(three_ads: dict[str, Ad], author: User) -> None:
    response = client_for(author).get(reverse("ads:list"), {"state": "in_review"})
    assert _names(response) == ["Research report"]


def test_filtering_by_sender(three_ads: dict[str, Ad], author: User) -> None:
    marcus = three_ads["marcus"]
    response = client_for(author).get(reverse("ads:list"), {"sender": marcus.pk})
    assert _names(response) == ["Research report"]


def test_filters_combine(three_ads: dict[str, Ad], author: User, sender: Sender) -> None:
    response = client_for(author).get(
        reverse("ads:list"), {"q": "webinar", "sender": sender.pk, "state": "draft"}
    )
    assert sorted(_names(response)) == ["Demo request", "Webinar invite"]


def test_no_match_says_so_and_offers_to_clear_the_filters(three_ads: dict[str, Ad], author: User) -> None:
    html = client_for(author).get(reverse("ads:list"), {"q": "nothing like this"}).content.decode()
    assert "No ads match" in html
    assert "Clear the filters" in html
    assert 'value="nothing like this"' in html  # the search box keeps what was typed


def test_an_empty_workspace_invites_the_first_draft(author: User) -> None:
    html = client_for(author).get(reverse("ads:list")).content.decode()
    assert "No drafts yet" in html
    assert reverse("ads:new") in html


def test_a_sender_from_another_workspace_is_not_a_valid_filter(
    three_ads: dict[str, Ad], author: User, other_workspace: Workspace
) -> None:
    foreign = Sender.objects.create(workspace=other_workspace, urn="urn:li:person:x", name="X")
    Ad.objects.create(workspace=other_workspace, author=author, name="Foreign ad", sender=foreign)
    response = client_for(author).get(reverse("ads:list"), {"sender": foreign.pk})
    assert "Foreign ad" not in _names(response)
    assert "Select a valid choice" in str(response.context["form"].errors)


def test_pages_of_25_link_to_each_other_and_keep_the_filters(
    workspace: Workspace, author: User, sender: Sender
) -> None:
    bulk_ads(workspace=workspace, author=author, senders=[sender], count=60)
    client = client_for(author)
    first = client.get(reverse("ads:list"), {"q": "bulk"})
    assert len(first.context["page"].object_list) == 25
    html = first.content.decode()
    assert "Page 1 of 3 · 60 ads" in html
    assert 'href="?q=bulk&amp;page=2" rel="next"' in html
    last = client.get(reverse("ads:list"), {"q": "bulk", "page": 3})
    assert len(last.context["page"].object_list) == 10
    assert 'rel="prev"' in last.content.decode()
    # A page number past the end or not a number shows a real page, not an error.
    assert client.get(reverse("ads:list"), {"page": 99}).context["page"].number == 3
    assert client.get(reverse("ads:list"), {"page": "x"}).context["page"].number == 1


def test_htmx_filtering_gets_only_the_results(three_ads: dict[str, Ad], author: User) -> None:
    response = client_for(author).get(
        reverse("ads:list"), {"q": "report"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "Research report" in html
    assert "<html" not in html
