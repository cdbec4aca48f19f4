"""The review queue and the review page with 1,000 ads of 10 revisions each.

Targets (issue 3): a number of queries that does not grow with the data (also asserted in
tests/review/test_queries.py) and p95 under 80 ms for both pages.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.run import percentile, report, summary, timed
from inmail_studio.accounts.models import Membership, Role, User, Workspace
from inmail_studio.ads import snapshots
from inmail_studio.ads.models import Ad, Revision, Sender, SenderPermission, State, content_hash
from inmail_studio.ads.services import personas_ensure
from inmail_studio.review.models import Comment, Decision, Review, ReviewStatus, Verdict

ADS = 1000
REVISIONS = 10
REQUESTS = 300
TARGET_P95_MS = 80.0


def _world() -> tuple[Workspace, User, User, Sender]:
    workspace = Workspace.objects.create(
        name="Review bench", slug="review-bench", ad_account_urn="urn:li:sponsoredAccount:3"
    )
    author = User.objects.create_user(username="review-bench-author", first_name="Ann", last_name="Author")
    approver = User.objects.create_user(
        username="review-bench-approver", first_name="Abe", last_name="Approver"
    )
    Membership.objects.create(user=author, workspace=workspace, role=Role.AUTHOR)
    Membership.objects.create(user=approver, workspace=workspace, role=Role.APPROVER)
    sender = Sender.objects.create(
        workspace=workspace,
        urn="urn:li:person:reviewbench",
        name="Dana Whitfield",
        headline="VP Marketing",
        permission=SenderPermission.APPROVED,
    )
    personas_ensure(workspace=workspace)
    return workspace, author, approver, sender


def _build(workspace: Workspace, author: User, approver: User, sender: Sender) -> list[int]:
    """1,000 ads in review, each with 10 revisions, an approval of r5 and a few comments."""
    ads = Ad.objects.bulk_create(
        Ad(
            workspace=workspace,
            author=author,
            sender=sender,
            name=f"Bench ad {i:04d}",
            subject=f"%FIRSTNAME%, offer {i}",
            body=f"<p>Hi %FIRSTNAME%,</p><p>Offer number <b>{i}</b> for %COMPANYNAME%.</p>",
            cta_text="Learn more",
            landing_page_url=f"https://example.com/offer/{i}",
            state=State.IN_REVIEW,  # benchmark data, built in bulk rather than through the services
        )
        for i in range(ADS)
    )
    revisions: list[Revision] = []
    for ad in ads:
        for n in range(1, REVISIONS + 1):
            snapshot = snapshots.build(
                name=ad.name,
                sender=sender,
                subject=f"{ad.subject} (take {n})",
                body=ad.body + f"<p>Revision {n}.</p>",
                cta_text=ad.cta_text,
                landing_page_url=ad.landing_page_url,
            )
            revisions.append(
                Revision(
                    ad=ad, number=n, snapshot=snapshot, content_hash=content_hash(snapshot), author=author
                )
            )
    Revision.objects.bulk_create(revisions, batch_size=2000)
    by_ad = {(r.ad_id, r.number): r for r in revisions}
    for ad in ads:
        ad.current_revision = by_ad[(ad.pk, REVISIONS)]
    Ad.objects.bulk_update(ads, ["current_revision"], batch_size=2000)
    start = timezone.now() - timedelta(days=30)
    old_reviews = Review.objects.bulk_create(
        Review(
            ad=ad,
            revision=by_ad[(ad.pk, 5)],
            submitted_by=author,
            status=ReviewStatus.APPROVED,
            closed_at=start,
        )
        for ad in ads
    )
    Decision.objects.bulk_create(
        Decision(
            review=review,
            ad_id=review.ad_id,
            revision=review.revision,
            revision_author=author,
            approver=approver,
            verdict=Verdict.APPROVED,
        )
        for review in old_reviews
    )
    open_reviews = Review.objects.bulk_create(
        Review(ad=ad, revision=by_ad[(ad.pk, REVISIONS)], submitted_by=author) for ad in ads
    )
    Comment.objects.bulk_create(
        Comment(
            ad_id=review.ad_id,
            review=review,
            revision=review.revision,
            author=approver,
            field="subject" if k % 2 else "",
            body=f"Comment {k}",
        )
        for review in open_reviews
        for k in range(3)
    )
    return [ad.pk for ad in ads]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def run() -> bool:
    workspace, author, approver, sender = _world()
    ad_ids = _build(workspace, author, approver, sender)
    client = Client()
    client.force_login(approver)
    rng = random.Random(3)

    queue_first = _queries(client, "/review/")
    queue_deep = _queries(client, "/review/?page=15")
    page_queries = {_queries(client, f"/review/ads/{rng.choice(ad_ids)}/") for _ in range(5)}

    queue_ms = timed(lambda: client.get(f"/review/?page={rng.randint(1, ADS // 25)}"), repeat=REQUESTS)
    page_ms = timed(lambda: client.get(f"/review/ads/{rng.choice(ad_ids)}/"), repeat=REQUESTS)

    ok = True
    ok &= report(
        "review queue: queries (page 1, page 15)",
        f"{queue_first}, {queue_deep}",
        ok=queue_first == queue_deep,
        target="equal",
    )
    ok &= report(
        "review page: queries (5 random ads)",
        ", ".join(str(q) for q in sorted(page_queries)),
        ok=len(page_queries) == 1,
        target="the same for every ad",
    )
    ok &= report(
        f"review queue, {ADS:,} ads in review",
        summary(queue_ms),
        ok=percentile(queue_ms, 0.95) < TARGET_P95_MS,
        target=f"p95 < {TARGET_P95_MS:.0f} ms",
    )
    ok &= report(
        f"review page, {REVISIONS} revisions, diff + thread",
        summary(page_ms),
        ok=percentile(page_ms, 0.95) < TARGET_P95_MS,
        target=f"p95 < {TARGET_P95_MS:.0f} ms",
    )
    return ok
