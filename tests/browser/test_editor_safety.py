"""Nothing typed is lost: a refused save keeps every field, leaving with unsaved edits asks first."""

from __future__ import annotations

import pytest
from playwright.sync_api import Dialog, Page, expect

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, Sender

from .conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _top(page: Page) -> None:
    """Full-page screenshots are taken from the top, so the sticky bar sits where it belongs."""
    page.evaluate("window.scrollTo(0, 0)")


def test_a_save_over_the_limits_shows_errors_next_to_the_fields_and_keeps_the_input(
    page: Page, author: User, sender: Sender
) -> None:
    login(page, author)
    page.goto("/ads/new/")
    page.fill("#id_name", "Too long")
    page.select_option("#id_sender", label="Dana Whitfield")
    long_subject = "A subject line that runs well past what LinkedIn allows, surely"
    page.fill("#id_subject", long_subject)
    expect(page.locator("#meta-subject .counter")).to_have_class("counter counter-error")
    expect(page.locator("#meta-subject")).to_contain_text("LinkedIn allows 60.")
    editor = page.locator(".rte-editor")
    editor.click()
    editor.press_sequentially("Body I typed and want to keep.", delay=5)
    page.fill("#id_cta_text", "A call to action that is long")

    page.get_by_role("button", name="Save draft").click()

    subject_box = page.locator("#field-subject")
    expect(subject_box.locator(".errorlist")).to_have_text(
        f"Subject has {len(long_subject)} characters; LinkedIn allows 60."
    )
    expect(page.locator("#field-cta_text .errorlist")).to_contain_text("LinkedIn allows 20.")
    expect(page.locator("#id_subject")).to_have_value(long_subject)
    expect(page.locator("#id_name")).to_have_value("Too long")
    expect(page.locator("#id_cta_text")).to_have_value("A call to action that is long")
    expect(page.locator("#id_sender option:checked")).to_have_text("Dana Whitfield")
    expect(page.locator(".rte-editor")).to_contain_text("Body I typed and want to keep.")
    expect(page.get_by_role("alert").filter(has_text="everything you typed is still here")).to_be_visible()
    # The refused draft is still unsaved, so leaving would warn.
    expect(page.locator("[data-unsaved-indicator]")).to_be_visible()
    assert not Ad.objects.exists()
    _top(page)
    screenshot(page, "editor-validation-errors")

    page.fill("#id_subject", "A subject that fits")
    page.fill("#id_cta_text", "Register")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text="saved as revision 1")).to_be_visible()
    assert (
        Ad.objects.get().body == "<p>Body I typed and want to keep.</p>"
        or "Body I typed" in Ad.objects.get().body
    )


def test_leaving_with_unsaved_edits_asks_before_going(page: Page, ad: Ad, author: User) -> None:
    login(page, author)
    page.goto(f"/ads/{ad.pk}/")
    dialogs: list[str] = []

    def stay(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    # Without edits, leaving just leaves.
    page.get_by_role("link", name="History").click()
    page.wait_for_url(f"**/ads/{ad.pk}/history/")
    assert dialogs == []
    page.go_back()

    page.locator("#id_subject").press("End")
    page.locator("#id_subject").press_sequentially(" now", delay=10)
    expect(page.locator("[data-unsaved-indicator]")).to_be_visible()
    page.get_by_role("link", name="History").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith(f"/ads/{ad.pk}/")  # stayed
    expect(page.locator("#id_subject")).to_have_value(f"{ad.subject} now")

    # Saving clears the warning.
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text="Saved as revision 2.")).to_be_visible()
    page.get_by_role("link", name="History").click()
    page.wait_for_url(f"**/ads/{ad.pk}/history/")
    assert dialogs == ["beforeunload"]


def test_changing_the_preview_member_is_not_an_unsaved_edit(page: Page, ad: Ad, author: User) -> None:
    login(page, author)
    page.goto(f"/ads/{ad.pk}/")
    page.select_option("#preview-persona", value="fallbacks")
    expect(page.frame_locator("iframe.preview-frame").locator("[data-testid=subject]")).to_contain_text(
        "LinkedIn Member"
    )
    expect(page.locator("[data-unsaved-indicator]")).to_be_hidden()
