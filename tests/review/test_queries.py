"""The queue and the review page run the same number of queries with little data and with a lot."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from inmail_studio.accounts.models import User
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import Ad
from inmail_studio.review import services
from tests.conftest import client_for


def _queries(client: object, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return len(captured)


def _submitted(make_ad: Callable[..., Ad], author: User, approver: User, *, revisions: int, n: int) -> Ad:
    ad = make_ad(name=f"Ad {n}")
    for i in range(revisions - 1):
        ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": f"Subject take {i}"})
    services.submit(ad_id=ad.pk, actor=author)
    return ad


def test_the_review_queue_query_count_does_not_grow_with_the_queue(
    make_ad: Callable[..., Ad], author: User, approver: User
) -> None:
    client = client_for(approver)
    for n in range(2):
        _submitted(make_ad, author, approver, revisions=1, n=n)
    few = _queries(client, "/review/")
    for n in range(2, 40):
        _submitted(make_ad, author, approver, revisions=2, n=n)
    many = _queries(client, "/review/")
    assert many == few, (few, many)


def test_the_review_page_query_count_does_not_grow_with_revisions_and_comments(
    make_ad: Callable[..., Ad], author: User, approver: User
) -> None:
    client = client_for(approver)
    small = _submitted(make_ad, author, approver, revisions=1, n=0)
    few = _queries(client, f"/review/ads/{small.pk}/")
    big = _submitted(make_ad, author, approver, revisions=10, n=1)
    for i in range(15):
        services.comment_add(
            ad_id=big.pk, author=approver, body=f"Note {i}", field="subject" if i % 2 else ""
        )
    many = _queries(client, f"/review/ads/{big.pk}/")
    assert many == few, (few, many)


def test_the_navigation_counts_cost_two_queries(
    make_ad: Callable[..., Ad], author: User, approver: User
) -> None:
    from inmail_studio.accounts.models import Membership
    from inmail_studio.review.selectors import nav_counts

    for n in range(5):
        _submitted(make_ad, author, approver, revisions=1, n=n)
    membership = Membership.objects.get(user=approver)
    with CaptureQueriesContext(connection) as captured:
        counts = nav_counts(approver, membership)
    assert len(captured) == 2
    assert counts.queue == 5 and counts.unread == 5
