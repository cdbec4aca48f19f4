"""Every page of the product, as each person reaches it, at desktop (1440 px) and phone (390 px) width.

One world is built through the real services (a connected workspace, drafts in every stage, a
conversation ad, a variant set, a live ad with a test message in the sandbox inbox, a sign-off
link), then each person's pages are opened in one browser context per width. On each page: nothing
is wider than the window, and axe-core finds no violation of WCAG 2.2 A/AA or its best practices,
whatever the impact. Failures are collected and reported together, page by page.

One test per person, so that xdist spreads the sweep over its workers (it was one test of two
minutes on one worker); each builds the same world.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Browser, BrowserContext, Page

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import demo
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.conversation import services as conversation_services
from inmail_studio.ads.models import Ad, Sender, State
from inmail_studio.guidance import services as guidance_services
from inmail_studio.guidance.models import Variant
from inmail_studio.linkedin import services as linkedin_services
from inmail_studio.linkedin.models import AdLinkedIn
from inmail_studio.review import services as review_services
from inmail_studio.review.models import ShareKind
from inmail_studio.sandbox import models as sandbox
from inmail_studio.sandbox.seed import seed
from inmail_studio.studio.workspace import services as workspace_services
from tests.conftest import GOOD_AD, PASSWORD
from tests.linkedin.conftest import WEBINAR, connect

from .a11y import add_axe, overflow, run_axe, wait_until_quiet, widest
from .conftest import ARTIFACTS, WIDTHS

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = ["marketer", "manager", "admin", "stakeholder"]
SCREENS = "/work/screens/frontend"


@dataclass
class World:
    pages: dict[str, list[str]] = field(default_factory=dict)  # person -> paths
    users: dict[str, User] = field(default_factory=dict)
    share_path: str = ""


def build_world(
    settings: Any, live_url: str, workspace: Workspace, author: User, approver: User, admin: User
) -> World:
    seed()
    settings.LINKEDIN_API_BASE_URL = f"{live_url}/sandbox/linkedin/rest"
    settings.LINKEDIN_USERINFO_URL = f"{live_url}/sandbox/linkedin/v2/userinfo"
    settings.LINKEDIN_OAUTH_BASE_URL = f"{live_url}/sandbox/linkedin/oauth/v2"
    settings.LINKEDIN_SANDBOX_FAULTS = ""
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    connect(workspace, admin)
    dana = Sender.objects.get(workspace=workspace, urn="urn:li:person:dana-whitfield")
    if not dana.photo:
        dana.photo.save("dana.png", ContentFile(demo.portrait_png("DW", (59, 70, 196))))
    webinar = str(workspace.linkedin_campaigns.get(name=WEBINAR).urn)

    def make(**fields: Any) -> Ad:
        return ad_services.ad_create(
            workspace=workspace, author=author, fields={**GOOD_AD, "sender": dana, **fields}
        )

    # A draft with history (two revisions) and a variant set started from it.
    draft = make(name="Q4 webinar invite")
    ad_services.ad_update(ad_id=draft.pk, editor=author, fields={"subject": "%FIRSTNAME%, join us?"})
    variant = guidance_services.variant_create(ad_id=draft.pk, author=author, subject="A seat for you?")
    variant_set = Variant.objects.get(ad=variant).variant_set_id

    # One in review, with a sign-off link for legal.
    in_review = make(name="Demo request — IT directors")
    review_services.submit(ad_id=in_review.pk, actor=author)
    link = review_services.share_link_create(
        ad_id=in_review.pk, creator=author, recipient="Legal — Maria Chen", kind=ShareKind.SIGNOFF
    )

    # One synced, tested in the sandbox inbox, and launched.
    live = make(name="Research report — FP&A 2027")
    AdLinkedIn.objects.create(ad=live, campaign_urn=webinar)
    review_services.submit(ad_id=live.pk, actor=author)
    live.refresh_from_db()
    review_services.approve(
        ad_id=live.pk,
        approver=approver,
        revision_hash=live.current_revision.content_hash,  # type: ignore[union-attr]
    )
    live.refresh_from_db()
    assert live.state == State.SYNCED, live.state
    linkedin_services.test_send_request(ad_id=live.pk, user=author)
    linkedin_services.launch(ad_id=live.pk, approver=approver)
    message = sandbox.InboxMessage.objects.get()

    conversation = conversation_services.conversation_create(
        workspace=workspace, author=author, name="Spring event invite", template_key="event-invitation"
    )
    first_message = conversation.conversation.messages.order_by("position").first()  # type: ignore[attr-defined]
    assert first_message is not None
    # A conversation with a lead gen form node: its form picks from the account's forms on LinkedIn.
    qualify = conversation_services.conversation_create(
        workspace=workspace, author=author, name="Expert call", template_key="qualify-by-role"
    )
    form_node = qualify.conversation.messages.get(kind="form")  # type: ignore[attr-defined]

    common = [
        "/ads/",
        f"/ads/{draft.pk}/",
        f"/ads/{in_review.pk}/",
        f"/ads/{live.pk}/",
        f"/ads/{conversation.pk}/conversation/",
        f"/ads/{conversation.pk}/conversation/paths/",
        f"/review/ads/{in_review.pk}/",
        f"/review/ads/{in_review.pk}/timeline/",
        f"/review/ads/{in_review.pk}/share/",
        "/review/notifications/",
        "/linkedin/",
        "/ads/senders/",
        "/accounts/settings/",
    ]
    world = World(users={"marketer": author, "manager": approver, "admin": admin})
    world.pages["marketer"] = [
        *common,
        "/ads/new/",
        f"/ads/{draft.pk}/history/",
        f"/ads/{draft.pk}/compare/",
        "/ads/personas/",
        "/ads/conversation/new/",
        f"/ads/{conversation.pk}/conversation/changes/",
        f"/ads/{qualify.pk}/conversation/?m={form_node.pk}",
        f"/ads/{conversation.pk}/conversation/messages/{first_message.pk}/delete/",
        "/review/mine/",
        f"/linkedin/ads/{live.pk}/ledger/",
        f"/linkedin/ads/{live.pk}/payload/",
        f"/guidance/ads/{draft.pk}/forecast/",
        f"/guidance/ads/{draft.pk}/variants/new/",
        f"/guidance/variants/{variant_set}/",
        f"/guidance/ads/{live.pk}/results/",
        "/guidance/assumptions/",
        "/ads/999999/",  # the product's own 404
    ]
    world.pages["manager"] = [*common, "/review/"]
    world.pages["admin"] = [
        *common,
        "/linkedin/account/",
        "/linkedin/readiness/",
        "/sandbox/linkedin/",
        "/sandbox/linkedin/console/",
        "/sandbox/linkedin/inbox/",
        "/sandbox/linkedin/inbox/ada-admin/",
        f"/sandbox/linkedin/inbox/ada-admin/{message.pk}/",
        "consent",  # the sandbox's OAuth consent page, reached through "Reconnect LinkedIn"
    ]
    # The workspace admin's pages, with an invitation waiting and the form to accept it.
    invited = workspace_services.invitation_create(
        workspace_id=workspace.pk, admin=admin, email="new.hire@example.org", role="approver"
    )
    author_membership = author.memberships.get(workspace=workspace)
    world.pages["admin"] += [
        "/workspace/",
        "/workspace/members/",
        f"/workspace/members/{author_membership.pk}/remove/",
        "/workspace/senders/",
        f"/workspace/senders/{dana.pk}/",
        "/workspace/audit/",
        f"/workspace/audit/?person={author.pk}",
    ]
    world.share_path = f"/review/s/{link.token}/"
    world.pages["stakeholder"] = [
        world.share_path,
        "/review/s/not-a-real-link/",
        "/accounts/login/",
        urlsplit(invited.link).path,
        "/workspace/join/not-a-real-invitation/",
    ]
    return world


@pytest.fixture
def world(
    live_server: Any,
    settings: Any,
    workspace: Workspace,
    author: User,
    approver: User,
    admin_user: User,
) -> World:
    return build_world(settings, live_server.url, workspace, author, approver, admin_user)


def _context(browser: Browser, live_url: str, width: str) -> BrowserContext:
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, base_url=live_url)
    context.set_default_timeout(10_000)
    add_axe(context)
    return context


def _sign_in(page: Page, user: User) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    # Authors and admins land on Drafts, approvers on their review queue.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _open(page: Page, path: str) -> None:
    if path == "consent":
        page.goto("/linkedin/")
        page.get_by_role("button", name="Reconnect LinkedIn").click()
        page.wait_for_url("**/oauth/v2/authorization**")
    else:
        page.goto(path)
    # A page whose sync panel polls every second may never be quiet on a busy machine: give its first
    # requests a moment to land, then look at it as it is.
    wait_until_quiet(page)


@pytest.fixture
def contexts(browser: Browser, live_server: Any) -> Iterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for context in made:
        context.close()


@pytest.mark.parametrize("person", PEOPLE)
def test_every_page_fits_a_phone_and_a_desktop_and_axe_finds_nothing(
    person: str, browser: Browser, live_server: Any, world: World, contexts: list[BrowserContext]
) -> None:
    assert set(world.pages) == set(PEOPLE)
    problems: dict[str, list[Any]] = {}
    for width in WIDTHS:
        context = _context(browser, live_server.url, width)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.on(
            "console",
            lambda m, errors=errors: (
                errors.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None
            ),
        )
        if person in world.users:
            _sign_in(page, world.users[person])
        for path in world.pages[person]:
            _open(page, path)
            key = f"{width} {person} {path}"
            extra = overflow(page)
            if extra > 0:
                problems.setdefault(key, []).append({"overflow": extra, "widest": widest(page)})
            violations = run_axe(page)
            if violations:
                problems.setdefault(key, []).extend(violations)
            if errors:
                problems.setdefault(key, []).append({"errors": list(errors)})
                errors.clear()
        context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"every-page-{person}.json").write_text(json.dumps(problems, indent=1))
    report = "\n".join(f"{key}:\n  " + "\n  ".join(map(str, found)) for key, found in problems.items())
    assert not problems, f"{len(problems)} pages with problems:\n{report}"
