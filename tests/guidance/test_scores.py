"""Scores in the drafts list and for the review queue, at a constant number of queries."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad, Sender, SenderPermission
from inmail_studio.guidance.models import AdPlan, ForecastAssumptions
from inmail_studio.guidance.selectors import scores_for
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _drafts(workspace: Workspace, make_ad: Callable[..., Ad], count: int, start: int = 0) -> list[Ad]:
    senders = [
        Sender.objects.create(
            workspace=workspace,
            urn=f"urn:li:person:p{start + i}",
            name=f"Sender {start + i}",
            permission=SenderPermission.APPROVED,
        )
        for i in range(2)
    ]
    ads = [make_ad(name=f"Draft {start + i}", sender=senders[i % 2]) for i in range(count)]
    AdPlan.objects.bulk_create(
        AdPlan(ad=ad, offer_type="webinar", audience_size=1000 + i) for i, ad in enumerate(ads)
    )
    return ads


def _queries(client: Any, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_drafts_list_shows_each_ads_score(ad: Ad, author: User, make_ad: Callable[..., Ad]) -> None:
    weak = make_ad(name="Weak draft", subject="FREE!!! ACT NOW", landing_page_url="http://example.com")
    AdPlan.objects.create(ad=weak, offer_type="generic")
    html = client_for(author).get(reverse("ads:list")).content.decode()
    scores = scores_for([ad, weak])
    assert scores[weak.pk] < scores[ad.pk]
    for draft in (ad, weak):
        row = html[html.index(f'href="{reverse("ads:edit", args=[draft.pk])}"') :]
        assert re.search(rf'class="score-pill score-\w+"[^>]*>{scores[draft.pk]}<', row[:1200])


def test_scores_keep_the_drafts_list_at_a_constant_query_count(
    workspace: Workspace, author: User, make_ad: Callable[..., Ad]
) -> None:
    client = client_for(author)
    url = reverse("ads:list")
    _drafts(workspace, make_ad, 3)
    client.get(url)
    with_three, html = _queries(client, url)
    assert html.count("score-pill") == 3
    _drafts(workspace, make_ad, 20, start=10)
    with_twenty_three, html = _queries(client, url)
    assert html.count("score-pill") == 23
    assert with_twenty_three == with_three


def test_scores_for_takes_any_list_of_ads_at_a_constant_query_count(
    workspace: Workspace, make_ad: Callable[..., Ad], django_assert_max_num_queries: Any
) -> None:
    _drafts(workspace, make_ad, 12)
    ads = list(Ad.objects.all())  # no select_related: revisions and senders are fetched in bulk
    with django_assert_max_num_queries(4):
        scores = scores_for(ads)
    assert set(scores) == {ad.pk for ad in ads}
    assert scores_for([]) == {}


def test_a_score_follows_the_sender_and_the_workspace_without_a_new_save(
    ad: Ad, sender: Sender, workspace: Workspace
) -> None:
    AdPlan.objects.create(ad=ad, offer_type="webinar", audience_size=60_000)
    before = scores_for([ad])[ad.pk]
    Sender.objects.filter(pk=sender.pk).update(permission=SenderPermission.REVOKED)
    revoked = scores_for(Ad.objects.filter(pk=ad.pk).select_related("sender", "current_revision"))[ad.pk]
    assert revoked < before
    ForecastAssumptions.objects.create(workspace=workspace, broad_audience=50_000)
    assert scores_for(Ad.objects.filter(pk=ad.pk))[ad.pk] < revoked


def test_scores_for_rows_with_everything_selected_makes_no_query(
    workspace: Workspace, make_ad: Callable[..., Ad], django_assert_num_queries: Any
) -> None:
    from inmail_studio.guidance.selectors import SCORE_RELATED

    _drafts(workspace, make_ad, 5)
    make_ad(name="Without a plan")
    ForecastAssumptions.objects.create(workspace=workspace, broad_audience=1_002)
    ads = list(Ad.objects.select_related(*SCORE_RELATED))
    with django_assert_num_queries(0):
        scores = scores_for(ads)
    assert scores == scores_for(list(Ad.objects.all()))
