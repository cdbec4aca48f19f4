"""Lost updates: two people (or two tabs) save the same shared state from what they each loaded.

Every form that edits shared state carries the version it was loaded from; a save against a
newer version is refused (409) with both versions field by field and nothing typed lost, and
the person keeps theirs, takes the other's, or merges per field. Also: a save refused because
the ad is being launched, and a save that meets a statement timeout, come back with the form
and every typed value. The browser journey is tests/browser/test_edit_conflict_journey.py;
personas and forecast forms are in tests/test_lost_updates_workspace.py.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, transaction

from inmail_studio.accounts.models import User
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.models import Ad, ButtonAction, ConversationButton, ConversationMessage, Sender, State
from inmail_studio.review import services as review_services
from tests.conftest import GOOD_AD, client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def conversation_ad(workspace: Any, author: User) -> Ad:
    return cs.conversation_create(
        workspace=workspace, author=author, name="Spring event", template_key="event-invitation"
    )


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _version(ad: Ad) -> int:
    ad.refresh_from_db()
    return ad.current_revision.number  # type: ignore[union-attr]


def _form(sender: Sender, version: int, **changes: Any) -> dict[str, Any]:
    return {**GOOD_AD, "sender": sender.pk, "cta_kind": "landing_page", "base_version": version, **changes}


def _conflict_fields(response: Any) -> dict[str, str]:
    """The conflict panel as the browser would post it back: their values and the preset choices."""
    page = response.content.decode()
    theirs = {
        m.group(1): html.unescape(m.group(2))
        for m in re.finditer(r'name="conflict-theirs-([^"]+)" value="([^"]*)"', page)
    }
    picks = {
        m.group(1): m.group(2)
        for m in re.finditer(r'name="conflict-pick-([^"]+)" value="(mine|theirs)" checked', page)
    }
    return {
        **{f"conflict-theirs-{k}": v for k, v in theirs.items()},
        **{f"conflict-pick-{k}": v for k, v in picks.items()},
    }


def _base_version(response: Any) -> str:
    match = re.search(r'name="base_version" value="(\d*)"', response.content.decode())
    assert match, "the form carries the version it stands on"
    return match.group(1)


# --- the message ad editor -------------------------------------------------------------------------


def test_a_save_from_an_older_revision_is_refused_with_both_versions_and_nothing_typed_lost(
    ad: Ad, author: User, admin_user: User, sender: Sender
) -> None:
    loaded = _version(ad)
    alice, ada = client_for(author), client_for(admin_user)
    assert (
        alice.post(f"/ads/{ad.pk}/", _form(sender, loaded, subject="Alice's new subject")).status_code == 302
    )
    response = ada.post(f"/ads/{ad.pk}/", _form(sender, loaded, body="<p>Ada's new body</p>"))

    assert response.status_code == 409
    page = _text(response)
    assert "Alice Author saved revision 2" in page and "after you opened revision 1" in page
    assert "<p>Ada's new body</p></textarea>" in page  # what Ada typed is in the form
    fields = _conflict_fields(response)
    # Alice's subject is offered and preset (only she changed it); Ada's body is preset to hers.
    assert fields["conflict-theirs-subject"] == "Alice's new subject"
    assert fields["conflict-pick-subject"] == "theirs"
    assert fields["conflict-pick-body"] == "mine"
    assert _base_version(response) == "2"
    ad.refresh_from_db()
    assert (ad.subject, ad.current_revision.number) == ("Alice's new subject", 2)  # type: ignore[union-attr]
    assert "Ada's" not in ad.body


def test_saving_with_the_preset_choices_keeps_both_peoples_work(
    ad: Ad, author: User, admin_user: User, sender: Sender
) -> None:
    loaded = _version(ad)
    alice, ada = client_for(author), client_for(admin_user)
    alice.post(f"/ads/{ad.pk}/", _form(sender, loaded, subject="Alice's new subject"))
    mine = _form(sender, loaded, body="<p>Ada's new body</p>")
    refused = ada.post(f"/ads/{ad.pk}/", mine)
    saved = ada.post(
        f"/ads/{ad.pk}/", {**mine, "base_version": _base_version(refused), **_conflict_fields(refused)}
    )
    assert saved.status_code == 302
    ad.refresh_from_db()
    assert ad.subject == "Alice's new subject" and ad.body == "<p>Ada's new body</p>"
    assert ad.current_revision.number == 3  # type: ignore[union-attr]


@pytest.mark.parametrize(("resolve", "subject", "body"), [
    ("mine", GOOD_AD["subject"], "<p>Ada's new body</p>"),
    ("theirs", "Alice's new subject", GOOD_AD["body"]),
])  # fmt: skip
def test_keep_all_mine_and_take_all_theirs_decide_every_field_at_once(
    ad: Ad, author: User, admin_user: User, sender: Sender, resolve: str, subject: str, body: str
) -> None:
    loaded = _version(ad)
    client_for(author).post(f"/ads/{ad.pk}/", _form(sender, loaded, subject="Alice's new subject"))
    ada = client_for(admin_user)
    mine = _form(sender, loaded, body="<p>Ada's new body</p>")
    refused = ada.post(f"/ads/{ad.pk}/", mine)
    ada.post(
        f"/ads/{ad.pk}/",
        {
            **mine,
            "base_version": _base_version(refused),
            **_conflict_fields(refused),
            "conflict-resolve": resolve,
        },
    )
    ad.refresh_from_db()
    assert (ad.subject, ad.body) == (subject, body)


def test_a_field_both_changed_is_marked_and_preset_to_mine(
    ad: Ad, author: User, admin_user: User, sender: Sender
) -> None:
    loaded = _version(ad)
    client_for(author).post(f"/ads/{ad.pk}/", _form(sender, loaded, subject="Alice's subject"))
    refused = client_for(admin_user).post(f"/ads/{ad.pk}/", _form(sender, loaded, subject="Ada's subject"))
    assert refused.status_code == 409
    assert "changed by both" in _text(refused)
    assert _conflict_fields(refused)["conflict-pick-subject"] == "mine"


def test_a_conflict_resolved_while_a_third_save_came_in_is_refused_again(
    ad: Ad, author: User, admin_user: User, sender: Sender
) -> None:
    loaded = _version(ad)
    alice, ada = client_for(author), client_for(admin_user)
    alice.post(f"/ads/{ad.pk}/", _form(sender, loaded, subject="Alice one"))
    mine = _form(sender, loaded, body="<p>Ada</p>")
    refused = ada.post(f"/ads/{ad.pk}/", mine)
    alice.post(f"/ads/{ad.pk}/", _form(sender, 2, subject="Alice two"))
    again = ada.post(
        f"/ads/{ad.pk}/", {**mine, "base_version": _base_version(refused), **_conflict_fields(refused)}
    )
    assert again.status_code == 409 and "saved revision 3" in _text(again)


def test_the_same_change_saved_twice_is_no_conflict(
    ad: Ad, author: User, admin_user: User, sender: Sender
) -> None:
    loaded = _version(ad)
    client_for(author).post(f"/ads/{ad.pk}/", _form(sender, loaded, subject="The same subject"))
    response = client_for(admin_user).post(
        f"/ads/{ad.pk}/", _form(sender, loaded, subject="The same subject")
    )
    assert response.status_code == 302  # a newer revision, but every field just as this person has it


def test_saving_while_the_ad_is_being_launched_is_refused_and_keeps_the_typed_text(
    ad: Ad, author: User, approver: User, sender: Sender
) -> None:
    from tests.review.conftest import walk

    walk(ad, State.LAUNCHING, author=author, approver=approver)
    response = client_for(author).post(
        f"/ads/{ad.pk}/", _form(sender, _version(ad), subject="Typed during launch")
    )
    assert response.status_code == 409
    page = _text(response)
    assert "This ad is being launched on LinkedIn and can't change meanwhile" in page
    assert 'value="Typed during launch"' in page
    ad.refresh_from_db()
    assert ad.state == State.LAUNCHING and ad.subject == GOOD_AD["subject"]


# --- a database that doesn't answer ----------------------------------------------------------------


@contextmanager
def _row_locked(model: Any, pk: int) -> Iterator[None]:
    """Another connection holds the row's lock, so a save of it waits."""
    ready, release = threading.Event(), threading.Event()

    def hold() -> None:
        from django.db import connection as own

        with transaction.atomic():
            model.objects.select_for_update().get(pk=pk)
            ready.set()
            release.wait(10)
        own.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert ready.wait(5)
    try:
        yield
    finally:
        release.set()
        thread.join()


