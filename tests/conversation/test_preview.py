"""The preview walk in the one renderer: buttons lead to the next message, back and restart, no script."""

from __future__ import annotations

import re

import pytest

from inmail_studio.accounts.models import User
from inmail_studio.ads import preview
from inmail_studio.ads.models import Ad, ConversationButton
from tests.conftest import client_for

from .trees import good_tree

pytestmark = pytest.mark.django_db


def _snapshot() -> dict:  # type: ignore[type-arg]
    return {
        "kind": "conversation",
        "subject": "Hi",
        "sender": None,
        "body": "",
        "footer": "",
        "tree": good_tree(),
    }


def _links(html: str) -> dict[str, str]:
    return {
        text: href.replace("&amp;", "&")
        for href, text in re.findall(r'<a class="li-option" href="([^"]+)"[^>]*>([^<]+)</a>', html)
    }


def test_the_first_step_shows_the_opening_bubble_and_its_reply_buttons() -> None:
    html = preview.render_document(_snapshot(), preview.FALLBACK_MEMBER, "mobile", walk_url="/w?path=")
    assert "Hi LinkedIn Member, which describes you?" in html
    assert _links(html) == {"Marketing": "/w?path=b1", "Sales": "/w?path=b2", "Not interested": "/w?path=b3"}
    assert "<script" not in html and 'data-testid="back"' not in html


def test_a_clicked_button_shows_as_the_members_reply_then_the_next_message() -> None:
    html = preview.render_document(
        _snapshot(), preview.FALLBACK_MEMBER, "mobile", path=["b2"], walk_url="/w?path="
    )
    assert '<div class="li-reply" data-testid="reply">Sales</div>' in html
    assert "Here is the benchmark." in html
    assert _links(html)["Talk to us"] == "/w?path=b2.b7"
    assert 'href="/w?path=" data-testid="back"' in html and 'href="/w?path=" data-testid="restart"' in html


def test_back_goes_one_step_up_the_path() -> None:
    html = preview.render_document(
        _snapshot(), preview.FALLBACK_MEMBER, "mobile", path=["b2", "b7"], walk_url="/w?path="
    )
    assert 'href="/w?path=b2" data-testid="back"' in html
    assert "Lead gen form" in html


def test_without_a_walk_url_the_buttons_are_drawn_but_lead_nowhere() -> None:
    html = preview.render_document(_snapshot(), preview.FALLBACK_MEMBER, "desktop")
    assert _links(html) == {} and 'data-testid="option"' in html


def test_message_ad_documents_are_unchanged_by_conversation_support(make_ad) -> None:  # type: ignore[no-untyped-def]
    snapshot = make_ad().current_revision.snapshot
    html = preview.render_document(snapshot, preview.FALLBACK_MEMBER, "desktop")
    assert "li-convo" not in html and "conversation-inbox.css" not in html
    assert 'data-testid="cta"' in html


def test_the_frame_view_walks_the_saved_conversation(conversation_ad: Ad, author: User) -> None:
    client = client_for(author)
    base = f"/ads/{conversation_ad.pk}/conversation/frame/"
    first = client.get(base + "?device=mobile&path=")
    assert first.status_code == 200 and first["X-Frame-Options"] == "SAMEORIGIN"
    more = ConversationButton.objects.get(message__conversation__ad=conversation_ad, text="Tell me more")
    link = _links(first.content.decode())["Tell me more"]
    assert link.endswith(f"path={more.ref}")
    second = client.get(link).content.decode()
    assert (
        "The agenda:" in second and '<div class="li-reply" data-testid="reply">Tell me more</div>' in second
    )
    seat = _links(second)["Save my seat"]
    third = client.get(seat).content.decode()
    assert "Registration takes 30 seconds" in third
    back = re.search(r'href="([^"]+)" data-testid="back"', third)
    assert back is not None
    assert "The agenda:" in client.get(back.group(1).replace("&amp;", "&")).content.decode()
    restart = re.search(r'href="([^"]+)" data-testid="restart"', third)
    assert restart is not None
    assert 'data-testid="reply"' not in client.get(restart.group(1).replace("&amp;", "&")).content.decode()


def test_the_frame_shows_an_older_revision_when_asked(conversation_ad: Ad, author: User) -> None:
    client = client_for(author)
    assert client.get(f"/ads/{conversation_ad.pk}/conversation/frame/?rev=1").status_code == 200
    assert client.get(f"/ads/{conversation_ad.pk}/conversation/frame/?rev=9").status_code == 404
