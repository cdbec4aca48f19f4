"""Every form the server refuses over htmx shows its message where the person is looking, and a failure of
the server (5xx, a whole error page) is a banner that replaces nothing anyone typed."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.conversation import services as conversation_services
from inmail_studio.ads.models import Ad, Sender

from .conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 60, 160)).save(out, "PNG")
    return out.getvalue()


def test_a_banner_of_the_wrong_size_says_so_beside_the_upload(page: Page, ad: Ad, author: User) -> None:
    login(page, author)
    page.goto(f"/ads/{ad.pk}/")
    page.locator("input[name=banner_file]").set_input_files(
        files=[{"name": "square.png", "mimeType": "image/png", "buffer": _png(200, 200)}]
    )
    error = page.locator("#banner .errorlist")
    expect(error).to_contain_text("300 × 250")
    expect(error).to_contain_text("200 × 200")
    expect(page.locator("#request-error")).to_be_hidden()
    screenshot(page, "refusal-banner-size", full_page=False)


@pytest.fixture
def conversation(workspace: Workspace, author: User) -> Ad:
    return conversation_services.conversation_create(
        workspace=workspace, author=author, name="Expert call", template_key="qualify-by-role"
    )


def test_the_conversations_ad_details_refused_keep_what_was_chosen_and_say_why(
    page: Page, conversation: Ad, author: User, sender: Sender
) -> None:
    login(page, author)
    page.goto(f"/ads/{conversation.pk}/conversation/")
    page.get_by_text("Ad details").click()
    page.locator("#id_name").fill("")
    page.locator("#id_sender").select_option(label=sender.name)
    too_long = "A subject for this conversation that goes on for far longer than LinkedIn allows it to"
    page.locator("#id_subject").fill(too_long)
    page.get_by_role("button", name="Save details").click()

    expect(page.locator("#field-name .errorlist")).to_be_visible()
    expect(page.locator("#field-subject .errorlist")).to_contain_text("LinkedIn allows")
    # What was typed and chosen is all still there, in the open details.
    expect(page.locator("#id_subject")).to_have_value(too_long)
    expect(page.locator("#id_sender option:checked")).to_have_text(sender.name)
    expect(page.locator("details.conv-settings")).to_have_attribute("open", "")
    # ... and each message is tied to its input for a screen reader.
    described = page.locator("#id_subject").get_attribute("aria-describedby") or ""
    assert "id_subject_error" in described.split()
    expect(page.locator("#id_subject_error")).to_contain_text("LinkedIn allows")
    conversation.refresh_from_db()
    assert conversation.subject != too_long
    screenshot(page, "refusal-conversation-details")


def test_a_malformed_lead_gen_form_urn_is_refused_beside_the_field(
    page: Page, conversation: Ad, author: User
) -> None:
    login(page, author)
    page.goto(f"/ads/{conversation.pk}/conversation/")
    page.get_by_role("link", name="Edit Expert call form").click()
    urn = page.get_by_label("Lead gen form URN")
    urn.fill("adForm 123")
    page.get_by_role("button", name="Save message").click()
    expect(page.locator(".field-invalid .errorlist")).to_contain_text("urn:li:adForm:")
    expect(page.get_by_label("Lead gen form URN")).to_have_value("adForm 123")
    expect(page.locator("#messages")).to_contain_text("The message was not saved")


def test_a_server_failure_is_a_banner_and_the_typed_text_stays(page: Page, ad: Ad, author: User) -> None:
    login(page, author)
    page.goto(f"/ads/{ad.pk}/")
    # The live preview's endpoint answers 500 (as a crashed process would, with our 500 page).
    page.route(
        f"**/ads/{ad.pk}/preview/",
        lambda route: route.fulfill(
            status=500, content_type="text/html", body="<!doctype html><h1>Error</h1>"
        ),
    )
    page.locator("#id_subject").fill("A subject I am still writing")
    banner = page.locator("#request-error")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Nothing you typed was lost")
    expect(page.locator("#id_subject")).to_have_value("A subject I am still writing")
    expect(page.locator("#preview")).to_have_class("preview preview-stale")
    screenshot(page, "refusal-server-error", full_page=False)

    # The server is back: the next answer clears the banner.
    page.unroute(f"**/ads/{ad.pk}/preview/")
    page.locator("#id_subject").fill("A subject I finished")
    expect(banner).to_be_hidden()


def test_a_whole_error_page_answering_htmx_shows_its_headline_not_a_page_inside_the_page(
    page: Page, ad: Ad, author: User
) -> None:
    login(page, author)
    page.goto(f"/ads/{ad.pk}/")
    # Without its CSRF cookie the live preview's post is refused with Django's own 403 page.
    page.context.clear_cookies(name="csrftoken")
    page.locator("#id_subject").fill("Typed before the refusal")
    banner = page.locator("#request-error")
    expect(banner).to_contain_text("CSRF verification failed")
    expect(page.locator("#preview iframe")).to_have_count(1)
    expect(page.locator("#preview h1")).to_have_count(0)
    expect(page.locator("#id_subject")).to_have_value("Typed before the refusal")
