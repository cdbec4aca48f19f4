"""The conversation editor as a flow builder (issue 14), in Chromium at 1440 px and 390 px, axe finding nothing.

- text typed into a message and not saved survives a click on another message (and the page asks
  before it is left), then saves;
- a 25-message tree (LinkedIn's limit, 5 buttons each) fits on screen with "Fit to screen";
- a reply button is relinked with the keyboard alone;
- the lead-gen form picker offers the account's forms from LinkedIn (the sandbox) in both editors.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from bench.bench_conversation import largest_tree
from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.conversation import services as conversation_services
from inmail_studio.ads.models import (
    Ad,
    Conversation,
    ConversationMessage,
    CtaKind,
)
from tests.conftest import PASSWORD

from .a11y import add_axe, overflow, run_axe, widest
from .conftest import WIDTHS, screenshot, wait_for_htmx

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sized(browser: Browser, live_server: Any, width: str) -> Iterator[Page]:
    """A page at one of the two widths, with axe loaded and script errors collected."""
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    add_axe(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None
        ),
    )
    yield page
    context.close()
    assert errors == [], errors


def sign_in(page: Page, user: User) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/ads/**")


def clean(page: Page) -> None:
    """Nothing wider than the window, nothing axe objects to."""
    assert overflow(page) <= 0, widest(page)
    violations = run_axe(page)
    assert violations == [], violations


@pytest.fixture
def event(workspace: Workspace, author: User) -> Ad:
    return conversation_services.conversation_create(
        workspace=workspace, author=author, name="Spring event invite", template_key="event-invitation"
    )


def node(page: Page, name: str) -> Any:
    return page.locator(f".conv-node[data-label='{name}']")


def test_text_typed_and_not_saved_survives_a_click_on_another_message(
    sized: Page, event: Ad, author: User, width: str
) -> None:
    page = sized
    sign_in(page, author)
    page.goto(f"/ads/{event.pk}/conversation/")
    opening = page.locator(".conv-node[aria-current=true]").get_attribute("data-label")
    assert opening
    # The message body is the message ad's rich-text editor, not HTML in a textarea.
    editor = page.locator("#msg-body_rich")
    expect(editor).to_be_visible()
    expect(page.locator("#msg-body")).to_be_hidden()
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Bring a colleague.")
    page.locator("#msg-name").fill("Opening, rewritten")
    expect(page.locator("form.conv-message-form [data-wc-indicator]")).to_be_visible()

    # Another message, without saving: the diagram marks the first as unsaved ...
    other = node(page, "Agenda")
    other.click()
    expect(page.locator(".conv-node[aria-current=true]")).to_have_attribute("data-label", "Agenda")
    expect(node(page, opening)).to_have_class("conv-node conv-node-unsaved")
    clean(page)
    screenshot(page, f"conversation-editor-unsaved-marked-{width}")

    # ... and going back brings every keystroke back, said plainly.
    node(page, opening).click()
    expect(page.locator("#msg-name")).to_have_value("Opening, rewritten")
    expect(page.locator("#msg-body_rich")).to_contain_text("Bring a colleague.")
    expect(page.locator("[data-wc-restored]")).to_be_visible()
    clean(page)

    # Leaving the page now asks first.
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    page.evaluate("() => window.dispatchEvent(new Event('beforeunload', {cancelable: true}))")
    cancelled = page.evaluate(
        "() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented; }"
    )
    assert cancelled is True

    # Saved: the working copy is gone and the server has the text.
    page.get_by_role("button", name="Save message").click()
    expect(page.locator("#messages")).to_contain_text("Saved as revision 2")
    expect(page.locator("form.conv-message-form [data-wc-indicator]")).to_be_hidden()
    saved = ConversationMessage.objects.get(conversation__ad=event, name="Opening, rewritten")
    assert "Bring a colleague." in saved.body
    assert not page.evaluate(
        "() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e); return e.defaultPrevented; }"
    )


def _inside(page: Page) -> list[str]:
    """The messages drawn (even partly) outside the diagram's visible box."""
    return list(
        page.evaluate(
            """() => { const box = document.querySelector('[data-diagram-view]').getBoundingClientRect();
              return [...document.querySelectorAll('.conv-node rect')].filter(r => { const b = r.getBoundingClientRect();
                return b.left < box.left - 1 || b.right > box.right + 1 || b.top < box.top - 1 || b.bottom > box.bottom + 1; })
                .map(r => r.parentElement.dataset.label); }"""
        )
    )


