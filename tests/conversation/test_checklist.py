"""The best-practice checklist in the conversation editor: the tree's checks, live while typing,
fresh after each save, and never in the message ad editor."""

from __future__ import annotations

import re
from typing import Any

import pytest

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, ConversationMessage, Sender
from inmail_studio.guidance.models import AdPlan
from inmail_studio.guidance.selectors import scores_for
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

CONVERSATION_KEYS = ("conversation_hook", "conversation_answers", "conversation_converts")


def _status(html: str, key: str) -> str:
    match = re.search(rf'data-check="{key}" data-status="(\w+)"', html)
    assert match, f"{key} not in the checklist"
    return match.group(1)


def _score(html: str) -> int:
    match = re.search(r'data-score="(\d+)"', html)
    assert match, "no score"
    return int(match.group(1))


def _form_data(message: ConversationMessage, **changes: str) -> dict[str, Any]:
    data = {"name": message.name, "kind": message.kind, "body": message.body, "form_urn": message.form_urn}
    for b in message.buttons.all():
        data[f"button-{b.pk}-text"] = b.text
        data[f"button-{b.pk}-action"] = b.action
        data[f"button-{b.pk}-target"] = str(b.target_id or "")
        data[f"button-{b.pk}-url"] = b.url
    data.update(changes)
    return data


def _opening(ad: Ad) -> ConversationMessage:
    return ConversationMessage.objects.get(conversation__ad=ad, name="Invitation")


def test_the_conversation_editor_shows_the_checklist_of_its_tree(conversation_ad: Ad, author: User) -> None:
    html = client_for(author).get(f"/ads/{conversation_ad.pk}/conversation/").content.decode()
    assert '<section id="checklist"' in html
    for key in CONVERSATION_KEYS:
        assert _status(html, key) == "pass", key
    assert 'data-check="body_length"' not in html  # a message ad's body checks don't apply
    assert _score(html) == scores_for([conversation_ad])[conversation_ad.pk]


def test_the_live_check_carries_the_checklist_of_what_is_typed_out_of_band(
    conversation_ad: Ad, author: User
) -> None:
    opening = _opening(conversation_ad)
    response = client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/messages/{opening.pk}/check/",
        _form_data(opening, body="<p>Hi %FIRSTNAME%, we host a live session on 12 March.</p>"),
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<section id="checklist"' in html
    assert 'hx-swap-oob="true"' in html[html.index('<section id="checklist"') :].split(">")[0]
    assert _status(html, "conversation_hook") == "advice"  # no question any more
    assert conversation_ad.revisions.count() == 1  # nothing saved


def test_saving_a_message_with_htmx_returns_the_refreshed_checklist(
    conversation_ad: Ad, author: User
) -> None:
    opening = _opening(conversation_ad)
    response = client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/messages/{opening.pk}/",
        _form_data(opening, body="<p>Hi %FIRSTNAME%, we host a live session on 12 March.</p>"),
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="conv-workspace"')
    assert _status(html, "conversation_hook") == "advice"


def test_the_offer_is_chosen_in_the_ad_details_and_read_by_the_checklist(
    conversation_ad: Ad, author: User, sender: Sender
) -> None:
    client = client_for(author)
    details = {
        "name": conversation_ad.name,
        "sender": sender.pk,
        "subject": conversation_ad.subject,
        "footer": "",
        "offer_type": "webinar",
    }
    response = client.post(f"/ads/{conversation_ad.pk}/conversation/", details)
    assert response.status_code == 302
    assert AdPlan.objects.get(ad=conversation_ad).offer_type == "webinar"
    html = client.get(f"/ads/{conversation_ad.pk}/conversation/").content.decode()
    assert _status(html, "offer_value") == "pass"
    assert re.search(r'<option value="webinar"\s+selected', html)
    # Only the offer changed: it is saved without a new revision.
    client.post(f"/ads/{conversation_ad.pk}/conversation/", {**details, "offer_type": "generic"})
    assert AdPlan.objects.get(ad=conversation_ad).offer_type == "generic"
    assert conversation_ad.revisions.count() == 2


def test_the_message_ad_editor_shows_no_conversation_checks(ad: Ad, author: User) -> None:
    client = client_for(author)
    html = client.get(f"/ads/{ad.pk}/").content.decode()
    assert '<section id="checklist"' in html and 'data-check="body_length"' in html
    for key in CONVERSATION_KEYS:
        assert f'data-check="{key}"' not in html
    live = client.post(
        f"/ads/{ad.pk}/preview/", {"subject": ad.subject, "body": ad.body}, HTTP_HX_REQUEST="true"
    )
    assert 'data-check="body_length"' in live.content.decode()
    assert "conversation_hook" not in live.content.decode()
