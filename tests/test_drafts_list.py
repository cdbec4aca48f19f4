"""The drafts list costs the same number of queries for 10 drafts as for 1,000."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad, Revision, Sender, content_hash

from .conftest import client_for, make_user

pytestmark = pytest.mark.django_db


def bulk_ads(*, workspace: Workspace, author: User, senders: list[Sender], count: int) -> None:
    """`count` drafts with a revision each, written in bulk (the services are too slow for thousands)."""
    start = Ad.objects.filter(workspace=workspace).count()
    Ad.objects.bulk_create(
        Ad(
            workspace=workspace,
            author=author,
            name=f"Bulk draft {start + i}",
            subject=f"Subject {start + i}",
            body="<p>Hello %FIRSTNAME%</p>",
            sender=senders[i % len(senders)],
        )
        for i in range(count)
    )
    ads = Ad.objects.filter(workspace=workspace, current_revision__isnull=True)
    Revision.objects.bulk_create(
        Revision(
            ad=ad,
            number=1,
            snapshot={"name": ad.name},
            content_hash=content_hash({"name": ad.name}),
            author=author,
        )
        for ad in ads
    )
    ads.update(current_revision=Subquery(Revision.objects.filter(ad=OuterRef("pk")).values("pk")[:1]))


@pytest.fixture
def senders(workspace: Workspace) -> list[Sender]:
    return [
        Sender.objects.create(workspace=workspace, urn=f"urn:li:person:s{i}", name=f"Sender {i}")
        for i in range(3)
    ]


def _queries(client: object, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return len(captured)


def test_the_drafts_list_does_not_make_more_queries_for_more_drafts(
    workspace: Workspace, author: User, senders: list[Sender]
) -> None:
    # Each draft by a different author, so a lazy author lookup would show.
    other_authors = [make_user(f"writer{i}") for i in range(3)]
    client = client_for(author)
    url = reverse("ads:list")
    bulk_ads(workspace=workspace, author=other_authors[0], senders=senders, count=10)
    client.get(url)  # the session and the first-visit work are not what is measured
    with_ten = _queries(client, url)

    bulk_ads(workspace=workspace, author=other_authors[1], senders=senders, count=990)
    assert Ad.objects.filter(workspace=workspace).count() == 1000
    with_thousand = _queries(client, url)
    last_page = _queries(client, f"{url}?page=40")
    filtered = _queries(client, f"{url}?q=Bulk&sender={senders[0].pk}&state=draft&page=3")

    assert with_thousand == with_ten
    assert last_page == with_ten
    assert filtered <= with_ten + 1  # the sender filter's choice is looked up once
    assert with_ten <= 8, f"{with_ten} queries for one page of drafts"


def test_a_page_of_1000_drafts_shows_25_with_the_page_count(
    workspace: Workspace, author: User, senders: list[Sender]
) -> None:
    bulk_ads(workspace=workspace, author=author, senders=senders, count=1000)
    response = client_for(author).get(reverse("ads:list"), {"page": 2})
    page = response.context["page"]
    assert len(page.object_list) == 25
    assert page.paginator.num_pages == 40
    assert "Page 2 of 40 · 1,000 ads" in response.content.decode()
