"""A raw body far above anything LinkedIn takes is refused before the sanitizer parses it, on every
path a body reaches (the live preview, saving, a conversation message and its live check), with the
reason next to the body field and everything typed kept (issue 11)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import limits, sanitize
from inmail_studio.ads.conversation import services as conversation_services
from inmail_studio.ads.models import Ad
from tests.conftest import GOOD_AD, client_for

REFUSAL = "InMail Studio allows 20,000"
# Nested lists: what once cost eleven seconds per 64 KB.
HOSTILE = "<ul><li>" * (256 * 1024 // 8) + "<p>END-OF-BODY</p>"


@pytest.fixture
def parses() -> Callable[[], int]:
    start = sanitize._ShapingParser.parses
    return lambda: sanitize._ShapingParser.parses - start


@pytest.mark.parametrize("persona", ["author", "viewer"])
def test_the_live_preview_refuses_a_hostile_body_without_parsing_it(
    persona: str, request: pytest.FixtureRequest, ad: Ad, parses: Callable[[], int]
) -> None:
    """The live preview is open to every member, a viewer included; it is where three bodies once
    took down every worker."""
    user = request.getfixturevalue(persona)
    response = client_for(user).post(reverse("ads:preview", args=[ad.pk]), {**GOOD_AD, "body": HOSTILE})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="meta-body"' in html and REFUSAL in html
    assert parses() == 0


def test_saving_a_hostile_body_is_refused_next_to_the_field_and_keeps_what_was_typed(
    author: User, sender: Any, parses: Callable[[], int]
) -> None:
    data = {**GOOD_AD, "sender": sender.pk, "cta_kind": "landing_page", "body": HOSTILE}
    response = client_for(author).post(reverse("ads:new"), data)
    assert response.status_code == 422
    html = response.content.decode()
    field = html[html.index('id="field-body"') :]
    assert REFUSAL in field[: field.index("</section>")]
    assert "END-OF-BODY" in html  # the textarea still holds it
    assert not Ad.objects.exists()
    assert parses() == 0


def test_the_ad_service_refuses_a_hostile_body_on_the_body_field(
    workspace: Workspace, author: User, sender: Any
) -> None:
    from django.core.exceptions import ValidationError

    from inmail_studio.ads import services

    with pytest.raises(ValidationError) as refused:
        services.ad_create(
            workspace=workspace, author=author, fields={**GOOD_AD, "sender": sender, "body": HOSTILE}
        )
    assert REFUSAL in refused.value.message_dict["body"][0]


@pytest.fixture
def conversation(workspace: Workspace, author: User) -> Ad:
    return conversation_services.conversation_create(
        workspace=workspace, author=author, name="Spring event", template_key="event-invitation"
    )


def _message_id(ad: Ad) -> int:
    return ad.conversation.messages.values_list("pk", flat=True).first()  # type: ignore[attr-defined, no-any-return]


def test_a_conversation_message_with_a_hostile_body_is_refused_next_to_the_body(
    conversation: Ad, author: User, parses: Callable[[], int]
) -> None:
    message_id = _message_id(conversation)
    url = reverse("ads:conversation_message", args=[conversation.pk, message_id])
    response = client_for(author).post(url, {"name": "Opening", "kind": "text", "body": HOSTILE})
    assert response.status_code == 422
    html = response.content.decode()
    body_field = html[html.index('id="msg-body"') :]
    assert REFUSAL in body_field[: body_field.index("</div>")]
    assert "END-OF-BODY" in html
    assert parses() == 0


def test_the_conversation_live_check_says_why_a_hostile_body_is_not_checked(
    conversation: Ad, viewer: User, parses: Callable[[], int]
) -> None:
    message_id = _message_id(conversation)
    url = reverse("ads:conversation_check", args=[conversation.pk, message_id])
    response = client_for(viewer).post(url, {"name": "Opening", "kind": "text", "body": HOSTILE})
    assert response.status_code == 200
    assert REFUSAL in response.content.decode()
    assert parses() == 0


def test_a_body_just_under_the_limit_is_previewed(ad: Ad, author: User) -> None:
    body = "<p>" + "word " * ((limits.BODY_RAW.maximum - 10) // 5) + "</p>"
    response = client_for(author).post(reverse("ads:preview", args=[ad.pk]), {**GOOD_AD, "body": body})
    assert response.status_code == 200
    assert REFUSAL not in response.content.decode()
