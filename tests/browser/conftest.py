"""Playwright in Debian's chromium against a live server (pytest-django's `live_server`).

Every test here is marked `browser`. With INMAIL_SCREENSHOTS=1 in the environment, the journeys'
screenshots land in `test-artifacts/` so a person can look at what a journey looked like. They are
artifacts for people, not checks (no assertion reads them), and each full-page PNG is work for
chromium, so by default they are not taken.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# beside it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from inmail_studio.accounts.models import User
from tests.conftest import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
# Screenshots only when a person asks for them (see the module's docstring).
SCREENSHOTS = os.environ.get("INMAIL_SCREENSHOTS", "") not in ("", "0")
# The two widths every journey is walked at: a desktop and a phone (390 px).
WIDTHS = {"desktop": (1440, 960), "phone": (390, 844)}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


# Chromium 156 builds the omnibox's popups as WebUI pages (chrome://omnibox-popup.top-chrome/), with a
# renderer of their own for every window, headless too, where nobody can open them: about 6% of the
# CPU of the whole suite's processes, measured. They are the browser's own UI, not the pages tested.
NO_OMNIBOX_POPUPS = ["WebUIOmniboxPopup", "WebUIOmniboxFullPopup", "WebUIOmniboxAimPopup"]


def _default_disabled_features(playwright: Playwright) -> str:
    """The --disable-features switch Playwright passes. Chromium reads only the last one of a repeated
    switch, so adding ours would undo Playwright's (beforeunload, paint holding, ...): it is replaced
    by one that lists both. Read from the command line of a probe launch, whatever Playwright's version."""
    marker = f"--inmail-probe={uuid.uuid4().hex}"  # an unknown switch, which chromium ignores
    probe = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, marker])
    try:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                argv = Path(f"/proc/{pid}/cmdline").read_text().split("\0")
            except OSError:
                continue
            if marker in argv:
                return next(arg for arg in argv if arg.startswith("--disable-features="))
    finally:
        probe.close()
    raise RuntimeError("the probe chromium's command line was not found")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        defaults = _default_disabled_features(playwright)
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, ",".join([defaults, *NO_OMNIBOX_POPUPS])],
            ignore_default_args=[defaults],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 960}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    # A CSP violation or an uncaught script error is a bug even when the journey passed.
    assert errors == [], errors


def login(page: Page, user: User) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    # Authors and admins land on Drafts, approvers on their review queue.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Where the screenshot `name` goes; taken only with INMAIL_SCREENSHOTS=1."""
    path = ARTIFACTS / f"{name}.png"
    if not SCREENSHOTS:
        return path
    ARTIFACTS.mkdir(exist_ok=True)
    # caret="initial": hiding the caret injects a <style>, which the preview frame's CSP refuses.
    page.screenshot(path=str(path), full_page=full_page, caret="initial")
    return path


def fill_rich_html(page: Page, textarea_id: str, html: str) -> None:
    """Type HTML into a rich-text body (ads/_rich_text.html) through its HTML source view, as a person
    pasting markup would; the rich editor is one click away again."""
    textarea = page.locator(f"#{textarea_id}")
    # Wait for the rich editor to take the textarea's place (app.js, on load and after each swap):
    # looked at before that, the textarea is still showing and would be hidden under the typing.
    expect(page.locator(f"[data-rte]:has(#{textarea_id})")).to_have_attribute("data-rte-ready", "1")
    if textarea.is_hidden():
        page.locator(f"[data-rte]:has(#{textarea_id}) button[data-toggle-source]").click()
    textarea.fill(html)


def wait_for_htmx(page: Page, selector: str) -> None:
    """Wait until htmx has taken up the element `selector` names (its triggers listening). htmx wires a
    swapped-in element only after the swap settles (20 ms): a test acting at once, faster than any
    person, would fire an event nothing listens to yet."""
    page.wait_for_function(
        "s => { const e = document.querySelector(s); return !!(e && e['htmx-internal-data'] && e['htmx-internal-data'].initHash); }",
        arg=selector,
    )


@pytest.fixture(params=list(WIDTHS))
def width(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def watched(browser: Browser, live_server: Any, width: str) -> Iterator[tuple[Page, list[str]]]:
    """A page at one of the two widths, axe loaded, script errors collected (none allowed), and the
    dialogs it raised (a leave guard's beforeunload) recorded and dismissed."""
    from .a11y import add_axe

    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    add_axe(context)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, dialogs
    context.close()
    assert errors == [], errors
