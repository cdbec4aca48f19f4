"""Senders and the audit trail as workspace admins keep and read them, inside their own workspace only."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import demo
from inmail_studio.ads.models import Ad, Sender
from inmail_studio.review import services as review_services
from inmail_studio.review import workflow
from inmail_studio.review.models import Action, AuditEvent
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _png(name: str = "p.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo.portrait_png("PP", (10, 20, 30)), content_type="image/png")


def test_an_admin_adds_a_sender_with_a_photo_and_edits_them(admin_user: User, workspace: Workspace) -> None:
    client = client_for(admin_user)
    response = client.post(
        "/workspace/senders/",
        {"name": "Priya Patel", "headline": "CMO", "urn": "urn:li:person:priya", "photo": _png()},
    )
    assert response.status_code == 302
    priya = Sender.objects.get(workspace=workspace, urn="urn:li:person:priya")
    assert priya.photo and priya.permission == "pending"
    client.post(f"/workspace/senders/{priya.pk}/", {"name": "Priya P. Patel", "headline": "CMO, Acme"})
    priya.refresh_from_db()
    assert priya.name == "Priya P. Patel" and priya.urn == "urn:li:person:priya"


def test_a_bad_sender_is_refused_next_to_its_fields_with_what_was_typed_kept(
    admin_user: User, sender: Sender
) -> None:
    response = client_for(admin_user).post(
        "/workspace/senders/", {"name": "Copy", "urn": sender.urn, "headline": "kept headline"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "already has a sender with this URN" in body and "kept headline" in body
    text = io.BytesIO(b"not an image")
    bad = SimpleUploadedFile("x.png", text.read(), content_type="image/png")
    response = client_for(admin_user).post(
        "/workspace/senders/", {"name": "Img", "urn": "urn:li:person:img", "photo": bad}
    )
    assert response.status_code == 422 and not Sender.objects.filter(urn="urn:li:person:img").exists()


def test_a_sender_an_ad_uses_is_kept(admin_user: User, make_ad: Callable[..., Ad], sender: Sender) -> None:
    make_ad()
    page = client_for(admin_user).post(f"/workspace/senders/{sender.pk}/remove/", follow=True)
    assert "is the sender of 1 ad" in page.content.decode()
    assert Sender.objects.filter(pk=sender.pk).exists()


def test_senders_of_another_workspace_are_out_of_reach(
    admin_user: User, other_workspace: Workspace, author: User
) -> None:
    theirs = Sender.objects.create(workspace=other_workspace, urn="urn:li:person:g", name="Globex Gina")
    client = client_for(admin_user)
    assert client.get(f"/workspace/senders/{theirs.pk}/").status_code == 404
    assert client.post(f"/workspace/senders/{theirs.pk}/", {"name": "Hijacked"}).status_code == 404
    assert client.post(f"/workspace/senders/{theirs.pk}/remove/").status_code == 404
    assert "Globex Gina" not in client.get("/workspace/senders/").content.decode()
    assert (
        client_for(author).post("/workspace/senders/", {"name": "X", "urn": "urn:li:person:x"}).status_code
        == 403
    )
    theirs.refresh_from_db()
    assert theirs.name == "Globex Gina"


def test_the_audit_trail_filters_and_exports_only_this_workspace(
    admin_user: User,
    author: User,
    make_ad: Callable[..., Ad],
    outsider: User,
    other_workspace: Workspace,
    workspace: Workspace,
) -> None:
    mine = make_ad(name="Spring launch")
    other = make_ad(name="Autumn promo")
    review_services.submit(ad_id=mine.pk, actor=author)
    review_services.submit(ad_id=other.pk, actor=author)
    # An event of another workspace, whose ad's name would match the search.
    foreign = Ad.objects.create(workspace=other_workspace, author=outsider, name="Spring launch (Globex)")
    AuditEvent.objects.create(
        workspace=other_workspace,
        ad=foreign,
        actor=outsider,
        action=Action.COMMENTED,
        from_state="draft",
        to_state="draft",
    )
    client = client_for(admin_user)
    page = client.get("/workspace/audit/", {"q": "spring", "action": Action.SUBMITTED}).content.decode()
    assert "Spring launch" in page and "Autumn promo" not in page and "Globex" not in page
    assert "Alice Author" in page and "Submitted for review" in page

    export = client.get("/workspace/audit/export/", {"q": "spring"})
    rows = b"".join(export.streaming_content).decode().splitlines()  # type: ignore[attr-defined]
    assert rows[0].startswith("time,ad or member,who,action")
    assert len(rows) == 2 and "Spring launch" in rows[1] and "Alice Author" in rows[1]
    assert "Globex" not in "".join(rows)

    # The person filter offers only this workspace's people: another's is refused, not applied.
    refused = client.get("/workspace/audit/", {"person": outsider.pk}).content.decode()
    assert "Select a valid choice" in refused and "Globex" not in refused


def test_work_done_by_inmail_studio_names_who_asked_for_it(
    admin_user: User, author: User, make_ad: Callable[..., Ad]
) -> None:
    ad = make_ad(name="Worker ad")
    ad.state = "syncing"
    Ad.objects.filter(pk=ad.pk).update(state="syncing")
    workflow.move(ad, "synced", actor=None, revision=ad.current_revision, on_behalf_of=author)  # type: ignore[arg-type]
    event = AuditEvent.objects.get(ad=ad)
    assert event.action == Action.SYNCED
    assert event.who == "InMail Studio, for Alice Author"
    page = client_for(admin_user).get("/workspace/audit/", {"person": author.pk}).content.decode()
    assert "InMail Studio, for Alice Author" in page and "Synced to LinkedIn" in page
    assert "moved" not in page.split("<tbody>")[1].lower()


def test_the_audit_export_neutralises_formulas(admin_user: User, make_ad: Callable[..., Ad]) -> None:
    make_ad(name="=HYPERLINK(1)")
    ad = Ad.objects.get(name="=HYPERLINK(1)")
    workflow.record(ad, action=Action.COMMENTED, actor=admin_user, revision=None, comment="+cmd")
    rows = b"".join(client_for(admin_user).get("/workspace/audit/export/").streaming_content).decode()  # type: ignore[attr-defined]
    assert "'+cmd" in rows


def test_audit_pages_do_not_grow_queries_with_events(
    admin_user: User, author: User, make_ad: Callable[..., Ad], django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        ad = make_ad(name=f"Ad {n}")
        workflow.record(ad, action=Action.COMMENTED, actor=author, revision=None, comment="x")
    client = client_for(admin_user)
    with django_assert_max_num_queries(15):
        assert client.get("/workspace/audit/").status_code == 200
