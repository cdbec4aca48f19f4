"""Cursor paging (versions 202401+) with the app's own client: a workspace with more than a page of ad
accounts, campaigns or creatives gets every one, once, following metadata.nextPageToken."""

from __future__ import annotations

import pytest

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.linkedin import services
from inmail_studio.linkedin.client import PAGE_SIZE
from inmail_studio.linkedin.models import Campaign
from inmail_studio.sandbox import contract
from inmail_studio.sandbox import models as sandbox
from inmail_studio.sandbox import services as sandbox_services
from tests.sandbox.conftest import message_ad

from .conftest import ACCOUNT, WEBINAR, connect

pytestmark = pytest.mark.usefixtures("sandbox_url")
ACCOUNT_ID = int(ACCOUNT.rsplit(":", 1)[-1])


def _rows(row_id: str) -> list[contract.Seen]:
    return [s for s in contract.seen() if s.row == row_id]


def test_every_campaign_of_a_large_account_is_imported_across_pages(
    workspace: Workspace, admin_user: User
) -> None:
    account = sandbox.AdAccount.objects.get(pk=ACCOUNT_ID)
    sandbox.Campaign.objects.bulk_create(
        sandbox.Campaign(account=account, name=f"Campaign {n:03d}", status="ACTIVE")
        for n in range(2 * PAGE_SIZE + 17)
    )
    total = sandbox.Campaign.objects.filter(account=account).count()
    connect(workspace, admin_user, choose=False)
    workspace.ad_account_urn = ACCOUNT
    contract.forget()
    imported = services.campaigns_import(workspace=workspace)
    assert len(imported) == Campaign.objects.filter(workspace=workspace).count() == total
    pages = _rows("R10")
    assert len(pages) == 3
    assert pages[0].params == ("pageSize", "q", "search") and pages[1].params == (
        "pageSize",
        "pageToken",
        "q",
        "search",
    )


def test_every_ad_account_the_member_has_a_role_on_is_offered(workspace: Workspace, admin_user: User) -> None:
    ada = sandbox.Member.objects.get(slug="ada-admin")
    extra = sandbox.AdAccount.objects.bulk_create(
        sandbox.AdAccount(id=700000000 + n, name=f"Region {n}") for n in range(PAGE_SIZE + 3)
    )
    sandbox.AccountRole.objects.bulk_create(
        sandbox.AccountRole(account=a, member=ada, role=sandbox.AccountRole.Role.VIEWER) for a in extra
    )
    connect(workspace, admin_user, choose=False)
    contract.forget()
    offered = services.accounts_available(workspace=workspace)
    assert len(offered) == len({a.urn for a in offered}) == PAGE_SIZE + 3 + 2
    assert len(_rows("R07")) == 2


def test_the_creative_lookup_and_the_import_see_creatives_beyond_the_first_page(
    workspace: Workspace, admin_user: User
) -> None:
    connect(workspace, admin_user)
    account = sandbox.AdAccount.objects.get(pk=ACCOUNT_ID)
    ada = sandbox.Member.objects.get(slug="ada-admin")
    campaign = sandbox.Campaign.objects.get(account=account, name=WEBINAR)
    content = sandbox_services.inmail_content_create(
        account=account, member=ada, data=message_ad(name="Filler")
    )
    sandbox.Creative.objects.bulk_create(
        sandbox.Creative(
            account=account, campaign=campaign, content_reference=content.urn, created_by=ada, modified_by=ada
        )
        for _ in range(PAGE_SIZE + 5)
    )
    # The one worth importing is made last: it sits on the second page.
    late = sandbox_services.inmail_content_create(
        account=account, member=ada, data=message_ad(name="On page two", subject="Found on page two")
    )
    sandbox_services.creative_create(
        account=account, member=ada, data={"campaign": campaign.urn, "content": {"reference": late.urn}}
    )
    contract.forget()
    imported = services.contents_import(workspace_id=workspace.pk, admin=admin_user)
    assert sorted(ad.subject for ad in imported) == [
        "%FIRSTNAME%, a seat for our Q4 webinar?",
        "Found on page two",
    ]
    assert len(_rows("R22")) == 2
