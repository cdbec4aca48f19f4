"""The review journey in a real browser: submit, request changes on a field, fix, resubmit, approve."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.review.models import AuditEvent

from .conftest import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in_as(page: Page, user: User) -> None:
    page.context.clear_cookies()
    login(page, user)


def test_author_and_manager_take_a_draft_through_changes_to_approval(
    page: Page, ad: Ad, author: User, approver: User
) -> None:
    # The author submits the draft from the editor.
    sign_in_as(page, author)
    page.goto(f"/ads/{ad.pk}/")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message").filter(has_text="is in review")).to_be_visible()
    expect(page.get_by_role("button", name="Withdraw")).to_be_visible()
    screenshot(page, "review-1-submitted")

    # The manager sees it in the queue, with the count in the navigation and the bell ringing.
    sign_in_as(page, approver)
    expect(page.locator(".mainnav").get_by_role("link", name="Review 1")).to_be_visible()
    expect(page.locator("#bell .bell-count")).to_have_text("1")
    page.locator(".mainnav").get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name="Waiting for you")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=ad.name)
    expect(row).to_contain_text("Alice Author")
    expect(row).to_contain_text("Dana Whitfield")
    screenshot(page, "review-2-queue")

    # ... opens the review page: the preview, "first submission", and asks for a change on the subject.
    row.get_by_role("link", name=ad.name).click()
    expect(page.get_by_role("heading", name="First submission")).to_be_visible()
    expect(page.locator("iframe.preview-frame")).to_be_visible()
    subject_row = page.locator('tr[data-field="subject"]')
    subject_row.get_by_text("Comment on this field").click()
    subject_row.get_by_label("Comment on Subject").fill("Drop the question: lead with the date instead.")
    screenshot(page, "review-3-requesting-changes")
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("Changes requested on")).to_be_visible()

    # The author opens the draft again and finds the comment beside the subject field.
    sign_in_as(page, author)
    expect(page.locator(".mainnav").get_by_role("link", name="My drafts 1")).to_be_visible()
    page.goto(f"/ads/{ad.pk}/")
    comment = page.locator('#field-subject + [data-field-comments="subject"]')
    expect(comment).to_contain_text("lead with the date instead")
    expect(comment).to_contain_text("Bob Approver")
    screenshot(page, "review-4-comment-beside-field")

    # ... fixes the subject, saves, and resubmits.
    page.locator("#id_subject").fill("%FIRSTNAME%, 12 December: our Q4 webinar")
    page.locator("[data-save]").click()
    expect(page.locator(".message").filter(has_text="Saved as revision 2")).to_be_visible()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".message").filter(has_text="is in review")).to_be_visible()

    # The manager sees what changed since the revision sent back, and approves r2.
    sign_in_as(page, approver)
    page.goto(f"/review/ads/{ad.pk}/")
    expect(page.get_by_text("Changes since r1, where changes were requested")).to_be_visible()
    subject_diff = page.locator('tr[data-field="subject"]')
    expect(subject_diff.locator("ins").first).to_contain_text("12 December")
    expect(subject_diff.locator("del").first).to_be_visible()
    screenshot(page, "review-5-diff")
    page.get_by_role("button", name="Approve r2").click()
    expect(page.get_by_text("Approved “")).to_be_visible()

    ad.refresh_from_db()
    assert ad.state == State.APPROVED
    assert ad.current_revision is not None and ad.current_revision.number == 2
    page.goto(f"/review/ads/{ad.pk}/timeline/")
    expect(page.locator(".timeline-entry").first).to_contain_text("Bob Approver approved")
    screenshot(page, "review-6-timeline")
    assert list(AuditEvent.objects.filter(ad=ad).order_by("pk").values_list("action", flat=True)) == [
        "submitted",
        "changes_requested",
        "edited",
        "submitted",
        "approved",
    ]
