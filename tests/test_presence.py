"""Presence in the editors: while editing, see who else has the same draft open (a heartbeat per tab)."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

from django.utils import timezone

from inmail_studio.accounts.models import User
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.models import Ad, EditPresence
from tests.conftest import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


def _beat(client: Any, ad: Ad, tab: str) -> str:
    response = client.post(f"/ads/{ad.pk}/presence/", {"tab": tab}, **HTMX)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_two_people_on_the_same_draft_see_each_other_by_name(ad: Ad, author: User, approver: User) -> None:
    alice, bob = client_for(author), client_for(approver)
    assert "open too" not in _beat(alice, ad, "alice-tab")
    assert "Alice Author has this draft open too" in _beat(bob, ad, "bob-tab")
    assert "Bob Approver has this draft open too" in _beat(alice, ad, "alice-tab")
    # The editor page itself shows them at once (it reads, the heartbeat writes).
    page = html.unescape(alice.get(f"/ads/{ad.pk}/").content.decode())
    assert "Bob Approver has this draft open too" in page and 'hx-trigger="load, every 15s"' in page


def test_the_heartbeats_answer_waits_for_the_next_beat_instead_of_firing_at_once(
    ad: Ad, author: User
) -> None:
    """The answer replaces the element; an answer that kept the page's `load` trigger would fire the
    next heartbeat the moment it is swapped in, a request storm from every open editor."""
    answer = _beat(client_for(author), ad, "alice-tab")
    assert 'hx-trigger="every 15s"' in answer and "load" not in answer


def test_the_same_person_in_two_tabs_is_told_so(ad: Ad, author: User) -> None:
    alice = client_for(author)
    _beat(alice, ad, "tab-one")
    assert "You have it open in another tab too" in _beat(alice, ad, "tab-two")
    assert "has this draft open" not in _beat(alice, ad, "tab-two")


def test_someone_whose_editor_stopped_beating_is_no_longer_shown(
    ad: Ad, author: User, approver: User, settings: Any
) -> None:
    _beat(client_for(approver), ad, "bob-tab")
    EditPresence.objects.update(
        seen_at=timezone.now() - timedelta(seconds=settings.EDIT_PRESENCE_SECONDS + 1)
    )
    assert "open too" not in _beat(client_for(author), ad, "alice-tab")


def test_presence_is_per_draft_and_scoped_to_the_workspace(
    make_ad: Any, author: User, approver: User, outsider: User
) -> None:
    first, second = make_ad(name="First"), make_ad(name="Second")
    _beat(client_for(approver), first, "bob-tab")
    assert "open too" not in _beat(client_for(author), second, "alice-tab")
    assert client_for(outsider).post(f"/ads/{first.pk}/presence/", {"tab": "x"}, **HTMX).status_code == 404
    assert (
        client_for(author).post(f"/ads/{first.pk}/presence/", {"tab": "<script>"}, **HTMX).status_code == 400
    )


def test_the_conversation_editor_shows_presence_outside_what_a_save_swaps(
    workspace: Any, author: User, approver: User
) -> None:
    ad = cs.conversation_create(
        workspace=workspace, author=author, name="Talk", template_key="event-invitation"
    )
    _beat(client_for(approver), ad, "bob-tab")
    page = html.unescape(client_for(author).get(f"/ads/{ad.pk}/conversation/").content.decode())
    assert "Bob Approver has this draft open too" in page
    assert page.index('id="presence"') < page.index('id="conv-workspace"')
