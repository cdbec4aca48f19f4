"""Two people on the same draft, each in their own browser: they see each other, one saves, the other's
save is refused with both versions side by side, and they merge field by field without losing a word."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from inmail_studio.accounts.models import User
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.models import Ad, ConversationMessage

from .conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def second_page(browser: Browser, live_server: Any) -> Iterator[Page]:
    """Another person's browser: a context of its own (its own cookies, its own session)."""
    context = browser.new_context(viewport={"width": 1440, "height": 960}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture(autouse=True)
def _quick_heartbeat(settings: Any) -> None:
    settings.EDIT_PRESENCE_BEAT_SECONDS = 1


def test_two_people_editing_one_draft_see_each_other_and_merge_per_field(
    page: Page, second_page: Page, ad: Ad, author: User, admin_user: User
) -> None:
    alice, ada = page, second_page
    login(alice, author)
    login(ada, admin_user)
    alice.goto(f"/ads/{ad.pk}/")
    ada.goto(f"/ads/{ad.pk}/")
    expect(alice.locator("[data-presence-others]")).to_contain_text("Ada Admin has this draft open too")
    expect(ada.locator("[data-presence-others]")).to_contain_text("Alice Author has this draft open too")

    # Alice changes the subject and saves; Ada, on the page she loaded before, writes a footer.
    alice.fill("#id_subject", "Alice's sharper subject")
    alice.get_by_role("button", name="Save draft").click()
    expect(alice.get_by_text("Saved as revision 2.")).to_be_visible()
    ada.fill("#id_footer", "Ada's legal footer, checked by counsel.")
    ada.get_by_role("button", name="Save draft").click()

    panel = ada.locator("#conflict")
    expect(panel).to_contain_text("Alice Author saved a newer version while you were editing")
    expect(panel.locator("[data-conflict-field=subject]")).to_contain_text("Alice's sharper subject")
    expect(panel.locator("[data-conflict-field=footer]")).to_contain_text("Ada's legal footer")
    # Preset: Alice's subject (only she changed it), Ada's footer (only she did).
    expect(panel.locator("input[name='conflict-pick-subject'][value=theirs]")).to_be_checked()
    expect(panel.locator("input[name='conflict-pick-footer'][value=mine]")).to_be_checked()
    expect(ada.locator("#id_footer")).to_have_value("Ada's legal footer, checked by counsel.")
    screenshot(ada, "edit-conflict-message-ad")

    panel.get_by_role("button", name="Save with these choices").click()
    expect(ada.get_by_text("Saved as revision 3.")).to_be_visible()
    ad.refresh_from_db()
    assert ad.subject == "Alice's sharper subject"
    assert ad.footer == "Ada's legal footer, checked by counsel."

    # Alice's page still stands on revision 2: her next save meets Ada's footer, not a silent overwrite.
    alice.fill("#id_cta_text", "Reserve my seat")
    alice.get_by_role("button", name="Save draft").click()
    expect(alice.locator("#conflict")).to_contain_text("Ada Admin saved a newer version")
    alice.get_by_role("button", name="Save with these choices").click()
    expect(alice.get_by_text("Saved as revision 4.")).to_be_visible()
    ad.refresh_from_db()
    assert (ad.cta_text, ad.footer) == ("Reserve my seat", "Ada's legal footer, checked by counsel.")


def test_two_people_editing_one_conversation_message_merge_and_a_deleted_one_comes_back(
    page: Page, second_page: Page, workspace: Any, author: User, admin_user: User
) -> None:
    ad = cs.conversation_create(
        workspace=workspace, author=author, name="Spring event", template_key="event-invitation"
    )
    first = ConversationMessage.objects.filter(conversation__ad=ad).order_by("position").first()
    assert first is not None
    alice, ada = page, second_page
    login(alice, author)
    login(ada, admin_user)
    alice.goto(f"/ads/{ad.pk}/conversation/?m={first.pk}")
    ada.goto(f"/ads/{ad.pk}/conversation/?m={first.pk}")
    expect(ada.locator("[data-presence-others]")).to_contain_text("Alice Author has this draft open too")

    alice.fill("#msg-name", "Opening, by Alice")
    alice.get_by_role("button", name="Save message").click()
    expect(alice.locator("#conv-head")).to_contain_text("Revision 2")
    ada.fill("#msg-body", "<p>Ada rewrote the opening.</p>")
    ada.get_by_role("button", name="Save message").click()

    panel = ada.locator("#conflict")
    expect(panel).to_contain_text("Alice Author saved a newer version")
    expect(ada.locator("#msg-body")).to_have_value("<p>Ada rewrote the opening.</p>")
    screenshot(ada, "edit-conflict-conversation-message")
    panel.get_by_role("button", name="Save with these choices").click()
    expect(ada.locator("#conv-head")).to_contain_text("Revision 3")
    first.refresh_from_db()
    assert (first.name, first.body) == ("Opening, by Alice", "<p>Ada rewrote the opening.</p>")

    # Alice deletes another message while Ada is rewriting it: Ada's text comes back with "Add it again".
    other = (
        ConversationMessage.objects.filter(conversation__ad=ad)
        .exclude(pk=first.pk)
        .order_by("-position")
        .first()
    )
    assert other is not None
    ada.goto(f"/ads/{ad.pk}/conversation/?m={other.pk}")
    ada.fill("#msg-body", "<p>Ada's closing words.</p>")
    cs.message_delete(ad_id=ad.pk, editor=author, message_id=other.pk)
    ada.get_by_role("button", name="Save message").click()
    readd = ada.locator("[data-testid=readd]")
    expect(readd).to_contain_text(f"Alice Author deleted “{other.name}”")
    expect(readd.locator("#readd-body")).to_have_value("<p>Ada's closing words.</p>")
    readd.get_by_role("button", name="Add it again as a new message").click()
    expect(ada.locator("#msg-body")).to_have_value("<p>Ada's closing words.</p>")
    again = ConversationMessage.objects.get(conversation__ad=ad, name=other.name)
    assert again.pk != other.pk and again.body == "<p>Ada's closing words.</p>"
