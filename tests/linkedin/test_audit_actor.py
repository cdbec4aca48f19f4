"""The audit trail names who each LinkedIn job was done for: a sync and a test send, carried out by
InMail Studio's worker, read "InMail Studio, for <person>" with what happened, never "InMail Studio moved"."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.linkedin import services
from inmail_studio.review.models import Action, AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_sync_and_test_send_are_logged_with_what_happened_and_for_whom(
    make_synced_ready_ad: Callable[..., Ad], author: User, approver: User
) -> None:
    ad = make_synced_ready_ad()
    assert ad.state == State.SYNCED
    services.test_send_request(ad_id=ad.pk, user=author)
    events = {e.action: e for e in AuditEvent.objects.filter(ad=ad)}
    assert Action.MOVED not in events
    # Approving queued the sync; InMail Studio queued and ran it for the approver.
    assert events[Action.SYNC_QUEUED].who == "InMail Studio, for Bob Approver"
    assert events[Action.SYNCED].who == "InMail Studio, for Bob Approver"
    assert events[Action.SYNCED].get_action_display() == "synced to LinkedIn"
    assert events[Action.TEST_SENT].who == "InMail Studio, for Alice Author"
