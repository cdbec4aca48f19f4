"""Sign-off links: made for one recipient, decide once, recorded with the link, rate limited.

A sign-off link used to accept any number of anonymous decisions under any name, each ringing
and mailing the author again, and the audit row did not say which link was used (issue 11).
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import Client
from django.urls import reverse

from inmail_studio import ratelimit
from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.review import services, views
from inmail_studio.review.models import AuditEvent, Notification, ShareKind, ShareLink
from tests.conftest import client_for
from tests.review.test_races import race


def _signoff(ad: Ad, author: User, recipient: str = "Maria from Legal") -> services.SharedLink:
    return services.share_link_create(
        ad_id=ad.pk, creator=author, recipient=recipient, kind=ShareKind.SIGNOFF
    )


def _decide(shared: services.SharedLink, client: Client | None = None, **extra: Any) -> Any:
    data = {"verdict": "approved", "revision": shared.link.revision.content_hash, **extra}
    return (client or Client()).post(reverse("review:shared", args=[shared.token]), data)


def _stakeholder_events(ad: Ad) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(ad=ad, action__startswith="stakeholder_"))


def test_a_signoff_is_recorded_under_the_recipient_the_link_was_made_for_whatever_is_posted(
    ad: Ad, author: User
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    shared = _signoff(ad, author)
    response = _decide(shared, name="Someone Else Entirely")
    assert response.status_code == 200
    (event,) = _stakeholder_events(ad)
    assert event.stakeholder_name == "Maria from Legal"
    assert event.share_link_id == shared.link.pk
    assert "Someone Else" not in AuditEvent.objects.filter(ad=ad).values_list("comment", flat=True)


def test_a_second_decision_through_the_same_link_is_refused_as_already_used_and_rings_nobody(
    ad: Ad, author: User, approver: User
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    shared = _signoff(ad, author)
    assert _decide(shared).status_code == 200
    notifications, emails = Notification.objects.count(), len(mail.outbox)

    replay = _decide(shared, verdict="changes_requested", comment="Actually, no.")
    assert replay.status_code == 409
    page = replay.content.decode()
    assert "already used" in page
    assert "Maria from Legal signed off" in page
    assert len(_stakeholder_events(ad)) == 1
    assert (Notification.objects.count(), len(mail.outbox)) == (notifications, emails)
    ad.refresh_from_db()
    assert ad.state == State.IN_REVIEW


def test_after_its_decision_the_link_still_shows_the_preview_and_says_what_was_decided(
    ad: Ad, author: User
) -> None:
    shared = _signoff(ad, author)
    _decide(shared)
    page = Client().get(reverse("review:shared", args=[shared.token]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Decision recorded" in html
    assert 'name="verdict"' not in html
    assert "srcdoc=" in html


def test_the_share_page_tells_the_team_the_link_was_used(ad: Ad, author: User) -> None:
    shared = _signoff(ad, author)
    _decide(shared)
    html = client_for(author).get(reverse("review:share", args=[ad.pk])).content.decode()
    assert "Signed off" in html


def test_creating_revoking_and_deciding_name_the_link_in_the_audit_trail(ad: Ad, author: User) -> None:
    shared = _signoff(ad, author)
    _decide(shared)
    services.share_link_revoke(link_id=shared.link.pk, actor=author)
    actions = set(AuditEvent.objects.filter(share_link=shared.link).values_list("action", flat=True))
    assert actions == {"share_link_created", "stakeholder_approved", "share_link_revoked"}
    # ...and the admin's export says which link each row came through.
    from tests.conftest import make_user

    staff = make_user("root", is_staff=True, is_superuser=True)
    export = client_for(staff).get("/admin/review/auditevent/export/?action__exact=stakeholder_approved")
    text = b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]
    assert f"#{shared.link.pk} for Maria from Legal" in text


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_a_burst_of_parallel_decisions_through_one_link_records_exactly_one(
    workspace: Any, author: User, approver: User, make_ad: Any
) -> None:
    ad = make_ad()
    services.submit(ad_id=ad.pk, actor=author)
    shared = _signoff(ad, author)
    notifications = Notification.objects.count()

    def attempt(verdict: str) -> Any:
        return services.stakeholder_decide(
            token=shared.token,
            verdict=verdict,
            revision_hash=shared.link.revision.content_hash,
            comment="Needs the legal footer." if verdict == "changes_requested" else "",
        )

    results = race(*[(lambda v=v: attempt(v)) for v in ["approved", "changes_requested"] * 4])
    decided = [r for r in results if isinstance(r, ShareLink)]
    refused = [r for r in results if isinstance(r, services.ShareLinkUsed)]
    assert len(decided) == 1 and len(refused) == 7, results
    assert len(_stakeholder_events(ad)) == 1
    # One decision tells the author side (author) and the link's creator (the same person) once.
    assert Notification.objects.count() - notifications == 1


def test_a_client_past_the_decision_rate_gets_a_clear_429_and_others_are_not_affected(
    ad: Ad, author: User, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    links = [
        _signoff(ad, author, recipient=f"Stakeholder {i}")
        for i in range(views.SHARED_DECISION_RATE.limit + 1)
    ]
    noisy = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    answers = [_decide(shared, client=noisy).status_code for shared in links]
    assert answers[:-1] == [200] * views.SHARED_DECISION_RATE.limit
    assert answers[-1] == 429
    refused = _decide(links[-1], client=noisy)
    assert "Too many requests" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert refused["Cache-Control"] == "private, no-store"
    # Another client behind the same proxy is counted on its own address.
    other = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert _decide(links[-1], client=other).status_code == 200


def test_the_rate_counts_live_in_redis_so_every_web_process_shares_them(
    ad: Ad, author: User, settings: Any
) -> None:
    location = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    shared = _signoff(ad, author)
    # Another web process: its own connection to the same Redis, counting the same client's requests.
    other_process = RedisCache(location, {"KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"]})
    rate = views.SHARED_PAGE_RATE
    key = f"ratelimit:shared-page:127.0.0.1:{int(time.time() // rate.window)}"
    other_process.set(key, rate.limit, timeout=rate.window)
    try:
        response = Client().get(reverse("review:shared", args=[shared.token]))
        assert response.status_code == 429
    finally:
        caches["default"].clear()


def test_the_limiter_counts_per_window_and_starts_again_after_it(db: None) -> None:
    rate = ratelimit.Rate(limit=2, window=60)
    assert [ratelimit.hit("t", "a", rate, now=1000.0) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.hit("t", "a", rate, now=1060.0) == 1
    assert ratelimit.hit("t", "b", rate, now=1000.0) == 1
