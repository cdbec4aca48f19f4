"""Hardening (issue 11, item 10): the sandbox's test inbox needs the right sign-in, uploaded media
is served only against a signed and expiring URL, a large upload is refused before it is read
whole, and responses say how they may be cached."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from inmail_studio import private_media
from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import snapshots
from inmail_studio.ads.models import Ad, Image, Sender
from inmail_studio.linkedin.models import LinkedInConnection
from inmail_studio.review import services as review_services
from inmail_studio.sandbox.models import InboxMessage, Member
from tests.conftest import client_for, make_user
from tests.test_banner import picture

# ---------------------------------------------------------------- the sandbox's test inbox


@pytest.fixture
def inboxes(workspace: Workspace, admin_user: User) -> dict[str, Any]:
    ada = Member.objects.create(slug="ada-admin", first_name="Ada", last_name="Admin")
    maya = Member.objects.create(slug="maya-marketer", first_name="Maya", last_name="Marketer")
    LinkedInConnection.objects.create(
        workspace=workspace,
        member_urn=ada.urn,
        member_name=ada.name,
        access_token_ciphertext="not-a-real-token",
        expires_at=timezone.now() + timedelta(days=60),
        connected_by=admin_user,
    )
    snapshot = {"kind": "message", "subject": "Secret launch plan", "body": "<p>Q4 pricing</p>"}
    return {
        "ada": ada,
        "maya": maya,
        "ada_message": InboxMessage.objects.create(
            recipient=ada,
            content_urn="urn:li:adInMailContent:1",
            campaign_urn="c",
            creative_urn="x",
            snapshot=snapshot,
        ),
        "maya_message": InboxMessage.objects.create(
            recipient=maya,
            content_urn="urn:li:adInMailContent:2",
            campaign_urn="c",
            creative_urn="y",
            snapshot=snapshot,
        ),
    }


def _inbox_urls(member: Member, message: InboxMessage) -> list[str]:
    return [
        reverse("sandbox:inbox", args=[member.slug]),
        reverse("sandbox:inbox_message", args=[member.slug, message.pk]),
        reverse("sandbox:inbox_frame", args=[member.slug, message.pk]),
    ]


def test_the_test_inbox_asks_for_sign_in(inboxes: dict[str, Any]) -> None:
    for url in [reverse("sandbox:inbox_members"), *_inbox_urls(inboxes["ada"], inboxes["ada_message"])]:
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("persona", ["author", "viewer", "admin_user"])
def test_a_member_of_the_connected_workspace_reads_the_connected_members_inbox(
    persona: str, inboxes: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(persona))
    for url in _inbox_urls(inboxes["ada"], inboxes["ada_message"]):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Secret launch plan" in response.content.decode()
    listing = client.get(reverse("sandbox:inbox_members")).content.decode()
    assert "Ada Admin" in listing and "Maya Marketer" not in listing


def test_nobody_else_reads_a_test_inbox(inboxes: dict[str, Any], author: User, outsider: User) -> None:
    for user in (author, outsider):
        client = client_for(user)
        for member, message in [(inboxes["maya"], inboxes["maya_message"])] + (
            [(inboxes["ada"], inboxes["ada_message"])] if user is outsider else []
        ):
            for url in _inbox_urls(member, message):
                assert client.get(url).status_code == 404, (user, url)
    assert "Ada Admin" not in client_for(outsider).get(reverse("sandbox:inbox_members")).content.decode()


def test_staff_read_every_test_inbox(inboxes: dict[str, Any]) -> None:
    client = client_for(make_user("root", is_staff=True))
    for member, message in [
        (inboxes["ada"], inboxes["ada_message"]),
        (inboxes["maya"], inboxes["maya_message"]),
    ]:
        for url in _inbox_urls(member, message):
            assert client.get(url).status_code == 200, url


# ---------------------------------------------------------------- private media


@pytest.fixture
def banner(workspace: Workspace, author: User) -> Image:
    from inmail_studio.ads import services

    upload = SimpleUploadedFile("b.png", picture("PNG"), content_type="image/png")
    return services.banner_upload(workspace=workspace, uploader=author, upload=upload)


def _signed(url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_an_upload_is_served_only_against_its_signed_url(banner: Image) -> None:
    url = banner.file.url
    path, query = _signed(url)
    assert Client().get(url).status_code == 200
    assert Client().get(path).status_code == 404  # the plain, guessable name
    assert Client().get(path, {**query, "s": query["s"][:-2] + "xx"}).status_code == 404
    assert Client().get(path, {**query, "e": str(int(query["e"]) + 600)}).status_code == 404


def test_a_signature_opens_one_file_only(banner: Image, sender: Sender) -> None:
    sender.photo.save("dana.png", ContentFile(picture("PNG")))
    _, query = _signed(banner.file.url)
    photo_path, _ = _signed(sender.photo.url)
    assert Client().get(photo_path, query).status_code == 404
    assert (
        Client().get(_signed(sender.photo.url)[0].replace("dana.png", "../../etc/passwd"), query).status_code
        == 404
    )


def test_an_expired_url_says_to_reload_the_page(banner: Image, settings: Any) -> None:
    settings.MEDIA_URL_TTL = -2 * private_media.STEP  # URLs made now are already past their expiry
    response = Client().get(banner.file.url)
    assert response.status_code == 403
    assert "Reload the page" in response.content.decode()


def test_a_url_stays_the_same_for_a_while_so_browsers_can_cache_it(banner: Image) -> None:
    assert banner.file.url == banner.file.url
    _, query = _signed(banner.file.url)
    assert int(query["e"]) - time.time() >= 3600 - 5


def test_snapshots_keep_a_stable_reference_and_pages_get_a_fresh_signed_url(
    banner: Image, sender: Sender, ad: Ad, author: User
) -> None:
    sender.photo.save("dana.png", ContentFile(picture("PNG")))
    snapshot = snapshots.build(name="x", sender=sender, banner=banner)
    assert snapshot["banner"]["url"] == "/media/" + banner.file.name
    assert snapshot["sender"]["photo"] == "/media/" + sender.photo.name
    Ad.objects.filter(pk=ad.pk).update(banner=banner)
    from inmail_studio.ads import services

    services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Signed media, stable revisions"})
    ad.refresh_from_db()
    review = client_for(author).get(reverse("review:detail", args=[ad.pk])).content.decode()
    assert escape(escape(banner.file.url)) in review  # inside the frame's srcdoc
    assert escape(escape(sender.photo.url)) in review


def test_a_share_link_holder_sees_the_banner_and_photo(
    banner: Image, sender: Sender, ad: Ad, author: User
) -> None:
    from inmail_studio.ads import services

    sender.photo.save("dana.png", ContentFile(picture("PNG")))
    services.ad_update(ad_id=ad.pk, editor=author, fields={"banner": banner})
    shared = review_services.share_link_create(ad_id=ad.pk, creator=author, recipient="Legal")
    page = Client().get(reverse("review:shared", args=[shared.token])).content.decode()
    assert escape(escape(banner.file.url)) in page
    assert Client().get(banner.file.url).status_code == 200
    assert Client().get(sender.photo.url).status_code == 200


# ---------------------------------------------------------------- uploads refused by size


def _banner_upload(user: User, data: bytes) -> Any:
    return client_for(user).post(
        reverse("ads:banner"),
        {"banner_file": SimpleUploadedFile("big.png", data, content_type="image/png")},
        headers={"HX-Request": "true", "HX-Target": "banner"},
    )


def test_a_banner_over_the_limit_is_refused_next_to_the_field_and_never_kept_whole(
    author: User, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

    passed_on: dict[str, int] = {}
    for handler in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        original = handler.receive_data_chunk

        def counting(self: Any, raw_data: bytes, start: int, original: Any = original) -> Any:
            passed_on[type(self).__name__] = passed_on.get(type(self).__name__, 0) + len(raw_data)
            return original(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", counting)
    data = picture("PNG") + b"\0" * (settings.MAX_UPLOAD_BYTES + 3 * 1024 * 1024)
    response = _banner_upload(author, data)
    assert response.status_code == 422
    assert "LinkedIn allows 2 MB" in response.content.decode()
    # Django's own handlers (which keep what they get, in memory or a temporary file) got 2 MB at most.
    assert passed_on and max(passed_on.values()) <= settings.MAX_UPLOAD_BYTES
    assert not Image.objects.exists()


def test_a_request_over_the_size_limit_is_refused_before_it_is_read(author: User) -> None:
    """The declared length alone decides: the body here is a few bytes, and reading more would fail."""
    client = client_for(author)
    huge = str(64 * 1024 * 1024)
    page = client.generic(
        "POST",
        reverse("ads:banner"),
        b"tiny",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=huge,
    )
    assert page.status_code == 413
    assert "64.0 MB" in page.content.decode()
    fragment = client.generic(
        "POST",
        reverse("ads:banner"),
        b"tiny",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=huge,
        HTTP_HX_REQUEST="true",
    )
    assert fragment.status_code == 413
    assert fragment["HX-Retarget"] == "#messages"
    assert "64.0 MB" in fragment.content.decode()


def test_a_non_form_upload_over_the_limit_gets_a_413(db: None) -> None:
    response = Client().generic(
        "PUT",
        "/sandbox/linkedin/upload/images/anything",
        b"x",
        content_type="application/octet-stream",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )
    assert response.status_code == 413


# ---------------------------------------------------------------- caching


def test_signed_in_pages_are_private_and_vary_on_htmx(ad: Ad, author: User) -> None:
    client = client_for(author)
    page = client.get(reverse("ads:edit", args=[ad.pk]))
    assert page["Cache-Control"].startswith("private")
    assert "HX-Request" in page["Vary"]
    partial = client.get(reverse("ads:list"), headers={"HX-Request": "true", "HX-Target": "results"})
    assert "HX-Request" in partial["Vary"] and partial["Cache-Control"].startswith("private")


def test_the_share_page_listing_link_tokens_is_never_stored(ad: Ad, author: User) -> None:
    response = client_for(author).get(reverse("review:share", args=[ad.pk]))
    assert response["Cache-Control"] == "private, no-store"


def test_what_anyone_may_fetch_is_not_marked_private(db: None) -> None:
    # Health answers are never stored (they change), but nothing in them is private to anyone.
    assert "private" not in Client().get(reverse("healthz")).get("Cache-Control", "")
    assert "HX-Request" in Client().get(reverse("accounts:login"))["Vary"]