@contextmanager
def _statement_timeout(ms: int) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {int(ms)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")


@pytest.mark.django_db(transaction=True)
def test_a_statement_timeout_on_save_shows_the_form_with_everything_typed(
    ad: Ad, author: User, sender: Sender
) -> None:
    with _row_locked(Ad, ad.pk), _statement_timeout(300):
        response = client_for(author).post(
            f"/ads/{ad.pk}/", _form(sender, _version(ad), subject="Typed while the database hung")
        )
    assert response.status_code == 503
    page = _text(response)
    assert "nothing was saved" in page and 'value="Typed while the database hung"' in page
    ad.refresh_from_db()
    assert ad.subject == GOOD_AD["subject"]


@pytest.mark.django_db(transaction=True)
def test_a_statement_timeout_on_a_message_save_shows_the_message_as_typed(
    conversation_ad: Ad, author: User
) -> None:
    message = conversation_ad.conversation.messages.first()
    assert message is not None
    data = {"name": message.name, "kind": "text", "body": "<p>Typed while the database hung</p>", "op": "save",
            "base_version": _version(conversation_ad)}  # fmt: skip
    with _row_locked(Ad, conversation_ad.pk), _statement_timeout(300):
        response = client_for(author).post(
            f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/", data, **HTMX
        )
    assert response.status_code == 503
    assert "<p>Typed while the database hung</p></textarea>" in _text(response)


@pytest.mark.django_db(transaction=True)
def test_a_statement_timeout_on_approve_keeps_the_comments_and_records_nothing(
    ad: Ad, author: User, approver: User
) -> None:
    review_services.submit(ad_id=ad.pk, actor=author)
    revision = ad.current_revision.content_hash  # type: ignore[union-attr]
    with _row_locked(Ad, ad.pk), _statement_timeout(300):
        response = client_for(approver).post(
            f"/review/ads/{ad.pk}/decide/",
            {
                "decision": "approve",
                "revision": revision,
                "comment": "Lovely, ship it",
                "field_subject": "Nice one",
            },
        )
    assert response.status_code == 503
    page = _text(response)
    assert "nothing was recorded" in page
    assert ">Lovely, ship it</textarea>" in page and ">Nice one</textarea>" in page
    ad.refresh_from_db()
    assert ad.state == State.IN_REVIEW


# --- the conversation editor -------------------------------------------------------------------------


def _message_form(message: ConversationMessage, version: int, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": message.name,
        "kind": message.kind,
        "body": message.body,
        "form_urn": message.form_urn,
        "op": "save",
        "base_version": version,
    }
    for button in message.buttons.all():
        data |= {
            f"button-{button.pk}-text": button.text,
            f"button-{button.pk}-action": button.action,
            f"button-{button.pk}-target": button.target_id or "",
            f"button-{button.pk}-url": button.url,
        }
    return {**data, **changes}


def _messages(ad: Ad) -> list[ConversationMessage]:
    return list(
        ConversationMessage.objects.filter(conversation__ad=ad)
        .prefetch_related("buttons")
        .order_by("position")
    )


def test_two_people_saving_the_same_message_get_a_conflict_per_field_buttons_included(
    conversation_ad: Ad, author: User, admin_user: User
) -> None:
    message = _messages(conversation_ad)[0]
    button = message.buttons.first()
    assert button is not None
    loaded = _version(conversation_ad)
    url = f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/"
    alice, ada = client_for(author), client_for(admin_user)
    assert (
        alice.post(
            url, _message_form(message, loaded, **{f"button-{button.pk}-text": "Alice's button"}), **HTMX
        ).status_code
        == 200
    )
    mine = _message_form(message, loaded, body="<p>Ada's message</p>")
    refused = ada.post(url, mine, **HTMX)
    assert refused.status_code == 409
    page = _text(refused)
    assert "<p>Ada's message</p></textarea>" in page
    fields = _conflict_fields(refused)
    assert fields[f"conflict-theirs-button-{button.pk}-text"] == "Alice's button"
    assert fields[f"conflict-pick-button-{button.pk}-text"] == "theirs"
    assert fields["conflict-pick-body"] == "mine"
    saved = ada.post(url, {**mine, "base_version": _base_version(refused), **fields}, **HTMX)
    assert saved.status_code == 200
    message.refresh_from_db()
    button.refresh_from_db()
    assert message.body == "<p>Ada's message</p>" and button.text == "Alice's button"


def test_saving_one_message_after_someone_saved_another_is_no_conflict(
    conversation_ad: Ad, author: User, admin_user: User
) -> None:
    first, second = _messages(conversation_ad)[:2]
    loaded = _version(conversation_ad)
    base = f"/ads/{conversation_ad.pk}/conversation/messages/"
    assert (
        client_for(author)
        .post(f"{base}{first.pk}/", _message_form(first, loaded, body="<p>A</p>"), **HTMX)
        .status_code
        == 200
    )
    response = client_for(admin_user).post(
        f"{base}{second.pk}/", _message_form(second, loaded, body="<p>B</p>"), **HTMX
    )
    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.body, second.body) == ("<p>A</p>", "<p>B</p>")


