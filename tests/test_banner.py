"""Banners: 300 × 250 JPG or PNG up to 2 MB, checked on upload with a message that says what is wrong."""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from PIL import Image as PILImage

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, Image, Sender

from .conftest import GOOD_AD, client_for

pytestmark = pytest.mark.django_db


def picture(fmt: str = "PNG", size: tuple[int, int] = (300, 250), *, noise: bool = False) -> bytes:
    image = PILImage.new("RGB", size, (30, 90, 200))
    if noise:  # random pixels do not compress, so the file is as large as its pixels
        image = PILImage.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _post(user: User, file: SimpleUploadedFile) -> Any:
    return client_for(user).post(
        reverse("ads:banner"), {"banner_file": file}, headers={"HX-Request": "true", "HX-Target": "banner"}
    )


@pytest.mark.parametrize("fmt,name,stored", [("PNG", "spring.png", "PNG"), ("JPEG", "spring.jpg", "JPEG")])
def test_a_300_by_250_png_or_jpg_is_accepted_and_shown(
    author: User, fmt: str, name: str, stored: str
) -> None:
    response = _post(author, upload(name, picture(fmt)))
    assert response.status_code == 200
    image = Image.objects.get()
    assert (image.width, image.height, image.format) == (300, 250, stored)
    assert image.original_name == name
    assert image.uploaded_by == author
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="banner"')
    assert escape(image.file.url) in html  # a signed URL (media.py), & escaped in HTML
    assert f'name="banner" value="{image.pk}"' in html
    assert "300 × 250" in html


def test_the_same_file_twice_is_stored_once(author: User) -> None:
    data = picture()
    _post(author, upload("a.png", data))
    _post(author, upload("b.png", data))
    assert Image.objects.count() == 1


@pytest.mark.parametrize(
    "file,message",
    [
        (
            lambda: upload("wide.png", picture(size=(600, 250))),
            "The banner is 600 × 250 pixels; LinkedIn needs exactly 300 × 250.",
        ),
        (
            lambda: upload("anim.gif", picture("GIF"), "image/gif"),
            "The banner is a GIF file; LinkedIn accepts JPG or PNG.",
        ),
        (
            lambda: upload("notes.png", b"these are not the pixels you are looking for"),
            "The banner must be a JPG or PNG image; this file is not an image.",
        ),
        (
            lambda: upload("huge.png", picture("BMP", size=(900, 900), noise=True), "image/png"),
            "The banner is 2.3 MB; LinkedIn allows 2 MB.",
        ),
    ],
    ids=["wrong-size", "gif", "not-an-image", "too-big"],
)
def test_a_wrong_banner_is_refused_with_a_clear_message(author: User, file: Any, message: str) -> None:
    response = _post(author, file())
    assert response.status_code == 422
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert not Image.objects.exists()


def test_a_truncated_png_is_not_an_image(author: User) -> None:
    response = _post(author, upload("broken.png", picture()[:200]))
    assert response.status_code == 422
    assert "this file is not an image" in response.content.decode()


def test_without_javascript_the_banner_arrives_with_the_save(author: User, sender: Sender) -> None:
    data = {
        **GOOD_AD,
        "sender": sender.pk,
        "cta_kind": "landing_page",
        "banner": "",
        "banner_file": upload("spring.png", picture()),
    }
    response = client_for(author).post(reverse("ads:new"), data)
    assert response.status_code == 302
    ad = Ad.objects.get()
    assert ad.banner is not None
    assert ad.revisions.get().snapshot["banner"]["sha256"] == ad.banner.sha256


def test_without_javascript_a_wrong_banner_fails_the_save_next_to_the_field(
    author: User, sender: Sender
) -> None:
    data = {
        **GOOD_AD,
        "sender": sender.pk,
        "cta_kind": "landing_page",
        "banner": "",
        "banner_file": upload("anim.gif", picture("GIF"), "image/gif"),
    }
    response = client_for(author).post(reverse("ads:new"), data)
    assert response.status_code == 422
    html = response.content.decode()
    banner_box = html[html.index('id="banner"') :]
    assert "LinkedIn accepts JPG or PNG" in banner_box[: banner_box.index("</section>")]
    assert f'value="{GOOD_AD["name"]}"' in html
    assert not Ad.objects.exists()


def test_an_uploaded_banner_is_saved_with_the_ad_and_can_be_removed(ad: Ad, author: User) -> None:
    client = client_for(author)
    _post(author, upload("spring.png", picture()))
    image = Image.objects.get()
    form = {**GOOD_AD, "sender": ad.sender_id, "cta_kind": "landing_page", "banner": image.pk}
    client.post(reverse("ads:edit", args=[ad.pk]), form)
    ad.refresh_from_db()
    assert ad.banner == image
    html = client.get(reverse("ads:edit", args=[ad.pk])).content.decode()
    assert escape(image.file.url) in html  # a signed URL (media.py), & escaped in HTML
    client.post(reverse("ads:edit", args=[ad.pk]), {**form, "banner": ""})
    ad.refresh_from_db()
    assert ad.banner is None
    assert ad.revisions.count() == 3
