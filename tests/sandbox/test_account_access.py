"""Who may call on an ad account (adAccountUsers): the account and the caller's role on it are read
together (one query), and each case still gets LinkedIn's answer."""

from __future__ import annotations

from collections.abc import Callable

from tests.sandbox.conftest import ACCOUNT_ID, OTHER_ACCOUNT_ID, Api, message_ad

FINDER = "/adAccounts/{}/creatives?q=criteria"


def test_a_viewer_may_read_the_account_but_not_write_to_it(api_as: Callable[..., Api]) -> None:
    dana = api_as("dana-whitfield")  # VIEWER on the demo account
    assert dana.get(FINDER.format(ACCOUNT_ID)).status_code == 200
    refused = dana.post("/inMailContents", message_ad())
    assert refused.status_code == 403
    assert "has no writing role on urn:li:sponsoredAccount:508915158" in refused.json()["message"]


def test_a_member_without_a_role_gets_403_for_reads_and_writes(api_as: Callable[..., Api]) -> None:
    maya = api_as("maya-marketer")  # CREATIVE_MANAGER on the demo account, nothing on the other one
    read = maya.get(FINDER.format(OTHER_ACCOUNT_ID))
    assert read.status_code == 403 and "has no role on" in read.json()["message"]
    write = maya.post("/inMailContents", message_ad(account=f"urn:li:sponsoredAccount:{OTHER_ACCOUNT_ID}"))
    assert write.status_code == 403 and "has no writing role on" in write.json()["message"]


def test_an_account_that_does_not_exist_is_404_before_any_role_is_asked(api: Api) -> None:
    missing = api.get(FINDER.format(508910001))
    assert missing.status_code == 404 and "508910001" in missing.json()["message"]


def test_writing_roles_create_on_their_account(api_as: Callable[..., Api]) -> None:
    for slug in ("ada-admin", "maya-marketer"):
        created = api_as(slug).post("/inMailContents", message_ad())
        assert created.status_code == 201, (slug, created.text)