def test_saving_a_message_another_tab_deleted_shows_it_and_adds_it_again(
    conversation_ad: Ad, author: User, admin_user: User
) -> None:
    message = next(
        m
        for m in _messages(conversation_ad)
        if m.buttons.exists() and m.pk != conversation_ad.conversation.first_message_id
    )
    loaded = _version(conversation_ad)
    button = message.buttons.first()
    assert button is not None
    mine = _message_form(message, loaded, body="<p>Typed before it vanished</p>")
    cs.message_delete(ad_id=conversation_ad.pk, editor=admin_user, message_id=message.pk)
    response = client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/", mine, **HTMX
    )
    assert response.status_code == 409  # not a bare 404
    page = _text(response)
    # Deleting writes no revision (the tree's Save does): the page says who deleted it, and when.
    assert f"Ada Admin deleted “{message.name}” at " in page
    assert "<p>Typed before it vanished</p></textarea>" in page and "Add it again as a new message" in page
    readd = {
        "readd": "1", "name": message.name, "kind": "text", "body": "<p>Typed before it vanished</p>",
        "readd-buttons": "1", "readd-0-text": button.text, "readd-0-action": button.action,
        "readd-0-target": button.target_id or "", "readd-0-url": button.url,
    }  # fmt: skip
    added = client_for(author).post(f"/ads/{conversation_ad.pk}/conversation/messages/", readd, **HTMX)
    assert added.status_code == 200
    again = ConversationMessage.objects.get(conversation__ad=conversation_ad, name=message.name)
    assert again.pk != message.pk and again.body == "<p>Typed before it vanished</p>"
    assert [(b.text, b.action) for b in again.buttons.all()] == [(button.text, button.action)]


