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

    searched = _queries(client, f"{url}?q=draft+12")
    by_state = _queries(client, f"{url}?state=draft")
    nothing_found = _queries(client, f"{url}?state=in_review")
    by_sender = _queries(client, f"{url}?sender={senders[1].pk}&page=2")

    assert with_thousand == with_ten
    assert last_page == with_ten
    # Search and every filter cost what the plain list costs: the sender menu and the check of the
    # chosen sender share one read.
    assert filtered == searched == by_state == by_sender == with_ten
    assert nothing_found == with_ten - 1  # no page of ads to read
    assert with_ten <= 8, f"{with_ten} queries for one page of drafts"


def test_an_unknown_sender_in_the_filter_is_refused_and_lists_every_draft(
    workspace: Workspace, author: User, senders: list[Sender]
) -> None:
    bulk_ads(workspace=workspace, author=author, senders=senders, count=3)
    other = Workspace.objects.create(name="Other", slug="other")
    theirs = Sender.objects.create(workspace=other, urn="urn:li:person:theirs", name="Theirs")
    response = client_for(author).get(reverse("ads:list"), {"sender": theirs.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["sender"]
    assert len(response.context["page"].object_list) == 3


def test_the_search_expression_is_the_one_the_trigram_indexes_hold(
    workspace: Workspace, author: User
) -> None:
    """PostgreSQL uses an expression index only for the very expression it indexes: the search's
    `icontains` must compile to UPPER(col::text) LIKE, which is what ad_name_trgm / ad_subject_trgm
    index with gin_trgm_ops. (That the planner picks them among 100,000 ads is shown by the plan
    `make bench` prints; on a test table of a few rows a sequential scan is rightly cheaper.)"""
    from inmail_studio.ads.selectors import drafts_list

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN ('ad_name_trgm', 'ad_subject_trgm')"
        )
        definitions = dict(cursor.fetchall())
    assert "USING gin (upper((name)::text) gin_trgm_ops)" in definitions["ad_name_trgm"]
    assert "USING gin (upper((subject)::text) gin_trgm_ops)" in definitions["ad_subject_trgm"]
    sql = str(drafts_list(author, workspace_id=workspace.pk, q="webinar").query)
    assert 'UPPER("ads_ad"."name"::text) LIKE UPPER(' in sql
    assert 'UPPER("ads_ad"."subject"::text) LIKE UPPER(' in sql


def test_every_page_shows_the_same_drafts_as_slicing_the_whole_list(
    workspace: Workspace, author: User, senders: list[Sender]
) -> None:
    """Pages come from the ids of the page (a deferred join), in the list's order, filters kept."""
    bulk_ads(workspace=workspace, author=author, senders=senders, count=130)
    Ad.objects.filter(
        workspace=workspace, pk__in=Ad.objects.filter(workspace=workspace).values("pk")[:40]
    ).update(
        updated_at=Ad.objects.filter(workspace=workspace).values("updated_at")[:1]
    )  # ties on updated_at: the id decides
    client = client_for(author)
    expected = list(
        Ad.objects.filter(workspace=workspace).order_by("-updated_at", "-pk").values_list("pk", flat=True)
    )
    shown: list[int] = []
    for number in range(1, 7):
        shown += [
            ad.pk for ad in client.get(reverse("ads:list"), {"page": number}).context["page"].object_list
        ]
    assert shown == expected
    with_sender = list(
        Ad.objects.filter(workspace=workspace, sender=senders[1])
        .order_by("-updated_at", "-pk")
        .values_list("pk", flat=True)
    )
    page_two = client.get(reverse("ads:list"), {"sender": senders[1].pk, "page": 2}).context["page"]
    assert [ad.pk for ad in page_two.object_list] == with_sender[25:50]