def test_a_25_message_tree_is_fitted_on_screen_and_the_selected_message_kept_in_view(
    sized: Page, workspace: Workspace, author: User, width: str
) -> None:
    page = sized
    ad = largest_tree(author, workspace, name="Full tree")
    sign_in(page, author)
    page.goto(f"/ads/{ad.pk}/conversation/")
    expect(page.locator(".conv-node")).to_have_count(25)
    # Opened, a tree too large to read fitted is drawn at 80% with the open message in view ...
    expect(page.locator("[data-zoom-level]")).to_have_text("80%")
    assert "Step 0" not in _inside(page)
    # ... and "Fit to screen" shows all of it.
    page.get_by_role("button", name="Fit to screen").click()
    expect(page.get_by_role("button", name="Fit to screen")).to_have_attribute("aria-pressed", "true")
    assert _inside(page) == []
    view = page.locator("[data-diagram-view]").bounding_box()
    assert view is not None and view["height"] <= WIDTHS[width][1]
    clean(page)
    screenshot(page, f"conversation-editor-25-fitted-{width}", full_page=False)

    # Zoomed in, the message chosen is brought into view after its form loads.
    page.get_by_role("button", name="100%").click()
    expect(page.locator("[data-zoom-level]")).to_have_text("100%")
    page.get_by_role("button", name="Zoom in").click()
    expect(page.locator("[data-zoom-level]")).to_have_text("125%")
    last = node(page, "Step 24")
    last.scroll_into_view_if_needed()
    last.click()
    expect(page.locator(".conv-node[aria-current=true]")).to_have_attribute("data-label", "Step 24")
    assert "Step 24" not in _inside(page)
    # The zoom is kept across the swap.
    expect(page.locator("[data-zoom-level]")).to_have_text("125%")


def test_a_reply_button_is_relinked_with_the_keyboard_alone(event: Ad, author: User, page: Page) -> None:
    sign_in(page, author)
    page.goto(f"/ads/{event.pk}/conversation/")
    conversation = Conversation.objects.get(ad=event)
    first = conversation.first_message
    assert first is not None
    button = first.buttons.order_by("position").first()
    assert button is not None and button.target is not None
    before = button.target.name
    others = [m.name for m in conversation.messages.exclude(pk__in=[first.pk, button.target_id])]
    new_target = others[0]

    # The diagram: the open message holds the one tab stop; arrows move, Enter opens, focus goes to the form.
    page.locator(".conv-node[aria-current=true]").focus()
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("() => document.activeElement.dataset.label")
    assert focused and focused != first.name
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("() => document.activeElement.dataset.label") == first.name
    page.keyboard.press("Enter")
    expect(page.locator("#msg-name")).to_be_focused()
    expect(page.locator("#announcer")).to_contain_text(f"Editing {first.name}")

    # Tab to the first button's "Leads to", choose with the keys, save with Ctrl+S.
    target = page.locator(f"#b{button.pk}-target")
    for _ in range(40):
        if page.evaluate("() => document.activeElement.id") == f"b{button.pk}-target":
            break
        page.keyboard.press("Tab")
    expect(target).to_be_focused()
    options = target.locator("option").all_text_contents()
    steps = options.index(new_target) - options.index(before)
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    expect(target.locator("option:checked")).to_have_text(new_target)
    page.keyboard.press("Control+s")
    expect(page.locator("#messages")).to_contain_text("Saved as revision 2")
    button.refresh_from_db()
    assert button.target is not None and button.target.name == new_target
    # Escape from the form goes back to the message in the diagram.
    page.locator("#msg-name").focus()
    page.keyboard.press("Escape")
    assert page.evaluate("() => document.activeElement.dataset.label") == first.name


# --- lead forms from LinkedIn -----------------------------------------------------------------------


@pytest.fixture
def linked(settings: Any, live_server: Any, workspace: Workspace, admin_user: User) -> Workspace:
    from inmail_studio.sandbox.seed import seed
    from tests.linkedin.conftest import connect

    seed()
    settings.LINKEDIN_API_BASE_URL = f"{live_server.url}/sandbox/linkedin/rest"
    settings.LINKEDIN_OAUTH_BASE_URL = f"{live_server.url}/sandbox/linkedin/oauth/v2"
    settings.LINKEDIN_SANDBOX_FAULTS = ""
    connect(workspace, admin_user)
    return workspace


