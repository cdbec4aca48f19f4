"""The written contract: CONTRACT.md is the rows the sandbox enforces, every row is served by a handler
that names it, strict mode refuses what no row lists, and the syntax rules LinkedIn documents hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory

from inmail_studio.sandbox import analytics, api, contract, gateway, oauth
from inmail_studio.sandbox.contract import ROWS

from .conftest import ACCOUNT, ACCOUNT_ID, Api, encode

# Rows served by their own views (OAuth's form posts, the unversioned userinfo, the upload URL).
VIEW_ROWS = {"R01": oauth.authorization, "R02": oauth.access_token, "R03": oauth.access_token}
VIEW_ROWS |= {
    "R04": oauth.introspect_token,
    "R05": oauth.revoke,
    "R06": api.userinfo,
    "R15": api.image_upload,
}


def test_contract_md_is_the_table_the_sandbox_enforces() -> None:
    written = Path(contract.__file__).with_name("CONTRACT.md").read_text(encoding="utf-8")
    assert written == contract.render_markdown(), "run `python manage.py sandbox_contract --write`"
    assert f"{len(ROWS)} rows." in written


def test_every_row_has_a_source_a_scope_rule_and_one_handler_that_names_it() -> None:
    assert analytics.ad_analytics.contract_row == "R36"  # type: ignore[attr-defined]
    for row in ROWS:
        assert row.sources, row.id
        assert row.answer and row.method in ("GET", "POST", "PUT"), row.id
        handler = gateway.HANDLERS.get(row.id) or VIEW_ROWS.get(row.id)
        assert handler is not None, f"{row.id} is listed but nothing serves it"
        if row.id in gateway.HANDLERS:
            assert handler.contract_row == row.id  # type: ignore[attr-defined]
    assert set(gateway.HANDLERS) | set(VIEW_ROWS) == set(contract.BY_ID)


def test_every_unconfirmed_fact_is_listed_under_its_own_heading() -> None:
    written = contract.render_markdown()
    facts = written.split("## Facts decided from practitioners' reports (unconfirmed)")[1]
    for row in ROWS:
        if row.unconfirmed:
            assert f"**{row.id}** {row.unconfirmed}" in facts


@pytest.mark.parametrize(
    "method,path,query,restli,expected",
    [
        ("GET", "rest/adAccounts", "q=search&pageSize=10", "", "R07"),
        ("GET", "rest/adAccounts", "q=search", "FINDER", "R07"),
        ("GET", "rest/adAccounts", "q=search&start=0&count=10", "", None),  # index paging on a cursor finder
        ("GET", "rest/inMailContents", "ids=List(urn%3Ali%3AadInMailContent%3A1)", "BATCH_GET", "R18"),
        ("POST", "rest/inMailContents", "action=sendTestInMail", "ACTION", "R21"),
        ("POST", "rest/inMailContents", "action=deleteEverything", "ACTION", None),
        ("POST", "rest/inMailContents/urn:li:adInMailContent:1", "", "", None),  # no PARTIAL_UPDATE
        ("POST", "rest/conversationAds/1/sponsoredMessageContents", "", "BATCH_CREATE", "R31"),
        ("POST", "rest/conversationAds/1/sponsoredMessageContents", "", "", "R32"),
        (
            "GET",
            "rest/adAnalytics",
            "q=analytics&pivot=CREATIVE&timeGranularity=ALL&dateRange=x&creatives=y",
            "",
            "R36",
        ),
        ("GET", "rest/adAnalytics", "q=statistics&pivots=List(CREATIVE)", "", None),
    ],
)
def test_a_request_matches_the_row_that_lists_its_form_or_none(
    method: str, path: str, query: str, restli: str, expected: str | None
) -> None:
    extra: dict[str, Any] = {"HTTP_X_RESTLI_METHOD": restli} if restli else {}
    request = getattr(RequestFactory(), method.lower())(f"/sandbox/linkedin/{path}?{query}", **extra)
    row, reason = contract.match(request, path)
    assert (row.id if row else None) == expected, reason
    if expected is None:
        assert reason


def test_lenient_mode_ignores_unlisted_parameters_but_strict_mode_refuses_them(
    api: Api, settings: Any
) -> None:
    url = "/adAccounts?q=search&start=0&count=10"
    strict = api.get(url)
    assert strict.status_code == 400 and strict.json()["code"] == "NOT_IN_CONTRACT"
    assert "R07 does not list count, start" in strict.json()["message"]
    settings.SANDBOX_STRICT = False
    assert api.get(url).status_code == 200


def test_every_request_is_recorded_with_the_row_it_matched(api: Api) -> None:
    contract.forget()
    api.get(f"/adAccounts/{ACCOUNT_ID}")
    api.get("/adAccounts?q=search&count=5")
    first, second = contract.seen()
    assert (first.row, first.path, first.method) == ("R08", "rest/adAccounts/{account}", "GET")
    assert (second.row, second.params) == ("", ("count", "q"))


def test_a_projection_keeps_linkedins_raw_commas_and_refuses_an_encoded_one(api: Api) -> None:
    query = (
        "q=analytics&pivot=CREATIVE&timeGranularity=ALL&dateRange=(start:(year:2026,month:1,day:1))"
        f"&creatives=List({encode('urn:li:sponsoredCreative:1')})"
    )
    raw = api.get(f"/adAnalytics?{query}&fields=dateRange,sends")
    assert raw.status_code == 200, raw.text
    encoded = api.get(f"/adAnalytics?{query}&fields=dateRange%2Csends")
    assert encoded.status_code == 400
    assert "unknown field 'dateRange,sends'" in encoded.json()["message"]


def test_analytics_need_r_ads_reporting(api_as: Any) -> None:
    query = (
        "q=analytics&pivot=CREATIVE&timeGranularity=ALL&dateRange=(start:(year:2026,month:1,day:1))"
        f"&creatives=List({encode('urn:li:sponsoredCreative:1')})&fields=sends"
    )
    refused = api_as("ada-admin", scope="r_ads rw_ads").get(f"/adAnalytics?{query}")
    assert refused.status_code == 403 and "needs r_ads_reporting" in refused.json()["message"]
    assert api_as("ada-admin", scope="r_ads_reporting").get(f"/adAnalytics?{query}").status_code == 200


def test_cursor_paging_answers_a_next_token_until_the_last_page_and_refuses_a_foreign_token(api: Api) -> None:
    base = f"/adAccounts/{ACCOUNT_ID}/adCampaigns?q=search"
    first = api.get(f"{base}&pageSize=2").json()
    token = first["metadata"]["nextPageToken"]
    assert len(first["elements"]) == 2
    last = api.get(f"{base}&pageSize=2&pageToken={token}").json()
    assert len(last["elements"]) == 1 and "nextPageToken" not in last["metadata"]
    # A token belongs to the search that made it.
    other = api.get(f"{base}&search=(status:(values:List(ACTIVE)))&pageSize=2&pageToken={token}")
    assert other.status_code == 400 and "pageToken" in other.json()["message"]
    assert api.get(f"{base}&pageSize=0").status_code == 400


def test_the_lead_forms_finder_takes_the_owner_as_a_restli_object(api: Api, api_as: Any) -> None:
    owner = f"(sponsoredAccount:{encode(ACCOUNT)})"
    forms = api.get(f"/leadForms?q=owner&owner={owner}").json()["elements"]
    assert {(f["id"], f["state"]) for f in forms} == {
        (4242, "PUBLISHED"),
        (4243, "PUBLISHED"),
        (4244, "ARCHIVED"),
    }
    assert all(f["owner"] == {"sponsoredAccount": ACCOUNT} for f in forms)
    assert api.get(f"/leadForms?q=owner&owner={encode(ACCOUNT)}").status_code == 400
    other = f"(sponsoredAccount:{encode('urn:li:sponsoredAccount:508915999')})"
    assert api_as("maya-marketer").get(f"/leadForms?q=owner&owner={other}").status_code == 403


def test_the_members_roles_are_listed_for_the_token_holder_only(api_as: Any) -> None:
    roles = api_as("maya-marketer").get("/adAccountUsers?q=authenticatedUser").json()["elements"]
    assert roles == [{"account": ACCOUNT, "user": "urn:li:person:maya-marketer", "role": "CREATIVE_MANAGER"}]


def test_the_sandbox_home_shows_each_senders_state_and_the_lead_forms(sandbox: None) -> None:
    from django.test import Client

    page = Client().get("/sandbox/linkedin/").content.decode()
    assert 'Sofia Alvarez <span class="sandbox-status sandbox-status-requested">REQUESTED</span>' in page
    assert "Demo request" in page and "urn:li:adForm:4242" in page
    assert "CONTRACT.md" in page
