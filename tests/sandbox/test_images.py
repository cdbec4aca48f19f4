"""images?action=initializeUpload, the upload itself, and the banner check when content uses it."""

from __future__ import annotations

import io

import requests
from PIL import Image as PILImage

from inmail_studio.ads import limits

from .conftest import ACCOUNT, Api, encode, message_ad


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), (10, 102, 194)).save(out, "PNG")
    return out.getvalue()


def upload(api: Api, content: bytes) -> tuple[str, requests.Response]:
    init = api.post("/images?action=initializeUpload", {"initializeUploadRequest": {"owner": ACCOUNT}})
    assert init.status_code == 200, init.text
    value = init.json()["value"]
    put = requests.put(
        value["uploadUrl"], data=content, headers={"Authorization": f"Bearer {api.token}"}, timeout=10
    )
    return value["image"], put


def test_an_uploaded_banner_becomes_available_and_can_be_used(api: Api) -> None:
    image, put = upload(api, png(limits.BANNER_WIDTH, limits.BANNER_HEIGHT))
    assert put.status_code == 201
    entity = api.get(f"/images/{encode(image)}").json()
    assert entity["status"] == "AVAILABLE"
    assert requests.get(entity["downloadUrl"], timeout=10).content.startswith(b"\x89PNG")
    body = message_ad(
        subContent={
            "regular": {
                "callToActionText": "Go",
                "callToActionLandingPageUrl": "https://example.com",
                "rightRailAdPicture": image,
            }
        }
    )
    assert api.post("/inMailContents", body).status_code == 201


def test_a_banner_of_the_wrong_size_is_refused_when_used(api: Api) -> None:
    image, put = upload(api, png(600, 600))
    assert put.status_code == 201
    body = message_ad(
        subContent={
            "regular": {
                "callToActionText": "Go",
                "callToActionLandingPageUrl": "https://e.com",
                "rightRailAdPicture": image,
            }
        }
    )
    response = api.post("/inMailContents", body)
    assert response.status_code == 422
    assert "300 × 250" in response.json()["message"]


def test_an_image_never_uploaded_is_waiting_and_cannot_be_used(api: Api) -> None:
    init = api.post("/images?action=initializeUpload", {"initializeUploadRequest": {"owner": ACCOUNT}}).json()
    image = init["value"]["image"]
    assert api.get(f"/images/{encode(image)}").json()["status"] == "WAITING_UPLOAD"
    body = message_ad(
        subContent={
            "regular": {
                "callToActionText": "Go",
                "callToActionLandingPageUrl": "https://e.com",
                "rightRailAdPicture": image,
            }
        }
    )
    assert api.post("/inMailContents", body).status_code == 422


def test_an_upload_that_is_not_a_jpeg_or_png_is_refused(api: Api) -> None:
    _, put = upload(api, b"GIF89a not really")
    assert put.status_code == 400
