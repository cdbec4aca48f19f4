"""images?action=initializeUpload, the upload itself, and the banner check when content uses it."""

from __future__ import annotations

import io

import requests
from PIL import Image as PILImage

from inmail_studio.ads import limits
from inmail_studio.sandbox.seed import DEMO_ORGANIZATION

from .conftest import ACCOUNT, Api, code_of, encode, message_ad


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (width, height), (10, 102, 194)).save(out, "PNG")
    return out.getvalue()


def initialize(owner: str = DEMO_ORGANIZATION, account: str | None = ACCOUNT) -> dict[str, object]:
    """The documented initializeUpload body: an organization or person owns the image, the ad
    account goes in mediaLibraryMetadata.associatedAccount (contract R14)."""
    request: dict[str, object] = {"owner": owner}
    if account:
        request["mediaLibraryMetadata"] = {"associatedAccount": account, "assetName": "banner.png"}
    return {"initializeUploadRequest": request}


def upload(api: Api, content: bytes) -> tuple[str, requests.Response]:
    init = api.post("/images?action=initializeUpload", initialize())
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
    init = api.post("/images?action=initializeUpload", initialize()).json()
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


def test_the_account_as_owner_is_refused_as_linkedin_documents_organization_or_person(api: Api) -> None:
    response = api.post("/images?action=initializeUpload", {"initializeUploadRequest": {"owner": ACCOUNT}})
    assert response.status_code == 422
    assert code_of(response) == "INVALID_VALUE_FOR_FIELD"
    assert "organization or person" in response.json()["message"]


def test_the_member_may_own_an_image_for_the_account_too(api: Api) -> None:
    response = api.post("/images?action=initializeUpload", initialize(owner="urn:li:person:ada-admin"))
    assert response.status_code == 200


def test_someone_elses_organization_cannot_own_the_accounts_image(api: Api) -> None:
    response = api.post("/images?action=initializeUpload", initialize(owner="urn:li:organization:999"))
    assert response.status_code == 422


def test_an_image_outside_the_accounts_media_library_cannot_be_its_banner(api: Api) -> None:
    init = api.post(
        "/images?action=initializeUpload", initialize(owner="urn:li:person:ada-admin", account=None)
    )
    assert init.status_code == 200
    value = init.json()["value"]
    put = requests.put(
        value["uploadUrl"],
        data=png(limits.BANNER_WIDTH, limits.BANNER_HEIGHT),
        headers={"Authorization": f"Bearer {api.token}"},
        timeout=10,
    )
    assert put.status_code == 201
    body = message_ad(
        subContent={
            "regular": {
                "callToActionText": "Go",
                "callToActionLandingPageUrl": "https://e.com",
                "rightRailAdPicture": value["image"],
            }
        }
    )
    response = api.post("/inMailContents", body)
    assert response.status_code == 422
    assert "media library" in response.json()["message"]
