"""One rule for test sends: the LinkedIn panel's "Send test" button and `test_send_request` read the same
function (`why_no_test_send`), so for every state of the ad, of its last test and of the day's count,
the panel refuses exactly when the service does, with the service's own words."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from inmail_studio.accounts.models import Membership, User
from inmail_studio.ads.models import Ad, State
from inmail_studio.linkedin import selectors, services
from inmail_studio.linkedin.models import AdLinkedIn, TestSend, TestSendStatus
from inmail_studio.review.selectors import approved_revision_for

MakeAd = Callable[..., Ad]


class _Undo(Exception):
    """Rolls back what the service did (and drops its on-commit dispatch)."""


def _service_refusal(ad: Ad, user: User) -> str:
    refusal = ""
    try:
        with transaction.atomic():
            try:
                services.test_send_request(ad_id=ad.pk, user=user)
            except services.SyncRefused as error:
                refusal = str(error)
            raise _Undo
    except _Undo:
        pass
    return refusal


@pytest.mark.django_db(transaction=True)
def test_the_panel_refuses_a_test_send_exactly_when_the_service_does_with_its_message(
    make_synced_ready_ad: MakeAd, author: User, settings: pytest.FixtureRequest
) -> None:
    settings.LINKEDIN_TEST_SENDS_PER_DAY = 2  # type: ignore[attr-defined]
    ad = make_synced_ready_ad()
    revision = approved_revision_for(ad)
    assert revision is not None
    link = AdLinkedIn.objects.get(ad=ad)
    membership = Membership.objects.get(user=author, workspace_id=ad.workspace_id)
    seen: set[str] = set()
    for state, last, at_limit, synced in itertools.product(
        State,
        (None, TestSendStatus.QUEUED, TestSendStatus.SENDING, TestSendStatus.SENT),
        (False, True),
        (True, False),
    ):
        TestSend.objects.filter(ad=ad).delete()
        Ad.objects.filter(pk=ad.pk).update(state=state)
        AdLinkedIn.objects.filter(pk=link.pk).update(
            synced_hash=revision.content_hash if synced else "an-older-revision"
        )
        earlier = [TestSendStatus.SENT] * (2 if at_limit else 0)
        for status in [*earlier, *([last] if last else [])]:
            TestSend.objects.create(
                ad=ad,
                revision=revision,
                revision_hash=revision.content_hash,
                requested_by=author,
                status=status,
                finished_at=timezone.now() if status == TestSendStatus.SENT else None,
            )
        ad.refresh_from_db()
        panel = selectors.panel_for(ad, membership)
        said = _service_refusal(ad, author)
        case = (state, last, at_limit, synced)
        assert panel.test_send_refusal == said, case
        assert panel.test_sendable == (state in (State.SYNCED, State.TESTED)), case
        if said:
            assert not panel.can_send_test, case
        seen.add(said)
    # Every reason the rule gives was met, and so was acceptance.
    assert seen == {
        "",
        "Only a synced ad can be sent as a test.",
        "The approved revision isn't on LinkedIn yet; sync it first.",
        "A test message is already on its way.",
        "This ad has had its 2 test messages for today; try again tomorrow.",
    }


@pytest.mark.django_db(transaction=True)
def test_the_disabled_send_test_button_says_why_in_the_services_words(
    make_synced_ready_ad: MakeAd, author: User, client: Client, settings: pytest.FixtureRequest
) -> None:
    settings.LINKEDIN_TEST_SENDS_PER_DAY = 1  # type: ignore[attr-defined]
    ad = make_synced_ready_ad()
    revision = approved_revision_for(ad)
    assert revision is not None
    TestSend.objects.create(
        ad=ad,
        revision=revision,
        revision_hash=revision.content_hash,
        requested_by=author,
        status=TestSendStatus.SENT,
        finished_at=timezone.now(),
    )
    client.force_login(author)
    page = client.get(f"/linkedin/ads/{ad.pk}/panel/").content.decode()
    why = "This ad has had its 1 test messages for today; try again tomorrow."
    assert 'disabled aria-describedby="li-test-refusal"' in page
    assert f'id="li-test-refusal" data-test-send-refusal>{why}</span>' in page
    refused = client.post(f"/linkedin/ads/{ad.pk}/test-send/", HTTP_HX_REQUEST="true")
    assert why in refused.content.decode()
