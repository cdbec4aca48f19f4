"""The test inbox: a test send arrives for the calling member and opens with the app's one renderer."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.html import escape

from inmail_studio.ads import preview
from inmail_studio.sandbox.models import InboxMessage, Member
from inmail_studio.sandbox.views import reader

from .conftest import ACCOUNT, ACCOUNT_ID, Api, as_urn, campaign_urn, encode, message_ad


@pytest.fixture
def inbox_reader(sandbox: None) -> Client:
    """Staff reads every test inbox (a member reads their own: tests/security/test_hardening.py)."""
    from tests.conftest import client_for, make_user

    return client_for(make_user("sandbox-staff", is_staff=True))


def send_test(api: Api, content: str, campaign_name: str = "Q4 Finance Webinar") -> None:
    campaign = campaign_urn(api, campaign_name)
    creative = api.create(
        f"/adAccounts/{ACCOUNT_ID}/creatives", {"campaign": campaign, "content": {"reference": content}}
    )
    response = api.post(
        "/inMailContents?action=sendTestInMail",
        {"adInMailContentId": content, "campaign": campaign, "creative": creative, "account": ACCOUNT},
    )
    assert response.status_code == 200, response.text


def test_a_test_message_opens_in_the_inbox_with_the_same_renderer_as_the_preview(
    api: Api, inbox_reader: Client
) -> None:
    send_test(api, api.create("/inMailContents", message_ad()))
    message = InboxMessage.objects.get()
    page = inbox_reader.get("/sandbox/linkedin/inbox/ada-admin/")
    assert page.status_code == 200
    html = page.content.decode()
    ada = reader(Member.objects.get(slug="ada-admin"))
    expected = preview.render_document(message.snapshot, ada, "desktop", drafting=False)
    assert f'srcdoc="{escape(expected)}"' in html
    assert 'sandbox="allow-same-origin"' in html
    assert "Dana Whitfield" in expected
    assert "Save my seat" in expected
    mobile = inbox_reader.get(
        f"/sandbox/linkedin/inbox/ada-admin/{message.pk}/?device=mobile"
    ).content.decode()
    assert escape(preview.render_document(message.snapshot, ada, "mobile", drafting=False)) in mobile
    # Macros are filled from the recipient's profile, as LinkedIn fills them.
    assert "Ada, a seat for our Q4 webinar?" in expected


def test_a_member_sees_an_empty_rail_where_the_editor_labels_the_missing_banner(
    api: Api, inbox_reader: Client
) -> None:
    send_test(api, api.create("/inMailContents", message_ad()))
    message = InboxMessage.objects.get()
    assert message.snapshot.get("banner") is None
    inbox = inbox_reader.get("/sandbox/linkedin/inbox/ada-admin/").content.decode()
    assert "No banner" not in inbox
    editor_view = preview.render_document(message.snapshot, preview.FALLBACK_MEMBER, "desktop")
    assert "No banner" in editor_view


def test_the_message_keeps_what_was_sent_even_after_the_content_changes(
    api: Api, inbox_reader: Client
) -> None:
    content = api.create("/inMailContents", message_ad())
    send_test(api, content)
    api.patch(f"/inMailContents/{encode(content)}", {"subject": "Changed later"})
    html = inbox_reader.get("/sandbox/linkedin/inbox/ada-admin/").content.decode()
    assert "Changed later" not in html
    assert "Ada, a seat for our Q4 webinar?" in html


def test_each_member_sees_only_their_own_test_messages(api: Api, inbox_reader: Client) -> None:
    send_test(api, api.create("/inMailContents", message_ad()))
    other = inbox_reader.get("/sandbox/linkedin/inbox/maya-marketer/")
    assert other.status_code == 200
    assert "No test messages yet" in other.content.decode()
    message = InboxMessage.objects.get()
    assert inbox_reader.get(f"/sandbox/linkedin/inbox/maya-marketer/{message.pk}/").status_code == 404


def test_the_inbox_list_names_every_member_to_staff(inbox_reader: Client) -> None:
    html = inbox_reader.get("/sandbox/linkedin/inbox/").content.decode()
    for name in ("Ada Admin", "Maya Marketer", "Dana Whitfield"):
        assert name in html


def test_a_conversation_ad_can_be_walked_through_its_buttons(api: Api, inbox_reader: Client) -> None:
    conversation = as_urn(api.create("/conversationAds", {"parentAccount": ACCOUNT}), "sponsoredConversation")
    messages = f"/conversationAds/{encode(conversation)}/sponsoredMessageContents"
    leaf = api.create(messages, {"bodySource": {"text": "<p>Here is the agenda.</p>"}})
    first = api.create(
        messages,
        {
            "bodySource": {"text": "<p>Want the agenda?</p>"},
            "nextAction": {
                "options": [
                    {"optionText": "Yes please", "replyType": "SIMPLE_REPLY", "nextContent": leaf},
                    {"optionText": "Not interested", "replyType": "SIMPLE_REPLY"},
                ]
            },
        },
    )
    api.patch(f"/conversationAds/{encode(conversation)}", {"firstMessageContent": first})
    content = api.create(
        "/inMailContents",
        message_ad(htmlBody="", subContent={"guidedReplies": {"sponsoredConversation": conversation}}),
    )
    send_test(api, content, "Conversation pilot")
    message = InboxMessage.objects.get()

    opened = inbox_reader.get(f"/sandbox/linkedin/inbox/ada-admin/{message.pk}/").content.decode()
    assert "Want the agenda?" in opened
    frame = f"/sandbox/linkedin/inbox/ada-admin/{message.pk}/frame"
    assert escape(escape(f"{frame}?device=desktop&path=m2b1")) in opened
    assert "Yes please" in opened
    walked = inbox_reader.get(f"{frame}?device=desktop&path=m2b1").content.decode()
    assert "Here is the agenda." in walked
    assert "Yes please" in walked  # the member's reply, as a bubble
    ended = inbox_reader.get(f"{frame}?device=desktop&path=m2b2").content.decode()
    assert "The member ended the conversation." in ended
