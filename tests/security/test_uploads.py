"""Uploaded banners: checked for type, size and dimensions without ever decoding a decompression
bomb, stored under a name of our choosing, and served as the image type they are (never as HTML)."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Image
from tests.conftest import client_for
from tests.test_banner import picture


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes of valid PNG whose header claims `width` × `height` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def _upload(user: User, name: str, data: bytes, content_type: str = "image/png") -> Any:
    return client_for(user).post(
        reverse("ads:banner"),
        {"banner_file": SimpleUploadedFile(name, data, content_type=content_type)},
        headers={"HX-Request": "true", "HX-Target": "banner"},
    )


@pytest.mark.parametrize("side", [20_000, 65_535])
def test_a_decompression_bomb_is_refused_with_a_message_not_a_server_error(author: User, side: int) -> None:
    response = _upload(author, "bomb.png", png_claiming(side, side))
    assert response.status_code == 422
    assert "300 × 250" in response.content.decode()
    assert not Image.objects.exists()


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_an_image_just_over_pillows_pixel_limit_is_refused_too(author: User) -> None:
    # Between MAX_IMAGE_PIXELS and twice it Pillow only warns; the banner check must still refuse it.
    response = _upload(author, "big.png", png_claiming(10_000, 10_000))
    assert response.status_code == 422
    assert not Image.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
        ("evil.png", b"<html><script>alert(1)</script></html>", "image/png"),
        ("evil.gif", picture("GIF"), "image/gif"),
    ],
)
def test_files_that_are_not_a_jpg_or_png_are_refused_whatever_they_are_called(
    author: User, name: str, data: bytes, content_type: str
) -> None:
    response = _upload(author, name, data, content_type)
    assert response.status_code == 422
    assert not Image.objects.exists()


def test_a_banner_is_stored_under_its_own_extension_and_served_as_an_image(author: User) -> None:
    response = _upload(author, "innocent.html", picture("PNG"), "text/html")
    assert response.status_code == 200
    image = Image.objects.get()
    assert image.file.name.endswith(".png") and "innocent" not in image.file.name
    served = client_for(None).get(image.file.url)  # the signed URL is the authority, as on S3
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Cache-Control"].startswith("private")


def test_a_viewer_cannot_upload_a_banner(viewer: User) -> None:
    assert _upload(viewer, "b.png", picture("PNG")).status_code == 403
    assert not Image.objects.exists()


def test_the_sandboxs_image_upload_refuses_a_decompression_bomb_with_linkedins_error(db: None) -> None:

    from inmail_studio.sandbox.models import Image as SandboxImage

    image = SandboxImage.objects.create(
        key="D4E10AQBOMB",
        owner="urn:li:organization:1",
        upload_token="bomb-token",
        upload_expires_at=timezone.now() + timedelta(hours=1),
    )
    response = client_for(None).generic(
        "PUT",
        reverse("sandbox:image_upload", args=[image.upload_token]),
        png_claiming(65_535, 65_535),
        content_type="application/octet-stream",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_ARGUMENT"
