"""Macros in links: a member's details never decide where a link goes.

Macros were filled after sanitizing, so `href="%FIRSTNAME%"` and a sample member named
`javascript:alert(1)` made a `javascript:` link in the rendered preview (issue 11). Saving now
refuses a macro in a link's address, next to the body; and the renderer re-checks every address
that held one after filling it, for content saved before the rule.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import macros, preview
from inmail_studio.ads.conversation import services as conversation_services
from inmail_studio.ads.conversation.validation import validate
from inmail_studio.ads.models import Ad, Persona
from inmail_studio.ads.sanitize import ALLOWED_ATTRIBUTES, sanitize_body
from tests.conftest import GOOD_AD, client_for

HOSTILE_NAMES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    '"><script>alert(1)</script>',
]
ADDRESSES = [
    "%{m}%",
    "https://example.com/?who=%{m}%",
    "%{m}%/path",
]
REFUSAL = "hold a macro"  # (the apostrophe before it is escaped in HTML)


def _hrefs(document: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', document)


def _member(name: str) -> preview.PreviewMember:
    values = {"first_name": name, "last_name": name, "company": name, "job_title": name, "industry": name}
    return preview.PreviewMember("hostile", "Hostile", values)


def _safe(href: str) -> bool:
    from html import unescape

    plain = "".join(c for c in unescape(href) if c.isprintable() and not c.isspace()).lower()
    return not plain.startswith(("javascript:", "data:", "vbscript:"))


@pytest.mark.parametrize("macro", list(macros.MACROS))
@pytest.mark.parametrize("address", ADDRESSES)
def test_saving_a_message_ad_refuses_a_macro_in_a_links_address(
    macro: str, address: str, author: User, sender: Any
) -> None:
    href = address.format(m=macro)
    body = f'<p>Hi, <a href="{href}">read this</a></p>'
    data = {**GOOD_AD, "sender": sender.pk, "cta_kind": "landing_page", "body": body}
    response = client_for(author).post(reverse("ads:new"), data)
    assert response.status_code == 422
    html = response.content.decode()
    field = html[html.index('id="field-body"') :]
    assert REFUSAL in field[: field.index("</section>")]
    assert not Ad.objects.exists()


def test_a_macro_in_a_links_text_is_fine(author: User, sender: Any) -> None:
    body = '<p>Hi, <a href="https://example.com/">a guide for %JOBTITLE%s</a></p>'
    data = {**GOOD_AD, "sender": sender.pk, "cta_kind": "landing_page", "body": body}
    assert client_for(author).post(reverse("ads:new"), data).status_code == 302


def test_percent_encoding_in_an_address_is_not_taken_for_a_macro(author: User, sender: Any) -> None:
    body = '<p><a href="https://example.com/caf%C3%A9?q=a%20b%2Fc">café</a></p>'
    data = {**GOOD_AD, "sender": sender.pk, "cta_kind": "landing_page", "body": body}
    assert client_for(author).post(reverse("ads:new"), data).status_code == 302


@pytest.fixture
def conversation(workspace: Workspace, author: User) -> Ad:
    return conversation_services.conversation_create(
        workspace=workspace, author=author, name="Spring event", template_key="event-invitation"
    )


@pytest.mark.parametrize("macro", list(macros.MACROS))
def test_saving_a_conversation_message_refuses_a_macro_in_a_links_address(
    macro: str, conversation: Ad, author: User
) -> None:
    message = conversation.conversation.messages.first()  # type: ignore[attr-defined]
    before = message.body
    body = f'<p><a href="https://example.com/%{macro}%">go</a></p>'
    url = reverse("ads:conversation_message", args=[conversation.pk, message.pk])
    response = client_for(author).post(url, {"name": "Opening", "kind": "text", "body": body})
    assert response.status_code == 422
    assert REFUSAL in response.content.decode()
    message.refresh_from_db()
    assert message.body == before


def test_the_conversation_check_flags_a_macro_in_an_address_saved_before_the_rule(conversation: Ad) -> None:
    from inmail_studio.ads.conversation.tree import tree_of

    row = conversation.conversation.messages.first()  # type: ignore[attr-defined]
    type(row).objects.filter(pk=row.pk).update(body='<p><a href="%FIRSTNAME%">x</a></p>')
    problems = validate(tree_of(conversation.conversation))  # type: ignore[attr-defined]
    assert any(p.code == "macro_in_link" and p.is_error for p in problems)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize("macro", list(macros.MACROS))
def test_the_renderer_rechecks_an_address_after_filling_it(name: str, macro: str) -> None:
    """Content saved before the rule (a revision is immutable) still renders no hostile link."""
    snapshot = {"kind": "message", "subject": "Hi", "body": f'<p><a href="%{macro}%">read more</a></p>'}
    document = preview.render_document(snapshot, _member(name))
    assert all(_safe(href) for href in _hrefs(document)), _hrefs(document)
    assert "read more" in document
    assert "<script>alert(1)" not in document


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_conversation_message_saved_before_the_rule_renders_no_hostile_link(name: str) -> None:
    tree = {
        "lead_gen": False,
        "first": "m1",
        "messages": [
            {
                "id": "m1",
                "name": "Opening",
                "kind": "text",
                "body": '<p><a href="%FIRSTNAME%">go</a></p>',
                "buttons": [],
            }
        ],
    }
    snapshot = {"kind": "conversation", "subject": "Hi", "body": "", "tree": tree}
    document = preview.render_document(snapshot, _member(name), path=[])
    assert all(_safe(href) for href in _hrefs(document)), _hrefs(document)


ATTRIBUTES = ["href", "src", "title", "style", "data-url", "onclick", "hx-get", "formaction", "xlink:href"]
TAGS = ["a", "p", "b", "img", "li"]


@pytest.mark.parametrize("attribute", ATTRIBUTES)
@pytest.mark.parametrize("tag", TAGS)
def test_a_macro_in_any_attribute_renders_nothing_hostile(tag: str, attribute: str) -> None:
    """Only a link's href survives the sanitizer; a macro there is refused on save and re-checked on
    render, and a macro in any other attribute goes with the attribute."""
    markup = f'<p><{tag} {attribute}="%FIRSTNAME%">text</{tag}></p>'
    cleaned = sanitize_body(markup)
    kept = ALLOWED_ATTRIBUTES.get(tag, [])
    assert macros.in_addresses(cleaned) == (["%FIRSTNAME%"] if attribute in kept else [])
    document = preview.render_document({"kind": "message", "body": markup}, _member("javascript:alert(1)"))
    body = document[document.index("li-thread-body") if "li-thread-body" in document else 0 :]
    assert "javascript:" not in body.lower()


@pytest.mark.parametrize("name", HOSTILE_NAMES[:2])
def test_the_live_preview_of_an_unsaved_body_draws_no_hostile_link(
    name: str, ad: Ad, author: User, workspace: Workspace
) -> None:
    persona = Persona.objects.create(workspace=workspace, label="Hostile", first_name=name)
    data = {
        **GOOD_AD,
        "persona": str(persona.pk),
        "body": '<p><a href="%FIRSTNAME%">x</a></p>',
        "landing_page_url": "javascript:alert(2)",
    }
    response = client_for(author).post(reverse("ads:preview", args=[ad.pk]), data)
    assert response.status_code == 200
    from html import unescape

    document = unescape(re.search(r'srcdoc="([^"]*)"', response.content.decode()).group(1))  # type: ignore[union-attr]
    assert all(_safe(href) for href in _hrefs(document)), _hrefs(document)