def test_the_ad_details_form_refuses_a_save_over_changed_details_and_merges_per_field(
    conversation_ad: Ad, author: User, admin_user: User, sender: Sender
) -> None:
    loaded = _version(conversation_ad)
    url = f"/ads/{conversation_ad.pk}/conversation/"
    details = {"name": conversation_ad.name, "sender": sender.pk, "subject": conversation_ad.subject,
               "footer": "", "base_version": loaded}  # fmt: skip
    assert client_for(author).post(url, {**details, "subject": "Alice's subject"}, **HTMX).status_code == 200
    ada = client_for(admin_user)
    mine = {**details, "footer": "Ada's terms", "lead_gen": "on"}
    refused = ada.post(url, mine, **HTMX)
    assert refused.status_code == 409
    fields = _conflict_fields(refused)
    assert fields["conflict-pick-subject"] == "theirs" and fields["conflict-pick-footer"] == "mine"
    assert (
        'value="Ada\'s terms"' in refused.content.decode() or "Ada&#x27;s terms" in refused.content.decode()
    )
    ada.post(url, {**mine, "base_version": _base_version(refused), **fields}, **HTMX)
    conversation_ad.refresh_from_db()
    assert (conversation_ad.subject, conversation_ad.footer) == ("Alice's subject", "Ada's terms")
    assert conversation_ad.conversation.lead_gen


