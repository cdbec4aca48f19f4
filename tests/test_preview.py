"""The live preview endpoint: what is in the form now, rendered as a member's inbox, without saving."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from PIL import Image as PILImage

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services
from inmail_studio.ads.models import Ad, Image, Persona, Sender

from .conftest import GOOD_AD, client_for

pytestmark = pytest.mark.django_db


def _form(sender: Sender | None, **changes: Any) -> dict[str, Any]:
    return {
        **GOOD_AD,
        "sender": sender.pk if sender else "",
        "cta_kind": "landing_page",
        "lead_form_urn": "",
        "banner": "",
        **changes,
    }


def _preview(client: Client, data: dict[str, Any], ad: Ad | None = None) -> tuple[Any, str]:
    """POST to the preview as htmx does; returns the response and the document inside the frame."""
    url = reverse("ads:preview", args=[ad.pk]) if ad else reverse("ads:preview_new")
    response = client.post(url, data, headers={"HX-Request": "true", "HX-Target": "preview"})
    assert response.status_code == 200
    match = re.search(r'srcdoc="([^"]*)"', response.content.decode())
    assert match is not None, "no preview frame in the response"
    return response, html.unescape(match.group(1))


def _persona(workspace: Workspace, label: str = "VP Marketing, SaaS") -> Persona:
    return Persona.objects.get(workspace=workspace, label=label)


def _banner(workspace: Workspace, uploader: User) -> Image:
    out = io.BytesIO()
    PILImage.new("RGB", (300, 250), (10, 120, 200)).save(out, "PNG")
    upload = SimpleUploadedFile("spring.png", out.getvalue(), content_type="image/png")
    return services.banner_upload(workspace=workspace, uploader=uploader, upload=upload)


def test_macros_are_filled_for_the_chosen_sample_member(
    author: User, sender: Sender, workspace: Workspace
) -> None:
    persona = _persona(workspace)
    data = _form(
        sender,
        subject="%FIRSTNAME%, a seat for %COMPANYNAME%?",
        body="<p>Hi %FIRSTNAME% %LASTNAME%, as %JOBTITLE% in %INDUSTRY%…</p>",
        persona=str(persona.pk),
    )
    response, document = _preview(client_for(author), data)
    assert "Priya, a seat for Northwind Analytics?" in document
    assert "Hi Priya Raman, as VP Marketing in Software Development…" in document
    assert "%FIRSTNAME%" not in document
    assert response.context["member"].key == str(persona.pk)


def test_the_fallbacks_member_shows_linkedins_defaults(author: User, sender: Sender) -> None:
    data = _form(
        sender,
        subject="%FIRSTNAME% at %COMPANYNAME%",
        body="<p>%JOBTITLE% · %INDUSTRY% · %LASTNAME%</p>",
        persona="fallbacks",
    )
    _, document = _preview(client_for(author), data)
    assert "LinkedIn Member at your company" in document
    assert "professional · industry · LinkedIn Member" in document


def test_the_preview_shows_sender_subject_body_cta_and_footer_in_the_inbox(
    author: User, sender: Sender
) -> None:
    _, document = _preview(client_for(author), _form(sender, persona="fallbacks"))
    assert "Dana Whitfield" in document
    assert "VP Marketing at Acme Cloud" in document
    assert "Sponsored" in document
    assert "Save my seat" in document
    assert 'href="https://example.com/webinar"' in document
    assert "Acme Cloud, 1 Market St." in document
    assert "<b>12 December</b>" in document


def test_the_banner_shows_on_desktop_and_not_on_mobile(
    author: User, sender: Sender, workspace: Workspace
) -> None:
    banner = _banner(workspace, author)
    client = client_for(author)
    response, desktop = _preview(client, _form(sender, banner=banner.pk, device="desktop"))
    assert response.context["device"] == "desktop"
    assert escape(banner.file.url) in desktop  # a signed URL (media.py), & escaped in HTML
    assert "li-desktop" in desktop
    response, mobile = _preview(client, _form(sender, banner=banner.pk, device="mobile"))
    assert response.context["device"] == "mobile"
    assert banner.file.name not in mobile
    assert "li-phone" in mobile
    assert 'data-device="mobile"' in response.content.decode()


def test_an_unknown_device_falls_back_to_desktop(author: User, sender: Sender) -> None:
    response, _ = _preview(client_for(author), _form(sender, device="fridge"))
    assert response.context["device"] == "desktop"


def test_wrong_case_and_unknown_macros_are_flagged(author: User, sender: Sender) -> None:
    data = _form(sender, subject="Hi %firstname%", body="<p>Dear %TITLE%</p>")
    response, document = _preview(client_for(author), data)
    page = response.content.decode()
    assert 'class="macro-warnings"' in page
    assert "%firstname% will be shown as typed: macros are upper case, use %FIRSTNAME%." in page
    assert "%TITLE% is not a LinkedIn macro" in page
    # And the member would see them as typed.
    assert "Hi %firstname%" in document
    assert "Dear %TITLE%" in document


def test_correct_macros_raise_no_flag(author: User, sender: Sender) -> None:
    response, _ = _preview(client_for(author), _form(sender))
    assert "macro-warnings" not in response.content.decode()


def _meta(page: str, name: str) -> str:
    match = re.search(rf'<div id="meta-{name}"[^>]*>.*?</div>', page, re.DOTALL)
    assert match is not None, f"no counter for {name}"
    return match.group(0)


def test_counters_come_back_out_of_band_with_warning_and_error_states(author: User, sender: Sender) -> None:
    data = _form(sender, subject="S" * 55, cta_text="C" * 21, name="Fine")
    response, _ = _preview(client_for(author), data)
    page = response.content.decode()
    for name in ("name", "subject", "body", "cta_text", "landing_page_url", "footer"):
        assert 'hx-swap-oob="true"' in _meta(page, name)
    assert "counter-warning" in _meta(page, "subject")
    assert "55<span" in _meta(page, "subject")
    assert "counter-error" in _meta(page, "cta_text")
    assert "Call-to-action text has 21 characters; LinkedIn allows 20." in _meta(page, "cta_text")
    assert "counter-ok" in _meta(page, "name")


def test_body_counters_count_visible_characters_emojis_and_links(author: User, sender: Sender) -> None:
    body = "<p>" + "a" * 1400 + ' <a href="https://a.com">one</a> <a href="https://b.com">two</a> 🚀🚀</p>'
    response, _ = _preview(client_for(author), _form(sender, body=body))
    meta = _meta(response.content.decode(), "body")
    assert 'data-limit="body">1411<' in meta
    assert "counter-warning" in meta  # 1,411 of 1,500 is past the 90 % mark
    assert 'data-limit="body_emojis">2<' in meta
    assert 'data-limit="body_links">2<' in meta


def test_script_in_the_body_never_reaches_the_frame(author: User, sender: Sender) -> None:
    body = (
        "<p>Hi<script>alert('x')</script></p>"
        '<img src=x onerror="alert(1)">'
        '<a href="javascript:alert(2)">click</a>'
        "<svg><script>alert(3)</script></svg>"
        '<p style="background:url(javascript:alert(4))" hx-get="/evil">styled</p>'
    )
    response, document = _preview(
        client_for(author), _form(sender, body=body, subject="<script>alert(5)</script>")
    )
    assert "<script" not in document
    assert "onerror" not in document
    assert "javascript:" not in document
    assert "alert" not in document.replace("&lt;script&gt;alert(5)&lt;/script&gt;", "")
    assert "hx-get" not in document
    assert "style=" not in document
    assert "&lt;script&gt;alert(5)&lt;/script&gt;" in document  # the subject is text, shown escaped
    iframe = re.search(r"<iframe[^>]*>", response.content.decode())
    assert iframe is not None
    assert 'sandbox="allow-same-origin"' in iframe.group(0)
    assert "allow-scripts" not in iframe.group(0)


def test_a_sample_members_values_are_escaped_in_the_body(
    author: User, sender: Sender, workspace: Workspace
) -> None:
    persona = Persona.objects.create(workspace=workspace, label="Evil", first_name="<b onclick=x>Eve</b>")
    _, document = _preview(
        client_for(author), _form(sender, persona=str(persona.pk), body="<p>Hi %FIRSTNAME%</p>")
    )
    assert "<b onclick" not in document
    assert "&lt;b onclick=x&gt;Eve&lt;/b&gt;" in document


def test_another_workspaces_sender_banner_and_persona_are_ignored(
    author: User, sender: Sender, other_workspace: Workspace, outsider: User
) -> None:
    spy = Sender.objects.create(workspace=other_workspace, urn="urn:li:person:spy", name="Spy McSpyface")
    foreign_banner = _banner(other_workspace, outsider)
    foreign_persona = Persona.objects.create(workspace=other_workspace, label="Foreign", first_name="Zed")
    data = _form(None, banner=foreign_banner.pk, persona=str(foreign_persona.pk))
    data["sender"] = spy.pk
    response, document = _preview(client_for(author), data)
    assert "Spy McSpyface" not in document
    assert "Choose a sender" in document
    assert foreign_banner.file.name not in document
    assert "Zed" not in document
    assert response.context["member"].key != str(foreign_persona.pk)


def test_previewing_saves_nothing(ad: Ad, author: User) -> None:
    _preview(client_for(author), _form(ad.sender, subject="Not saved"), ad=ad)
    ad.refresh_from_db()
    assert ad.subject == GOOD_AD["subject"]
    assert ad.revisions.count() == 1


def test_the_chosen_member_and_device_are_remembered_for_the_next_page(
    ad: Ad, author: User, workspace: Workspace
) -> None:
    client = client_for(author)
    persona = _persona(workspace, "IT Director, Manufacturing")
    _preview(client, _form(ad.sender, persona=str(persona.pk), device="mobile"), ad=ad)
    response = client.get(reverse("ads:edit", args=[ad.pk]))
    assert response.context["member"].key == str(persona.pk)
    assert response.context["device"] == "mobile"
    assert "Tomasz" in response.context["document"]


def test_a_viewer_may_preview_what_they_read(ad: Ad, viewer: User) -> None:
    _, document = _preview(client_for(viewer), _form(ad.sender), ad=ad)
    assert "Dana Whitfield" in document


def test_the_preview_of_a_lead_form_ad_has_the_button_without_a_landing_page(
    author: User, sender: Sender
) -> None:
    data = _form(sender, cta_kind="lead_form", lead_form_urn="urn:li:adForm:1", cta_text="Book a demo")
    _, document = _preview(client_for(author), data)
    assert "Book a demo" in document
    assert "example.com/webinar" not in document


# ---- Content-Security-Policy on every response ----


def _assert_strict_csp(response: Any) -> None:
    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives.get("style-src", [])
    assert "'unsafe-eval'" not in policy
    assert directives["object-src"] == ["'none'"]


def test_every_page_and_the_preview_send_a_strict_content_security_policy(
    ad: Ad, author: User, viewer: User, outsider: User
) -> None:
    client = client_for(author)
    responses = [
        client.get(reverse("ads:list")),
        client.get(reverse("ads:new")),
        client.get(reverse("ads:edit", args=[ad.pk])),
        client.get(reverse("ads:history", args=[ad.pk])),
        client.get(reverse("ads:compare", args=[ad.pk])),
        client.get(reverse("ads:personas")),
        client.get(reverse("ads:senders")),
        client.get(reverse("accounts:settings")),
        client.post(reverse("ads:preview", args=[ad.pk]), _form(ad.sender)),
        client.post(reverse("ads:edit", args=[ad.pk]), _form(ad.sender, subject="x" * 61)),
        client.post(reverse("ads:banner"), {}),
        Client().get(reverse("accounts:login")),
        client_for(outsider).get(reverse("ads:edit", args=[ad.pk])),
        client_for(viewer).get(reverse("ads:new")),
    ]
    assert [r.status_code for r in responses] == [200] * 9 + [422, 422, 200, 404, 403]
    for response in responses:
        _assert_strict_csp(response)


def test_no_page_carries_inline_script_or_inline_style(ad: Ad, author: User) -> None:
    client = client_for(author)
    for url in (reverse("ads:list"), reverse("ads:edit", args=[ad.pk]), reverse("ads:new")):
        page = client.get(url).content.decode()
        # srcdoc holds the escaped preview document; look at the page's own markup.
        own = re.sub(r'srcdoc="[^"]*"', "", page)
        for tag in re.findall(r"<script\b[^>]*>", own):
            assert "src=" in tag, tag
        assert " style=" not in own
        assert "hx-on" not in own


def test_a_keystroke_with_the_same_member_and_device_does_not_write_the_session(
    ad: Ad, author: User, workspace: Workspace
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(author)
    data = _form(ad.sender, persona=str(_persona(workspace).pk), device="desktop")
    _preview(client, data, ad=ad)
    with CaptureQueriesContext(connection) as captured:
        _preview(client, {**data, "subject": "Typing on"}, ad=ad)
    writes = [
        q["sql"] for q in captured if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]
    assert writes == []


def test_a_keystroke_costs_a_fixed_handful_of_queries_and_none_for_the_navigation(
    ad: Ad, author: User, workspace: Workspace
) -> None:
    """The preview fragment shows no navigation, so the user's memberships are never read for it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(author)
    data = _form(ad.sender, persona=str(_persona(workspace).pk), device="desktop")
    _preview(client, data, ad=ad)
    with CaptureQueriesContext(connection) as captured:
        _preview(client, {**data, "body": "<p>Another body, typed on</p>"}, ad=ad)
    assert not [q["sql"] for q in captured if '"accounts_membership"' in q["sql"].split(" FROM ")[1][:40]]
    # session, user, ad (with the checklist's facts, as subqueries), sender, personas
    assert len(captured) == 5, [q["sql"][:80] for q in captured]


@pytest.mark.parametrize(
    "text",
    ["Hi 🚀🚀 there", "👨‍👩‍👧‍👦 family", "flags 🇩🇪🇫🇷", "keycaps 1️⃣ #️⃣ *️⃣", "© ® ™ and é", "a👍🏽b", "plain", ""],
)
def test_the_emoji_counter_agrees_with_the_emoji_library(text: str) -> None:
    import emoji

    from inmail_studio.ads.limits import count_emojis

    assert count_emojis(text) == emoji.emoji_count(text)


def test_the_inbox_row_keeps_a_space_between_a_bare_first_line_and_the_next_paragraph(
    author: User, sender: Sender
) -> None:
    # What Chromium's contenteditable writes when the first line was typed into an empty editor.
    _, document = _preview(client_for(author), _form(sender, body="Hi there, <b>bold</b>.<p>Second line</p>"))
    assert "Hi there, bold. Second line" in document
    assert "bold.Second" not in document
