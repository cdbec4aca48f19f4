"""Member and role changes are in the workspace's audit trail, with who did them.

Each change (an invitation, joining through it, a role change, a removal, a withdrawn
invitation) writes exactly one row naming its actor and the member it concerns; the audit
page and its export show it, its filters find it, and another workspace never sees it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from inmail_studio.accounts.models import Invitation, Membership, Role, User, Workspace
from inmail_studio.review.models import Action, AuditEvent
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def _export(user: User, **query: str) -> list[str]:
    response = client_for(user).get("/workspace/audit/export/", query)
    return b"".join(response.streaming_content).decode().splitlines()  # type: ignore[attr-defined]


def _only_event(workspace: Workspace) -> AuditEvent:
    [event] = AuditEvent.objects.filter(workspace=workspace)
    return event


def test_an_invitation_and_joining_through_it_are_each_one_event_with_their_actor(
    admin_user: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin_user).post(
            "/workspace/members/", {"email": "nia@example.org", "role": Role.APPROVER}
        )
    invited = _only_event(workspace)
    assert (invited.action, invited.actor, invited.ad) == (Action.MEMBER_INVITED, admin_user, None)
    assert invited.subject == "nia@example.org" and invited.comment == "as approver"

    link = re.search(r"(/workspace/join/[^/\s]+/)", mail.outbox[0].body).group(1)  # type: ignore[union-attr]
    joined = client_for(None).post(
        link,
        {
            "first_name": "Nia",
            "last_name": "New",
            "username": "nia",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert joined.status_code == 302
    nia = User.objects.get(username="nia")
    accepted = AuditEvent.objects.get(workspace=workspace, action=Action.INVITATION_ACCEPTED)
    assert accepted.actor == nia and accepted.who == "Nia New"
    assert accepted.subject == "Nia New <nia@example.org>"
    assert accepted.comment == "as approver, invited by Ada Admin"
    assert AuditEvent.objects.filter(workspace=workspace).count() == 2


def test_a_role_change_a_removal_and_a_withdrawn_invitation_are_each_one_event(
    admin_user: User, author: User, workspace: Workspace
) -> None:
    client = client_for(admin_user)
    membership = Membership.objects.get(user=author, workspace=workspace)

    client.post(f"/workspace/members/{membership.pk}/role/", {"role": Role.APPROVER})
    changed = _only_event(workspace)
    assert (changed.action, changed.actor) == (Action.ROLE_CHANGED, admin_user)
    assert changed.subject == "Alice Author <alice@example.com>" and changed.comment == "Author → Approver"
    # Choosing the role they already have changes nothing, so it records nothing.
    client.post(f"/workspace/members/{membership.pk}/role/", {"role": Role.APPROVER})
    assert AuditEvent.objects.filter(workspace=workspace).count() == 1

    client.post(f"/workspace/members/{membership.pk}/remove/")
    removed = AuditEvent.objects.get(workspace=workspace, action=Action.MEMBER_REMOVED)
    assert removed.actor == admin_user and removed.subject == "Alice Author <alice@example.com>"
    assert removed.comment == "was approver"

    client.post("/workspace/members/", {"email": "late@example.org", "role": Role.AUTHOR})
    invitation = Invitation.objects.get(email="late@example.org")
    client.post(f"/workspace/invitations/{invitation.pk}/withdraw/")
    client.post(f"/workspace/invitations/{invitation.pk}/withdraw/")  # twice: still one event
    withdrawn = AuditEvent.objects.get(workspace=workspace, action=Action.INVITATION_WITHDRAWN)
    assert withdrawn.actor == admin_user and withdrawn.subject == "late@example.org"
    assert AuditEvent.objects.filter(workspace=workspace).count() == 4


def test_a_refused_change_records_nothing(admin_user: User, workspace: Workspace) -> None:
    mine = Membership.objects.get(user=admin_user, workspace=workspace)
    client_for(admin_user).post(f"/workspace/members/{mine.pk}/role/", {"role": Role.AUTHOR})
    assert Membership.objects.get(pk=mine.pk).role == Role.ADMIN  # the last admin stays
    assert not AuditEvent.objects.filter(workspace=workspace).exists()


def test_the_trail_and_export_show_member_events_filterably_and_only_in_their_workspace(
    admin_user: User, author: User, workspace: Workspace, outsider: User, other_workspace: Workspace
) -> None:
    membership = Membership.objects.get(user=author, workspace=workspace)
    client_for(admin_user).post(f"/workspace/members/{membership.pk}/role/", {"role": Role.VIEWER})
    # Another workspace's admin invites someone: never seen from Acme Cloud.
    client_for(outsider).post(
        "/workspace/members/", {"email": "globex.hire@example.org", "role": Role.AUTHOR}
    )
    assert AuditEvent.objects.filter(workspace=other_workspace, action=Action.MEMBER_INVITED).exists()

    client = client_for(admin_user)
    page = client.get("/workspace/audit/").content.decode()
    body = page.split("<tbody>")[1]
    assert "Ada Admin" in body and "Changed a member&#x27;s role" in body
    assert "Alice Author &lt;alice@example.com&gt;" in body and "Workspace" in body
    assert "globex.hire" not in page

    by_action = client.get("/workspace/audit/", {"action": Action.ROLE_CHANGED}).content.decode()
    assert "Alice Author &lt;alice@example.com&gt;" in by_action
    by_person = client.get("/workspace/audit/", {"person": admin_user.pk}).content.decode()
    assert "Changed a member&#x27;s role" in by_person.split("<tbody>")[1]
    by_member = client.get("/workspace/audit/", {"q": "alice@"}).content.decode()
    assert "Changed a member&#x27;s role" in by_member.split("<tbody>")[1]
    nobody = client.get("/workspace/audit/", {"q": "globex.hire"}).content.decode()
    assert "Nothing matches these filters" in nobody

    rows = _export(admin_user)
    assert rows[0].startswith("time,ad or member,who,action")
    [row] = [r for r in rows[1:] if "role" in r]
    assert "Alice Author <alice@example.com>" in row and "Ada Admin" in row and "Author → Viewer" in row
    assert "globex.hire" not in "".join(rows)
    assert "globex.hire@example.org" in "".join(_export(outsider))


def test_the_database_refuses_an_ad_event_without_an_ad(admin_user: User, workspace: Workspace) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(
            workspace=workspace,
            actor=admin_user,
            action=Action.COMMENTED,
            from_state="draft",
            to_state="draft",
        )
