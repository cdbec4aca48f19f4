"""The conversation editor's head (revision, state, name, review actions) follows every htmx save."""

from __future__ import annotations

import re

import pytest

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, ConversationMessage, Sender
from inmail_studio.review import services as review_services
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _head(html: str) -> str:
    match = re.search(
        r'<div class="editor-head" id="conv-head"[^>]*>.*?</h1>\s*<p[^>]*>(.*?)</p>', html, re.S
    )
    assert match, "no editor head"
    return match.group(0)


def _save_agenda(ad: Ad, client: object, body: str) -> str:
    message = ConversationMessage.objects.get(conversation__ad=ad, name="Agenda")
    data = {"name": message.name, "kind": message.kind, "body": body, "form_urn": ""}
    for b in message.buttons.all():
        data |= {
            f"button-{b.pk}-text": b.text,
            f"button-{b.pk}-action": b.action,
            f"button-{b.pk}-target": str(b.target_id or ""),
            f"button-{b.pk}-url": b.url,
        }
    response = client.post(  # type: ignore[attr-defined]
        f"/ads/{ad.pk}/conversation/messages/{message.pk}/", data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_page_head_is_not_out_of_band(conversation_ad: Ad, author: User) -> None:
    html = client_for(author).get(f"/ads/{conversation_ad.pk}/conversation/").content.decode()
    assert html.count('id="conv-head"') == 1
    assert "hx-swap-oob" not in _head(html) and "Revision 1" in _head(html)


def test_an_htmx_save_swaps_the_head_with_the_new_revision_number(conversation_ad: Ad, author: User) -> None:
    client = client_for(author)
    html = _save_agenda(conversation_ad, client, "<p>The new agenda.</p>")
    head = _head(html)
    assert 'hx-swap-oob="true"' in head
    assert "Revision 2" in head and "Revision 1" not in head
    html = _save_agenda(conversation_ad, client, "<p>The newer agenda.</p>")
    assert "Revision 3" in _head(html)


def test_renaming_the_ad_with_htmx_renames_the_head(
    conversation_ad: Ad, author: User, sender: Sender
) -> None:
    response = client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/",
        {
            "name": "Spring event, final",
            "sender": sender.pk,
            "subject": conversation_ad.subject,
            "footer": "",
        },
        HTTP_HX_REQUEST="true",
    )
    head = _head(response.content.decode())
    assert "Spring event, final" in head and "Revision 2" in head


def test_an_edit_after_approval_shows_the_draft_state_and_submit_again(
    conversation_ad: Ad, author: User, approver: User, sender: Sender
) -> None:
    client = client_for(author)
    client.post(
        f"/ads/{conversation_ad.pk}/conversation/",
        {"name": conversation_ad.name, "sender": sender.pk, "subject": conversation_ad.subject, "footer": ""},
    )
    review_services.submit(ad_id=conversation_ad.pk, actor=author)
    conversation_ad.refresh_from_db()
    review_services.approve(
        ad_id=conversation_ad.pk,
        approver=approver,
        revision_hash=conversation_ad.current_revision.content_hash,  # type: ignore[union-attr]
    )
    html = _save_agenda(conversation_ad, client, "<p>Changed after approval.</p>")
    head = html[html.index('id="conv-head"') : html.index('id="conv-problems"')]
    assert "state-draft" in head and "Revision 3" in head
    assert "Submit for review" in head