def test_the_conversation_form_node_picks_from_the_accounts_lead_forms(
    sized: Page, linked: Workspace, author: User, width: str
) -> None:
    page = sized
    ad = conversation_services.conversation_create(
        workspace=linked, author=author, name="Expert call", template_key="qualify-by-role"
    )
    sign_in(page, author)
    page.goto(f"/ads/{ad.pk}/conversation/")
    node(page, "Expert call form").click()
    pick = page.get_by_label("Lead gen form on LinkedIn")
    expect(pick).to_be_visible(timeout=20_000)  # listed from the sandbox over HTTP, after the page
    # Published forms can be chosen; the archived one is listed, not choosable.
    expect(pick.locator("option:not([disabled])")).to_have_text(
        ["Choose one of the account's forms…", "Demo request", "Webinar sign-up"]
    )
    expect(pick.locator("option[disabled]")).to_have_text(["2025 survey (archived)"])
    pick.select_option(label="Webinar sign-up")
    expect(page.get_by_label("Lead gen form URN")).to_have_value("urn:li:adForm:4243")
    expect(page.locator("[data-testid=lead-form-status]")).to_contain_text("Opens “Webinar sign-up”")
    clean(page)
    screenshot(page, f"conversation-editor-lead-form-{width}", full_page=False)
    page.get_by_role("button", name="Save message").click()
    expect(page.locator("#messages")).to_contain_text("Saved as revision")
    assert ConversationMessage.objects.filter(conversation__ad=ad, form_urn="urn:li:adForm:4243").exists()
    # Back on the node, the picker names the saved form.
    expect(page.locator("[data-testid=lead-form-status]")).to_contain_text("Opens “Webinar sign-up”")


def test_the_message_ad_editor_picks_from_the_accounts_lead_forms(
    sized: Page, linked: Workspace, author: User, make_ad: Any, width: str
) -> None:
    page = sized
    ad = make_ad(name="Lead gen invite")
    sign_in(page, author)
    page.goto(f"/ads/{ad.pk}/")
    page.locator("label.segment", has_text="Lead gen form").click()
    pick = page.get_by_label("Lead gen form on LinkedIn")
    expect(pick).to_be_visible(timeout=20_000)  # listed from the sandbox over HTTP, after the page
    pick.select_option(label="Demo request")
    expect(page.locator("#id_lead_form_urn")).to_have_value("urn:li:adForm:4242")
    expect(page.locator("[data-testid=lead-form-status]")).to_contain_text("Opens “Demo request”")
    clean(page)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#messages")).to_contain_text("Saved")
    ad.refresh_from_db()
    assert ad.cta_kind == CtaKind.LEAD_FORM and ad.lead_form_urn == "urn:li:adForm:4242"


def test_the_preview_follows_typing_and_each_device_is_drawn_as_itself(
    sized: Page, event: Ad, author: User, width: str
) -> None:
    page = sized
    sign_in(page, author)
    page.goto(f"/ads/{event.pk}/conversation/")
    frame = page.frame_locator("iframe[name=conv-preview]")
    expect(frame.locator("[data-testid=bubble]").first).to_be_visible()
    # Typing in the open message redraws the preview with it, unsaved.
    editor = page.locator("#msg-body_rich")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Bring a colleague.")
    expect(frame.locator("[data-testid=bubble]").last).to_contain_text("Bring a colleague.")
    # ... and so does the subject typed in the details above.
    page.locator("#id_subject").fill("Seats are going fast")
    expect(frame.locator("body")).to_contain_text("Seats are going fast")
    expect(page.locator("[data-preview-caption]")).to_contain_text("unsaved edits")
    assert not ConversationMessage.objects.filter(body__contains="Bring a colleague").exists()
    clean(page)

    # Desktop draws the desktop inbox in a desktop box, not inside the phone; the edits come along.
    page.locator("#conv-device").select_option("desktop")
    expect(page.locator(".device.device-desktop iframe[name=conv-preview]")).to_have_attribute(
        "width", "1160"
    )
    expect(page.locator(".device-mobile")).to_have_count(0)
    expect(frame.locator("body.inbox-desktop")).to_have_count(1)
    expect(frame.locator("[data-testid=bubble]").last).to_contain_text("Bring a colleague.")
    clean(page)
    screenshot(page, f"conversation-editor-desktop-preview-{width}", full_page=False)
    page.locator("#conv-device").select_option("mobile")
    expect(page.locator(".device.device-mobile iframe[name=conv-preview]")).to_have_attribute("width", "390")
    expect(frame.locator("body.inbox-mobile")).to_have_count(1)


