"""Media in a private S3-compatible bucket (moto in server mode stands in): shared, signed, and revisions stay stable."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import preview, services
from inmail_studio.ads.models import Sender
from tests.conftest import GOOD_AD
from tests.test_settings import PRODUCTION, _settings

from .conftest import BIN, Process, base_env, free_port

BUCKET = "studio-media-test"
KEYS = {"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret"}


@pytest.fixture
def bucket(processes: Callable[..., Process], settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    s3 = processes("moto", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], base_env(**KEYS))
    s3.wait_until(lambda: requests.get(endpoint, timeout=2).status_code == 200)
    for name, value in KEYS.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", **{k.lower(): v for k, v in KEYS.items()}
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "addressing_style": "path",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
                "signature_version": "s3v4",
            },
        },
    }
    return client


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (300, 250), colour).save(out, "PNG")
    return out.getvalue()


def test_a_banner_lives_in_the_bucket_and_is_shown_through_a_signed_url_made_when_rendered(
    bucket: Any, workspace: Workspace, author: User, sender: Sender
) -> None:
    data = _png((10, 80, 200))
    image = services.banner_upload(
        workspace=workspace, uploader=author, upload=SimpleUploadedFile("banner.png", data, "image/png")
    )
    keys = [item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [image.file.name]

    ad = services.ad_create(
        workspace=workspace, author=author, fields={**GOOD_AD, "sender": sender, "banner": image}
    )
    assert ad.current_revision is not None
    stored = ad.current_revision.snapshot["banner"]["url"]
    assert stored == f"/media/{image.file.name}"  # stable: no signature, no expiry in an immutable snapshot

    shown = preview.context(ad.current_revision.snapshot, preview.FALLBACK_MEMBER)["banner"]["url"]
    assert "X-Amz-Signature=" in shown
    fetched = requests.get(shown, timeout=5)
    assert fetched.status_code == 200
    assert hashlib.sha256(fetched.content).hexdigest() == image.sha256
    assert requests.get(shown.split("?", 1)[0], timeout=5).status_code == 403  # the bucket is private


def test_saving_an_unchanged_ad_makes_no_new_revision_though_each_signed_url_differs(
    bucket: Any, workspace: Workspace, author: User, sender: Sender
) -> None:
    image = services.banner_upload(
        workspace=workspace, uploader=author, upload=SimpleUploadedFile("b.png", _png((0, 0, 0)), "image/png")
    )
    ad = services.ad_create(
        workspace=workspace, author=author, fields={**GOOD_AD, "sender": sender, "banner": image}
    )
    first = ad.current_revision
    time.sleep(1.1)  # a new second: a signed URL made now differs from the one made at creation
    services.ad_update(ad_id=ad.pk, editor=author, fields={**GOOD_AD, "sender": sender, "banner": image})
    ad.refresh_from_db()
    assert ad.current_revision == first
    assert ad.revisions.count() == 1


def test_with_a_bucket_named_media_is_never_served_from_disk_and_the_csp_allows_the_bucket() -> None:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'inmail_studio.settings'); django.setup(); "
        "from django.conf import settings as s; "
        "print(s.STORAGES['default']['BACKEND'], s.SERVE_MEDIA, s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    env = {
        **PRODUCTION,
        "SERVE_MEDIA": "true",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": "https://objects.example.com",
        "AWS_S3_ADDRESSING_STYLE": "path",
    }
    result = _settings(env, code)
    assert result.returncode == 0, result.stderr
    backend, serve, *sources = result.stdout.split(maxsplit=2)
    assert backend == "storages.backends.s3.S3Storage"
    assert serve == "False"
    assert "https://objects.example.com" in sources[0]
    on_aws = _settings({**env, "AWS_S3_ENDPOINT_URL": "", "AWS_S3_REGION_NAME": "eu-west-1"}, code)
    assert f"https://{BUCKET}.s3.eu-west-1.amazonaws.com" in on_aws.stdout