def test_details_saved_after_someone_changed_only_messages_are_no_conflict(
    conversation_ad: Ad, author: User, admin_user: User, sender: Sender
) -> None:
    loaded = _version(conversation_ad)
    message = _messages(conversation_ad)[0]
    client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/",
        _message_form(message, loaded, body="<p>New</p>"), **HTMX,
    )  # fmt: skip
    response = client_for(admin_user).post(
        f"/ads/{conversation_ad.pk}/conversation/",
        {
            "name": conversation_ad.name,
            "sender": sender.pk,
            "subject": "Ada's subject",
            "footer": "",
            "base_version": loaded,
        },
        **HTMX,
    )
    assert response.status_code == 200
    conversation_ad.refresh_from_db()
    assert conversation_ad.subject == "Ada's subject"


def test_deleting_a_message_someone_changed_meanwhile_asks_again(
    conversation_ad: Ad, author: User, admin_user: User
) -> None:
    message = _messages(conversation_ad)[-1]
    loaded = _version(conversation_ad)
    client_for(author).post(
        f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/",
        _message_form(message, loaded, body="<p>Alice's careful rewrite</p>"), **HTMX,
    )  # fmt: skip
    url = f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/delete/"
    refused = client_for(admin_user).post(url, {"inbound": "detach", "base_version": loaded}, **HTMX)
    assert refused.status_code == 409 and "It changed since you opened it" in _text(refused)
    assert ConversationMessage.objects.filter(pk=message.pk).exists()
    confirmed = client_for(admin_user).post(
        url, {"inbound": "detach", "base_version": _base_version(refused)}, **HTMX
    )
    assert confirmed.status_code == 200
    assert not ConversationMessage.objects.filter(pk=message.pk).exists()


def test_a_button_added_by_someone_else_is_not_blanked_by_a_stale_save(
    conversation_ad: Ad, author: User, admin_user: User
) -> None:
    message = _messages(conversation_ad)[0]
    loaded = _version(conversation_ad)
    url = f"/ads/{conversation_ad.pk}/conversation/messages/{message.pk}/"
    stale = _message_form(message, loaded, body="<p>Ada</p>")
    alice = client_for(author)
    alice.post(url, _message_form(message, loaded, op="add_button"), **HTMX)
    added = ConversationButton.objects.filter(message=message).order_by("-pk").first()
    assert added is not None
    alice.post(
        url,
        _message_form(message, _version(conversation_ad), **{
            f"button-{added.pk}-text": "Alice's new button", f"button-{added.pk}-action": ButtonAction.END,
        }),
        **HTMX,
    )  # fmt: skip
    refused = client_for(admin_user).post(url, stale, **HTMX)
    assert refused.status_code == 409
    added.refresh_from_db()
    assert added.text == "Alice's new button"  # not blanked by a form that never had it
    assert f'name="button-{added.pk}-text" value="Alice&#x27;s new button"' in refused.content.decode()


def test_an_offer_someone_chose_meanwhile_is_not_undone_by_a_stale_editor_save(
    ad: Ad, author: User, admin_user: User, sender: Sender
) -> None:
    from inmail_studio.guidance.models import AdPlan

    ada = client_for(admin_user)
    loaded = ada.get(f"/ads/{ad.pk}/")
    plan_version = re.search(r'name="plan_version" value="([^"]*)"', loaded.content.decode())
    assert plan_version
    version = _version(ad)
    # Alice picks the offer (no content change, so no new revision).
    client_for(author).post(f"/ads/{ad.pk}/", _form(sender, version, offer_type="demo"))
    assert AdPlan.objects.get(ad=ad).offer_type == "demo"
    # Ada saves from her page, where the offer was still unset, changing only the footer.
    saved = ada.post(
        f"/ads/{ad.pk}/",
        _form(
            sender,
            version,
            footer="Ada's footer",
            offer_type="",
            plan_version=html.unescape(plan_version.group(1)),
        ),
    )
    assert saved.status_code == 302
    assert AdPlan.objects.get(ad=ad).offer_type == "demo"
    ad.refresh_from_db()
    assert ad.footer == "Ada's footer"
