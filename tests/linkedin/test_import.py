"""Import from LinkedIn, and the banner step of a sync, against the sandbox over HTTP.

Existing inMailContents of the account (found through its creatives, since inMailContents has
no finder) become drafts that remember, read-only, where they came from.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import Ad, State
from inmail_studio.linkedin.models import AdLinkedIn, LinkedInConnection, SyncAttempt
from inmail_studio.sandbox import models as sandbox
from inmail_studio.sandbox import services as sandbox_services
from inmail_studio.sandbox.seed import DEMO_ORGANIZATION
from tests.conftest import client_for
from tests.sandbox.conftest import message_ad

from .conftest import ACCOUNT, WEBINAR

MakeAd = Callable[..., Ad]


def _on_linkedin(subject: str, *, status: str = "ACTIVE", **overrides: Any) -> tuple[str, str]:
    """A message ad someone made in Campaign Manager: its content and a creative using it."""
    account = sandbox.AdAccount.objects.get(pk=int(ACCOUNT.rsplit(":", 1)[-1]))
    ada = sandbox.Member.objects.get(slug="ada-admin")
    content = sandbox_services.inmail_content_create(
        account=account,
        member=ada,
        data=message_ad(subject=subject, name=f"LinkedIn: {subject}", **overrides),
    )
    campaign = sandbox.Campaign.objects.get(account=account, name=WEBINAR)
    creative = sandbox_services.creative_create(
        account=account,
        member=ada,
        data={"campaign": campaign.urn, "content": {"reference": content.urn}, "intendedStatus": status},
    )
    return content.urn, creative.urn


def test_import_turns_the_accounts_message_ads_into_drafts_that_remember_their_origin(
    connected: LinkedInConnection, admin_user: User, author: User, workspace: Workspace
) -> None:
    content_urn, creative_urn = _on_linkedin("Your Q4 close, faster")
    page = client_for(admin_user).post("/linkedin/import/", follow=True)
    assert "Imported 1 message ads from LinkedIn as drafts." in html.unescape(page.content.decode())

    ad = Ad.objects.get(workspace=workspace, subject="Your Q4 close, faster")
    assert ad.state == State.DRAFT and ad.name == "LinkedIn: Your Q4 close, faster"
    assert ad.sender is not None and ad.sender.urn == "urn:li:person:dana-whitfield"
    assert ad.cta_text == "Save my seat" and ad.landing_page_url == "https://example.com/webinar"
    link = AdLinkedIn.objects.get(ad=ad)
    assert link.origin_urn == content_urn and link.origin["creative"] == creative_urn
    assert link.origin["status"] == "ACTIVE" and link.origin["imported_by"] == admin_user.display_name
    # A new draft: syncing it later creates new content; the original on LinkedIn is never touched.
    assert link.content_urn == "" and link.creative_urn == ""

    editor = html.unescape(client_for(author).get(f"/ads/{ad.pk}/").content.decode())
    assert f"Imported from LinkedIn: {content_urn}" in editor.replace("<code>", "").replace("</code>", "")


def test_the_origin_stays_as_imported_when_the_draft_is_edited_and_synced(
    connected: LinkedInConnection,
    admin_user: User,
    author: User,
    approver: User,
    workspace: Workspace,
    webinar: str,
) -> None:
    from .conftest import approve_ad

    content_urn, _ = _on_linkedin("Imported, then improved")
    client_for(admin_user).post("/linkedin/import/")
    ad = Ad.objects.get(workspace=workspace, subject="Imported, then improved")
    origin = AdLinkedIn.objects.get(ad=ad).origin
    ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Improved here"})
    AdLinkedIn.objects.filter(ad=ad).update(campaign_urn=webinar)
    approve_ad(ad, author=author, approver=approver)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    link = AdLinkedIn.objects.get(ad=ad)
    assert link.origin_urn == content_urn and link.origin == origin
    assert link.content_urn != content_urn  # a new content; the imported one is left as it was
    assert sandbox.InMailContent.objects.get(pk=content_urn.rsplit(":", 1)[-1]).data["subject"] == (
        "Imported, then improved"
    )


def test_importing_again_brings_only_what_is_new(
    connected: LinkedInConnection, admin_user: User, workspace: Workspace
) -> None:
    _on_linkedin("First one")
    client = client_for(admin_user)
    client.post("/linkedin/import/")
    again = client.post("/linkedin/import/", follow=True)
    assert "Nothing new to import" in html.unescape(again.content.decode())
    _on_linkedin("Second one", status="DRAFT")
    client.post("/linkedin/import/")
    assert sorted(Ad.objects.filter(workspace=workspace).values_list("subject", flat=True)) == [
        "First one",
        "Second one",
    ]


def test_ads_synced_from_here_are_not_imported_back(
    make_synced_ready_ad: MakeAd, admin_user: User, workspace: Workspace
) -> None:
    make_synced_ready_ad()
    before = Ad.objects.filter(workspace=workspace).count()
    client_for(admin_user).post("/linkedin/import/")
    assert Ad.objects.filter(workspace=workspace).count() == before


def _banner(workspace: Workspace, uploader: User) -> Any:
    out = io.BytesIO()
    PILImage.new("RGB", (300, 250), (10, 120, 200)).save(out, "PNG")
    upload = SimpleUploadedFile("spring.png", out.getvalue(), content_type="image/png")
    return ad_services.banner_upload(workspace=workspace, uploader=uploader, upload=upload)


def test_a_banner_is_uploaded_first_and_its_urn_is_the_right_rail_picture(
    make_synced_ready_ad: MakeAd, author: User, workspace: Workspace
) -> None:
    banner = _banner(workspace, author)
    ad = make_synced_ready_ad(banner=banner)
    assert ad.state == State.SYNCED
    link = AdLinkedIn.objects.get(ad=ad)
    assert link.image_urn.startswith("urn:li:image:")
    image = sandbox.Image.objects.get(key=link.image_urn.removeprefix("urn:li:image:"))
    # The documented form: the account's organization owns the image, the account is its library.
    assert image.status == sandbox.Image.Status.AVAILABLE
    assert (image.owner, image.associated_account) == (DEMO_ORGANIZATION, ACCOUNT)
    with banner.file.open("rb") as handle:
        assert bytes(image.content) == handle.read()
    content = sandbox.InMailContent.objects.get(pk=link.content_urn.rsplit(":", 1)[-1])
    assert content.data["subContent"]["regular"]["rightRailAdPicture"] == link.image_urn
    calls = [(c.step, c.method, c.resource) for c in SyncAttempt.objects.get(ad=ad).calls.all() if c.method]
    assert calls[:4] == [
        ("banner", "GET", f"adAccounts/{ACCOUNT.rsplit(':', 1)[-1]}"),
        ("banner", "POST", "images"),
        ("banner", "PUT", "upload"),
        ("content", "POST", "inMailContents"),
    ]


def test_a_banner_already_on_linkedin_is_not_uploaded_again(
    make_synced_ready_ad: MakeAd, author: User, approver: User, workspace: Workspace
) -> None:
    from .conftest import approve_ad

    banner = _banner(workspace, author)
    ad = make_synced_ready_ad(banner=banner)
    images = sandbox.Image.objects.count()
    ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Same banner, new subject"})
    approve_ad(ad, author=author, approver=approver)
    ad.refresh_from_db()
    assert ad.state == State.SYNCED
    assert sandbox.Image.objects.count() == images
    latest = SyncAttempt.objects.filter(ad=ad).first()
    assert latest is not None and not latest.calls.filter(step="banner").exists()