def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image as PILImage

    out = io.BytesIO()
    PILImage.new("RGB", (width, height), (40, 60, 160)).save(out, "PNG")
    return out.getvalue()


def test_a_conversation_ad_gets_a_banner_uploaded_beside_its_details(
    sized: Page, event: Ad, author: User, width: str
) -> None:
    page = sized
    sign_in(page, author)
    page.goto(f"/ads/{event.pk}/conversation/?device=desktop")
    frame = page.frame_locator("iframe[name=conv-preview]")
    expect(frame.locator(".li-banner-empty")).to_have_count(1)
    # A banner of the wrong size is refused beside the upload, nothing else lost.
    page.locator("#conv-settings-form input[name=banner_file]").set_input_files(
        files=[{"name": "square.png", "mimeType": "image/png", "buffer": _png(200, 200)}]
    )
    expect(page.locator("#banner .errorlist")).to_contain_text("300 × 250")
    wait_for_htmx(page, "#conv-settings-form input[name=banner_file]")
    page.locator("#conv-settings-form input[name=banner_file]").set_input_files(
        files=[{"name": "banner.png", "mimeType": "image/png", "buffer": _png(300, 250)}]
    )
    expect(page.locator("#banner .banner-thumb")).to_be_visible()
    # The desktop preview shows it before it is saved; Save details keeps it.
    expect(frame.locator("img.li-banner")).to_have_count(1)
    expect(page.locator("#conv-settings-form [data-wc-indicator]")).to_be_visible()
    clean(page)
    page.get_by_role("button", name="Save details").click()
    expect(page.locator("#messages")).to_contain_text("Saved as revision 2")
    event.refresh_from_db()
    assert event.banner is not None and (event.banner.width, event.banner.height) == (300, 250)
    assert event.current_revision is not None and event.current_revision.snapshot["banner"]
    expect(page.locator("#banner .banner-thumb")).to_be_visible()


def test_the_last_change_to_the_tree_is_undone_from_the_header(
    sized: Page, event: Ad, author: User, width: str
) -> None:
    page = sized
    sign_in(page, author)
    page.goto(f"/ads/{event.pk}/conversation/")
    expect(page.locator(".conv-node")).to_have_count(4)
    expect(page.locator("[data-undo]")).to_have_count(0)
    page.get_by_role("button", name="Add message").click()
    expect(page.locator(".conv-node")).to_have_count(5)
    undo = page.get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    clean(page)
    page.get_by_role("button", name="Add message").click()
    expect(page.locator(".conv-node")).to_have_count(6)
    undo.click()
    expect(page.locator("#messages")).to_contain_text("Undone: Added message")
    expect(page.locator(".conv-node")).to_have_count(5)
    # Undo again goes one more change back, from the keyboard (Ctrl+Z outside a text field); no
    # revision was written for the adds nor for their undoing.
    page.locator(".conv-node[aria-current=true]").focus()
    page.keyboard.press("Control+z")
    expect(page.locator(".conv-node")).to_have_count(4)
    assert ConversationMessage.objects.filter(conversation__ad=event).count() == 4
    expect(page.locator("[data-undo]")).to_have_count(0)
    assert event.revisions.count() == 1


def test_a_live_check_answered_after_another_message_was_opened_does_not_take_the_diagram_back(
    sized: Page, event: Ad, author: User, width: str
) -> None:
    """Typing, then opening another message at once: the check of the first message's text may answer
    after the other message is on screen (a slow network, a loaded server). Its answer is about a form
    no longer shown, so it must not swap its diagram (the old message marked current) over the new one."""
    page = sized
    sign_in(page, author)
    page.goto(f"/ads/{event.pk}/conversation/")
    opening = page.locator(".conv-node[aria-current=true]").get_attribute("data-label")
    held: list[Any] = []
    page.route("**/conversation/messages/*/check/", lambda route: held.append(route))
    page.locator("#msg-name").fill("Opening, rewritten")
    for _ in range(100):  # the check goes out 250 ms after the typing stops
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the live check never went out"

    node(page, "Agenda").click()
    expect(page.locator("#msg-name")).to_have_value("Agenda")
    # Now the first message's check answers; what must not happen would happen within a frame or two.
    with page.expect_response("**/check/"):
        for route in held:
            route.continue_()
    page.wait_for_timeout(200)
    expect(page.locator(".conv-node[aria-current=true]")).to_have_attribute("data-label", "Agenda")
    expect(node(page, opening)).to_have_class("conv-node conv-node-unsaved")
    clean(page)
