"""A stakeholder signs off through a link in Chromium, and the main journey is done with the keyboard alone:
write a draft, submit it, sign it off through a link, approve it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, Sender, State
from inmail_studio.review import services as review_services
from inmail_studio.review.models import AuditEvent, ShareKind
from tests.conftest import PASSWORD

from .conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

FOCUSED = """() => { const e = document.activeElement; if (!e) return '';
  return [e.id, e.getAttribute('aria-label') || '', (e.innerText || e.value || '').trim()].join('|'); }"""


def tab_to(page: Page, wanted: str, *, backwards: bool = False, limit: int = 120) -> None:
    """Press Tab (or Shift+Tab) until the focused element's id, accessible label or text is `wanted`."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = str(page.evaluate(FOCUSED))
        if wanted in focused.split("|"):
            ring = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"
            )
            # Every stop shows where focus is: a solid ring at least 2 px wide (app.css).
            assert ring[0] != "none" and float(ring[1].removesuffix("px")) >= 2, (wanted, ring)
            return
        seen.append(focused)
    raise AssertionError(f"Tab never reached {wanted!r}; it went through {seen[-15:]}")


def sign_in_by_keyboard(page: Page, user: User) -> None:
    page.goto("/accounts/login/")
    if not str(page.evaluate(FOCUSED)).startswith("id_username|"):
        tab_to(page, "id_username")
    page.keyboard.type(user.username)
    tab_to(page, "id_password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    # Authors land on Drafts, approvers on their review queue.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_stakeholder_signs_off_through_a_link_on_a_phone(
    browser: Browser, live_server: Any, ad: Ad
) -> None:
    review_services.submit(ad_id=ad.pk, actor=ad.author)
    shared = review_services.share_link_create(
        ad_id=ad.pk, creator=ad.author, recipient="Legal — Maria Chen", kind=ShareKind.SIGNOFF
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
    page = context.new_page()
    page.goto(f"/review/s/{shared.token}/")
    expect(page.get_by_role("heading", name="Your sign-off")).to_be_visible()
    # The link was made for one person; it records their decision under that name (no name to type).
    expect(page.get_by_text("Recorded as Legal — Maria Chen")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status").filter(has_text="Your sign-off is recorded.")).to_be_visible()
    assert "CSRF verification failed" not in page.content()
    screenshot(page, "signoff-recorded-phone")
    context.close()
    event = AuditEvent.objects.get(ad=ad, action="stakeholder_approved")
    assert event.stakeholder_name == "Legal — Maria Chen"


def test_draft_submit_sign_off_and_approve_with_the_keyboard_alone(
    page: Page, author: User, approver: User, sender: Sender
) -> None:
    sign_in_by_keyboard(page, author)

    # Write a draft.
    tab_to(page, "New message ad")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ads/new/")
    tab_to(page, "id_name")
    page.keyboard.type("Keyboard-only webinar invite")
    tab_to(page, "id_sender")
    page.keyboard.type("Dana")  # a select picks the option whose name starts with what is typed
    tab_to(page, "id_subject")
    page.keyboard.type("%FIRSTNAME%, a seat at our webinar?")
    tab_to(page, "id_body_rich")
    page.keyboard.type("Hi %FIRSTNAME%, join us on 12 December for a 40-minute walkthrough.")
    tab_to(page, "id_cta_text")
    page.keyboard.type("Save my seat")
    tab_to(page, "id_landing_page_url")
    page.keyboard.type("https://example.com/webinar")
    tab_to(page, "id_footer")
    page.keyboard.type("Acme Cloud, 1 Market St.")
    tab_to(page, "Save draft", backwards=True)  # in the editor's head, above the form
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="saved as revision 1")).to_be_visible()
    ad = Ad.objects.get(name="Keyboard-only webinar invite")
    assert ad.sender_id == sender.pk
    assert "12 December" in ad.body and ad.cta_text == "Save my seat"

    # Submit it for review.
    tab_to(page, "Submit for review")
    page.keyboard.press("Enter")
    expect(page.locator(".message").filter(has_text="is in review")).to_be_visible()

    # Maria Chen in Legal signs off through the link made for her, by keyboard: the comment, then Approve.
    shared = review_services.share_link_create(
        ad_id=ad.pk, creator=author, recipient="Maria Chen", kind=ShareKind.SIGNOFF
    )
    page.context.clear_cookies()
    page.goto(f"/review/s/{shared.token}/")
    tab_to(page, "signoff-comment")
    page.keyboard.type("Fine by Legal.")
    tab_to(page, "Approve")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Your sign-off is recorded.")).to_be_visible()

    # The manager approves from the review page.
    sign_in_by_keyboard(page, approver)
    page.goto(f"/review/ads/{ad.pk}/")
    tab_to(page, "Approve r1")
    screenshot(page, "keyboard-approve-focused", full_page=False)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Approved “")).to_be_visible()
    ad.refresh_from_db()
    assert ad.state == State.APPROVED
    assert AuditEvent.objects.filter(
        ad=ad, action="stakeholder_approved", stakeholder_name="Maria Chen"
    ).exists()
