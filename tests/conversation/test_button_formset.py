"""The open message's reply buttons are a Django formset: each row named by its button's id, its errors
beside the field they are about, everything typed kept, nothing saved when a row is refused."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.http import QueryDict

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, ConversationButton, ConversationMessage
from inmail_studio.studio.conversation.forms import ButtonFormSet
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _form(message: ConversationMessage, **changes: str) -> dict[str, str]:
    data = {"name": message.name, "kind": message.kind, "body": message.body, "form_urn": "", "op": "save"}
    for b in message.buttons.all():
        data |= {f"button-{b.pk}-text": b.text, f"button-{b.pk}-action": b.action,
                 f"button-{b.pk}-target": str(b.target_id or ""), f"button-{b.pk}-url": b.url}  # fmt: skip
    return {**data, **changes}


def _invitation(ad: Ad) -> tuple[ConversationMessage, ConversationButton]:
    message = ConversationMessage.objects.get(conversation__ad=ad, name="Invitation")
    button = message.buttons.order_by("position").first()
    assert button is not None
    return message, button


def test_rows_are_named_by_button_id_and_read_leniently_where_the_old_parsing_was() -> None:
    data = QueryDict(mutable=True)
    data.update({"button-7-text": "  Tell me more ", "button-7-action": "nonsense", "button-7-target": "x"})
    data.update({"button-9-text": "Visit", "button-9-action": "website", "button-9-url": "https://e.com"})
    buttons = ButtonFormSet(data, keys=[7, 9])
    assert buttons.is_valid(), buttons.errors
    rows = [(key, form.cleaned_data) for key, form in zip(buttons.keys, buttons.forms, strict=True)]
    assert rows[0] == (7, {"text": "Tell me more", "action": "message", "target": None, "url": ""})
    assert rows[1][1]["url"] == "https://e.com" and rows[1][1]["action"] == "website"
    assert buttons.forms[0].prefix == "button-7"


def test_a_button_text_too_long_to_store_is_refused_beside_that_button(
    conversation_ad: Ad, author: User
) -> None:
    message, button = _invitation(conversation_ad)
    long_text = "x" * 101
    response = client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/",
        _form(message, body="<p>Kept while refused</p>", **{f"button-{button.pk}-text": long_text}),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    html = response.content.decode()
    beside = re.search(rf'id="b{button.pk}-text-error"[^>]*>(.*?)</ul>', html, re.S)
    assert beside is not None and "Button text has 101 characters" in beside.group(1)
    assert f'aria-describedby="b{button.pk}-text-error"' in html
    assert f'value="{long_text}"' in html and "<p>Kept while refused</p>" in unescape(html)
    button.refresh_from_db()
    message.refresh_from_db()
    assert len(button.text) < 101 and message.body != "<p>Kept while refused</p>"
    assert conversation_ad.revisions.count() == 1


def test_a_line_break_in_a_button_text_is_refused_beside_it(conversation_ad: Ad, author: User) -> None:
    message, button = _invitation(conversation_ad)
    response = client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/",
        _form(message, **{f"button-{button.pk}-text": "Yes\r\nBcc: x@example.org"}),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    beside = re.search(rf'id="b{button.pk}-text-error"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    assert beside is not None and "single line" in beside.group(1)
    button.refresh_from_db()
    assert "Bcc" not in button.text
