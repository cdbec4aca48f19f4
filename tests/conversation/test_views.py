"""The editor's pages per persona: outsiders get a 404, viewers read but can't edit, authors edit without reloads."""

from __future__ import annotations

import re

import pytest

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, ConversationButton, ConversationMessage
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _message(ad: Ad, name: str) -> ConversationMessage:
    return ConversationMessage.objects.get(conversation__ad=ad, name=name)


def _form_data(message: ConversationMessage, **changes: str) -> dict[str, str]:
    data = {"name": message.name, "kind": message.kind, "body": message.body, "form_urn": message.form_urn}
    for b in message.buttons.all():
        data[f"button-{b.pk}-text"] = b.text
        data[f"button-{b.pk}-action"] = b.action
        data[f"button-{b.pk}-target"] = str(b.target_id or "")
        data[f"button-{b.pk}-url"] = b.url
    data.update(changes)
    return data


def test_an_author_starts_a_conversation_ad_from_a_template(author: User) -> None:
    client = client_for(author)
    page = client.get("/ads/conversation/new/")
    assert page.status_code == 200
    for title in ("Qualify by role", "Event invitation", "Demo request"):
        assert title in page.content.decode()
    response = client.post("/ads/conversation/new/", {"name": "Spring", "template": "demo-request"})
    ad = Ad.objects.get(name="Spring")
    assert response.status_code == 302 and response["Location"] == f"/ads/{ad.pk}/conversation/"
    assert ad.kind == "conversation" and ad.current_revision.number == 1


