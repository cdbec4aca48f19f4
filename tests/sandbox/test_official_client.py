"""Fidelity: LinkedIn's own Python client (`linkedin-api-client`), as published, works against the sandbox.

The only change is the base URL: the client reads `linkedin_api.common.constants.VERSIONED_BASE_URL`
each time it builds a URL, so pointing that constant at the live server is all it takes.
"""

from __future__ import annotations

from typing import Any

import pytest
from linkedin_api.clients.restli.client import RestliClient
from linkedin_api.common import constants

from inmail_studio.sandbox.models import InboxMessage

from .conftest import ACCOUNT, ACCOUNT_ID, Api, campaign_urn, current_version, message_ad


@pytest.fixture
def client(rest_base: str, monkeypatch: pytest.MonkeyPatch) -> RestliClient:
    monkeypatch.setattr(constants, "VERSIONED_BASE_URL", rest_base)
    return RestliClient()


def test_official_client_creates_reads_updates_and_test_sends_an_inmail_content(
    client: RestliClient, api: Api
) -> None:
    token, version = api.token, current_version()

    created = client.create(
        resource_path="/inMailContents", entity=message_ad(), access_token=token, version_string=version
    )
    assert created.status_code == 201
    content_urn = created.decoded_entity_id
    assert content_urn.startswith("urn:li:adInMailContent:")

    fetched = client.get(
        resource_path="/inMailContents/{id}",
        path_keys={"id": content_urn},
        access_token=token,
        version_string=version,
    )
    assert fetched.status_code == 200
    assert fetched.entity["subject"] == "%FIRSTNAME%, a seat for our Q4 webinar?"
    assert fetched.entity["account"] == ACCOUNT

    second = client.create(
        resource_path="/inMailContents",
        entity=message_ad(name="Second"),
        access_token=token,
        version_string=version,
    ).decoded_entity_id
    batch = client.batch_get(
        resource_path="/inMailContents", ids=[content_urn, second], access_token=token, version_string=version
    )
    assert batch.status_code == 200
    assert set(batch.results) == {content_urn, second}
    assert batch.results[second]["name"] == "Second"
    assert batch.errors == {}

    updated = client.partial_update(
        resource_path="/inMailContents/{id}",
        path_keys={"id": content_urn},
        patch_set_object={"subject": "A new subject", "sender": "urn:li:person:marcus-lee"},
        access_token=token,
        version_string=version,
    )
    assert updated.status_code == 204
    again = client.get(
        resource_path="/inMailContents/{id}",
        path_keys={"id": content_urn},
        access_token=token,
        version_string=version,
    )
    assert again.entity["subject"] == "A new subject"
    assert again.entity["sender"] == "urn:li:person:marcus-lee"

    campaign = campaign_urn(api)
    creative: Any = client.create(
        resource_path="/adAccounts/{id}/creatives",
        path_keys={"id": ACCOUNT_ID},
        entity={"campaign": campaign, "content": {"reference": content_urn}, "intendedStatus": "DRAFT"},
        access_token=token,
        version_string=version,
    )
    assert creative.status_code == 201

    sent = client.action(
        resource_path="/inMailContents",
        action_name="sendTestInMail",
        action_params={
            "adInMailContentId": content_urn,
            "campaign": campaign,
            "creative": creative.decoded_entity_id,
            "account": ACCOUNT,
        },
        access_token=token,
        version_string=version,
    )
    assert sent.status_code == 200
    message = InboxMessage.objects.get(content_urn=content_urn)
    assert message.recipient.slug == "ada-admin"
    assert message.snapshot["subject"] == "A new subject"


def test_official_client_sees_linkedins_error_json_for_a_refused_sender(
    client: RestliClient, api: Api
) -> None:
    response = client.create(
        resource_path="/inMailContents",
        entity=message_ad(sender="urn:li:person:sofia-alvarez"),
        access_token=api.token,
        version_string=current_version(),
    )
    assert response.status_code == 422
    assert response.response.json()["code"] == "SINMAIL_SENDER_NOT_APPROVED"
