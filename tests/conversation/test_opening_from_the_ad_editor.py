"""Every link to an ad goes through `ads:edit`; a conversation ad opens in its own editor from there."""

from __future__ import annotations

import pytest

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, ConversationMessage
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_opening_a_conversation_ad_in_the_ad_editor_redirects_to_its_conversation_editor(
    conversation_ad: Ad, author: User
) -> None:
    client = client_for(author)
    response = client.get(f"/ads/{conversation_ad.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/ads/{conversation_ad.pk}/conversation/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'class="conv-node"' in page.content.decode()


def test_a_stale_message_form_posted_for_a_conversation_ad_changes_nothing(
    conversation_ad: Ad, author: User
) -> None:
    response = client_for(author).post(
        f"/ads/{conversation_ad.pk}/", {"name": "Overwritten", "subject": "x", "body": "<p>x</p>"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/ads/{conversation_ad.pk}/conversation/"
    conversation_ad.refresh_from_db()
    assert conversation_ad.name == "Spring event" and conversation_ad.revisions.count() == 1
    assert ConversationMessage.objects.filter(conversation__ad=conversation_ad).count() == 4


def test_the_message_ad_preview_refuses_a_conversation_ad(conversation_ad: Ad, author: User) -> None:
    response = client_for(author).post(f"/ads/{conversation_ad.pk}/preview/", {"subject": "Hi"})
    assert response.status_code == 404


def test_a_message_ad_still_opens_in_the_ad_editor(ad: Ad, author: User) -> None:
    assert client_for(author).get(f"/ads/{ad.pk}/").status_code == 200


def test_an_outsider_is_not_told_that_a_conversation_ad_exists(conversation_ad: Ad, outsider: User) -> None:
    assert client_for(outsider).get(f"/ads/{conversation_ad.pk}/").status_code == 404


def test_the_drafts_list_links_a_conversation_ad_to_its_editor(conversation_ad: Ad, author: User) -> None:
    html = client_for(author).get("/ads/").content.decode()
    assert f'href="/ads/{conversation_ad.pk}/conversation/"' in html