def test_a_new_conversation_without_a_name_keeps_the_choice_and_says_why(author: User) -> None:
    response = client_for(author).post("/ads/conversation/new/", {"name": "", "template": "demo-request"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "This field is required" in html
    assert re.search(r'value="demo-request"\s+checked', html)


def test_the_editor_shows_the_diagram_the_problems_the_preview_and_all_paths(
    conversation_ad: Ad, author: User
) -> None:
    html = client_for(author).get(f"/ads/{conversation_ad.pk}/conversation/").content.decode()
    assert "<svg" in html and html.count('class="conv-node"') == 4
    assert "No problems" in html
    assert 'name="conv-preview"' in html and "/conversation/frame/" in html
    assert "Read all 9 paths" in html
    paths_panel = client_for(author).get(
        f"/ads/{conversation_ad.pk}/conversation/paths/", HTTP_HX_REQUEST="true"
    )
    assert paths_panel.content.decode().count('data-testid="path"') == 9
    assert 'target="conv-preview"' in paths_panel.content.decode()


def test_an_outsider_gets_a_404_on_every_conversation_page(conversation_ad: Ad, outsider: User) -> None:
    client = client_for(outsider)
    message = _message(conversation_ad, "Agenda")
    base = f"/ads/{conversation_ad.pk}/conversation"
    for url in (
        f"{base}/",
        f"{base}/frame/",
        f"{base}/paths/",
        f"{base}/changes/",
        f"{base}/messages/{message.pk}/",
        f"{base}/messages/{message.pk}/delete/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"{base}/messages/",
        f"{base}/messages/{message.pk}/",
        f"{base}/messages/{message.pk}/check/",
    ):
        assert client.post(url, {"name": "x"}).status_code == 404, url
    assert ConversationMessage.objects.filter(conversation__ad=conversation_ad).count() == 4


def test_a_viewer_reads_the_editor_but_cannot_change_the_tree(conversation_ad: Ad, viewer: User) -> None:
    client = client_for(viewer)
    page = client.get(f"/ads/{conversation_ad.pk}/conversation/")
    assert page.status_code == 200 and "can't edit it" in page.content.decode()
    message = _message(conversation_ad, "Agenda")
    assert client.post(f"/ads/{conversation_ad.pk}/conversation/messages/").status_code == 403
    response = client.post(
        f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/", _form_data(message, name="Hacked")
    )
    assert response.status_code == 403
    assert (
        client.post(f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/delete/").status_code
        == 403
    )
    assert conversation_ad.revisions.count() == 1


def test_a_message_ad_is_not_a_conversation(make_ad, author: User) -> None:  # type: ignore[no-untyped-def]
    assert client_for(author).get(f"/ads/{make_ad().pk}/conversation/").status_code == 404


def test_saving_a_message_with_htmx_returns_the_workspace_and_writes_a_revision(
    conversation_ad: Ad, author: User
) -> None:
    message = _message(conversation_ad, "Agenda")
    response = client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/",
        _form_data(message, body="<p>The new agenda</p>"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="conv-workspace"') and "<html" not in html
    assert "Saved as revision 2" in html
    assert response["HX-Push-Url"].endswith(f"?m={message.pk}")
    conversation_ad.refresh_from_db()
    assert conversation_ad.current_revision.number == 2


def test_without_javascript_saving_redirects_back_to_the_message(conversation_ad: Ad, author: User) -> None:
    message = _message(conversation_ad, "Agenda")
    response = client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/",
        _form_data(message, name="Programme"),
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?m={message.pk}#message-form")
    message.refresh_from_db()
    assert message.name == "Programme"


def test_the_buttons_of_the_message_form_add_move_and_remove_buttons_keeping_what_was_typed(
    conversation_ad: Ad, author: User
) -> None:
    client = client_for(author)
    message = _message(conversation_ad, "Agenda")
    url = f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/"
    client.post(url, _form_data(message, body="<p>Typed first</p>", op="add_button"))
    message.refresh_from_db()
    assert message.body == "<p>Typed first</p>" and message.buttons.count() == 4
    last = message.buttons.order_by("position").last()
    assert last is not None
    client.post(url, _form_data(message, op=f"up_button:{last.pk}"))
    assert [b.pk for b in message.buttons.order_by("position")][2] == last.pk
    client.post(url, _form_data(message, op=f"delete_button:{last.pk}"))
    assert not ConversationButton.objects.filter(pk=last.pk).exists()


def test_the_live_check_validates_the_typed_form_without_saving(conversation_ad: Ad, author: User) -> None:
    message = _message(conversation_ad, "Invitation")
    first = message.buttons.order_by("position").first()
    assert first is not None
    response = client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/check/",
        _form_data(message, **{f"button-{first.pk}-text": "A reply far too long for a LinkedIn button"}),
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="conv-problems"' in html and 'hx-swap-oob="true"' in html
    assert "Button text has 42 characters; LinkedIn allows 25." in html
    assert f"#btn-b{first.pk}" in html
    assert conversation_ad.revisions.count() == 1


def test_deleting_a_message_that_buttons_point_to_asks_what_to_do_with_them(
    conversation_ad: Ad, author: User
) -> None:
    client = client_for(author)
    register, agenda = _message(conversation_ad, "Registration"), _message(conversation_ad, "Agenda")
    url = f"/ads/{conversation_ad.pk}/conversation/messages/{register.pk}/delete/"
    page = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "2 buttons lead here" in page
    assert "“Yes, save my seat” on <strong>Invitation</strong>" in page
    assert 'value="relink"' in page and 'value="remove"' in page and 'value="detach"' in page
    response = client.post(url, {"inbound": "relink", "relink_to": str(agenda.pk)})
    assert response.status_code == 302
    assert not ConversationMessage.objects.filter(pk=register.pk).exists()
    assert ConversationButton.objects.filter(text="Yes, save my seat", target=agenda).exists()


def test_deleting_with_relink_but_no_target_explains_itself(conversation_ad: Ad, author: User) -> None:
    register = _message(conversation_ad, "Registration")
    url = f"/ads/{conversation_ad.pk}/conversation/messages/{register.pk}/delete/"
    response = client_for(author).post(url, {"inbound": "relink", "relink_to": ""})
    assert response.status_code == 422
    assert "Choose the message those buttons should lead to instead." in response.content.decode()
    assert ConversationMessage.objects.filter(pk=register.pk).exists()


def test_adding_a_message_selects_it(conversation_ad: Ad, author: User) -> None:
    response = client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/messages/", {"kind": "form"}, HTTP_HX_REQUEST="true"
    )
    added = ConversationMessage.objects.filter(conversation__ad=conversation_ad).order_by("-pk").first()
    assert added is not None and added.kind == "form"
    assert response["HX-Push-Url"].endswith(f"?m={added.pk}")
    assert "Lead gen form URN" in response.content.decode()


def test_the_details_form_saves_subject_and_lead_gen(conversation_ad: Ad, author: User, sender) -> None:  # type: ignore[no-untyped-def]
    response = client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/",
        {
            "name": "Spring event",
            "sender": str(sender.pk),
            "subject": "New subject",
            "footer": "x" * 15000,
            "lead_gen": "on",
        },
    )
    assert response.status_code == 302
    conversation_ad.refresh_from_db()
    snapshot = conversation_ad.current_revision.snapshot
    assert snapshot["subject"] == "New subject" and snapshot["tree"]["lead_gen"] is True
    assert len(snapshot["footer"]) == 15000  # the conversation footer limit, not the message ad one


def test_the_changes_page_lists_tree_changes(conversation_ad: Ad, author: User) -> None:
    client = client_for(author)
    message = _message(conversation_ad, "Agenda")
    client.post(
        f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/",
        _form_data(message, name="Programme"),
    )
    html = client.get(f"/ads/{conversation_ad.pk}/conversation/changes/").content.decode()
    assert "r1 → r2" in html and "Programme" in html and "changed" in html
