"""The review queue shows each ad's best-practice score, at no query of its own."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.models import Ad, Sender
from inmail_studio.guidance.selectors import scores_for
from inmail_studio.guidance.services import plan_update
from inmail_studio.review import services
from inmail_studio.studio import selectors as studio_selectors
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _row_scores(html: str) -> dict[int, int]:
    """The score shown on each queue row, keyed by the ad the row links to."""
    rows = re.findall(r'href="/review/ads/(\d+)/".*?class="score-pill[^"]*"[^>]*>(\d+)<', html, re.S)
    return {int(ad_id): int(score) for ad_id, score in rows}


def test_the_queue_shows_each_ads_score_as_the_drafts_list_does(
    make_ad: Callable[..., Ad], author: User, approver: User
) -> None:
    strong = make_ad(name="Strong")
    weak = make_ad(name="Weak", subject="FREE!!! ACT NOW", landing_page_url="http://example.com/")
    plan_update(ad=strong, editor=author, offer_type="demo")
    for ad in (strong, weak):
        services.submit(ad_id=ad.pk, actor=author)
    html = client_for(approver).get("/review/").content.decode()
    assert "Best-practice checklist score" in html
    shown = _row_scores(html)
    expected = scores_for(Ad.objects.filter(pk__in=[strong.pk, weak.pk]))
    assert shown == expected
    assert shown[strong.pk] > shown[weak.pk]


def test_the_queue_scores_a_conversation_ad_on_its_tree(
    workspace: Workspace, author: User, approver: User, sender: Sender
) -> None:
    ad = cs.conversation_create(
        workspace=workspace, author=author, name="Spring event", template_key="event-invitation"
    )
    cs.conversation_settings_update(
        ad_id=ad.pk, editor=author, fields={"name": ad.name, "sender": sender, "subject": ad.subject,
                                            "footer": ""}, lead_gen=False,
    )  # fmt: skip
    services.submit(ad_id=ad.pk, actor=author)
    html = client_for(approver).get("/review/").content.decode()
    assert _row_scores(html) == {ad.pk: scores_for([Ad.objects.get(pk=ad.pk)])[ad.pk]}


def test_scoring_a_page_of_the_queue_costs_no_query(
    make_ad: Callable[..., Ad], author: User, approver: User, workspace: Workspace
) -> None:
    for n in range(12):
        ad = make_ad(name=f"Ad {n}")
        if n % 3 == 0:
            plan_update(ad=ad, editor=author, offer_type="webinar")
        services.submit(ad_id=ad.pk, actor=author)
    reviews = list(studio_selectors.review_queue(approver, workspace_id=workspace.pk))
    with CaptureQueriesContext(connection) as captured:
        scores = scores_for([review.ad for review in reviews])
    assert len(captured) == 0, [q["sql"] for q in captured]
    assert len(scores) == 12
