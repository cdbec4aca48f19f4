"""Workspace admins run their workspace from product pages: members, invitations, roles, removal.

Only the admins of a workspace reach these pages (403 for its other members), and no page or
action reaches into another workspace (404). The last admin can't be demoted or removed.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from inmail_studio.accounts.models import Invitation, Membership, Role, User, Workspace
from tests.conftest import PASSWORD, client_for, join, make_user

pytestmark = pytest.mark.django_db

PAGES = [
    "/workspace/",
    "/workspace/members/",
    "/workspace/senders/",
    "/workspace/audit/",
    "/workspace/audit/export/",
]


def _invite(admin: User, email: str, role: str = Role.AUTHOR, capture: Any = None) -> Any:
    client = client_for(admin)
    if capture is None:
        return client.post("/workspace/members/", {"email": email, "role": role})
    with capture(execute=True):
        return client.post("/workspace/members/", {"email": email, "role": role})


def _link(message: Any) -> str:
    found = re.search(r"https?://[^/\s]+(/workspace/join/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


@pytest.mark.parametrize("path", PAGES)
def test_only_admins_reach_the_workspace_pages(
    path: str, author: User, approver: User, viewer: User, admin_user: User
) -> None:
    for person in (author, approver, viewer):
        assert client_for(person).get(path).status_code == 403, (path, person.username)
    assert client_for(admin_user).get(path).status_code == 200
    assert client_for(None).get(path).status_code == 302  # to sign in


def test_an_admin_invites_by_email_and_the_invitee_joins_with_the_role(
    admin_user: User, workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    response = _invite(
        admin_user, "new.person@example.org", Role.APPROVER, django_capture_on_commit_callbacks
    )
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["new.person@example.org"]
    assert "Acme Cloud" in message.subject and "approver" in message.body
    link = _link(message)
    members_page = client_for(admin_user).get("/workspace/members/").content.decode()
    assert "new.person@example.org" in members_page and "Invited, not joined yet" in members_page

    visitor = client_for(None)
    page = visitor.get(link)
    assert page.status_code == 200 and "Join Acme Cloud" in page.content.decode()
    joined = visitor.post(
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
    assert nia.email == "new.person@example.org"
    assert Membership.objects.get(user=nia, workspace=workspace).role == Role.APPROVER
    # The link is used up.
    assert client_for(None).get(link).status_code == 404


def test_a_signed_in_person_joins_only_with_the_invited_address(
    admin_user: User, workspace: Workspace, outsider: User, django_capture_on_commit_callbacks: Any
) -> None:
    _invite(admin_user, "someone.else@example.org", capture=django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    refused = client_for(outsider).post(link, follow=True)
    assert "This invitation is for someone.else@example.org" in refused.content.decode()
    assert not Membership.objects.filter(user=outsider, workspace=workspace).exists()

    invited = make_user("sam")
    invited.email = "Someone.Else@example.org"
    invited.save()
    assert client_for(invited).post(link).status_code == 302
    assert Membership.objects.get(user=invited, workspace=workspace).role == Role.AUTHOR


def test_a_withdrawn_invitation_link_no_longer_works(
    admin_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    _invite(admin_user, "late@example.org", capture=django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    invitation = Invitation.objects.get()
    client_for(admin_user).post(f"/workspace/invitations/{invitation.pk}/withdraw/")
    assert client_for(None).get(link).status_code == 404


def test_inviting_a_member_again_is_refused_next_to_the_field(admin_user: User, author: User) -> None:
    response = _invite(admin_user, author.email)
    assert response.status_code == 422
    assert f"{author.email} is already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_bad_email_is_refused_next_to_the_field_and_kept(admin_user: User) -> None:
    response = _invite(admin_user, "not an address")
    assert response.status_code == 422
    body = response.content.decode()
    assert "Enter a valid email address." in body and 'value="not an address"' in body


def test_an_admin_changes_a_role_and_removes_a_member(
    admin_user: User, author: User, workspace: Workspace
) -> None:
    client = client_for(admin_user)
    membership = Membership.objects.get(user=author, workspace=workspace)
    client.post(f"/workspace/members/{membership.pk}/role/", {"role": Role.APPROVER})
    membership.refresh_from_db()
    assert membership.role == Role.APPROVER
    confirm = client.get(f"/workspace/members/{membership.pk}/remove/")
    assert "Remove Alice Author?" in confirm.content.decode()
    client.post(f"/workspace/members/{membership.pk}/remove/")
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_admin_can_be_neither_demoted_nor_removed(admin_user: User, workspace: Workspace) -> None:
    client = client_for(admin_user)
    mine = Membership.objects.get(user=admin_user, workspace=workspace)
    page = client.post(f"/workspace/members/{mine.pk}/role/", {"role": Role.AUTHOR}, follow=True)
    assert "only admin" in page.content.decode()
    client.post(f"/workspace/members/{mine.pk}/remove/")
    mine.refresh_from_db()
    assert mine.role == Role.ADMIN

    second = join(make_user("zed"), workspace, Role.ADMIN)
    client.post(f"/workspace/members/{mine.pk}/role/", {"role": Role.AUTHOR})
    mine.refresh_from_db()
    assert mine.role == Role.AUTHOR
    assert Membership.objects.get(user=second).role == Role.ADMIN


def test_no_admin_reaches_another_workspaces_members_or_invitations(
    admin_user: User, outsider: User, other_workspace: Workspace, django_capture_on_commit_callbacks: Any
) -> None:
    theirs = Membership.objects.get(user=outsider)
    other_member = join(make_user("gus"), other_workspace, Role.AUTHOR)
    their_member = Membership.objects.get(user=other_member)
    _invite(outsider, "x@example.org", capture=django_capture_on_commit_callbacks)
    their_invitation = Invitation.objects.get(workspace=other_workspace)
    client = client_for(admin_user)
    assert client.post(f"/workspace/members/{their_member.pk}/role/", {"role": Role.ADMIN}).status_code == 404
    assert client.get(f"/workspace/members/{theirs.pk}/remove/").status_code == 404
    assert client.post(f"/workspace/members/{theirs.pk}/remove/").status_code == 404
    assert client.post(f"/workspace/invitations/{their_invitation.pk}/withdraw/").status_code == 404
    their_member.refresh_from_db()
    assert their_member.role == Role.AUTHOR
    assert Membership.objects.filter(pk=theirs.pk).exists()
    their_invitation.refresh_from_db()
    assert their_invitation.revoked_at is None
    page = client.get("/workspace/members/").content.decode()
    assert "olga" not in page.lower() and "x@example.org" not in page


def test_a_non_admin_cannot_act_by_posting_directly(
    author: User, approver: User, workspace: Workspace
) -> None:
    target = Membership.objects.get(user=approver, workspace=workspace)
    client = client_for(author)
    assert client.post(f"/workspace/members/{target.pk}/role/", {"role": Role.VIEWER}).status_code == 403
    assert client.post(f"/workspace/members/{target.pk}/remove/").status_code == 403
    assert client.post("/workspace/members/", {"email": "a@example.org", "role": "admin"}).status_code == 403
    target.refresh_from_db()
    assert target.role == Role.APPROVER
    assert not Invitation.objects.exists()


def test_settings_rename_the_workspace(admin_user: User, workspace: Workspace) -> None:
    client = client_for(admin_user)
    client.post("/workspace/", {"name": "Acme Cloud EMEA"})
    workspace.refresh_from_db()
    assert workspace.name == "Acme Cloud EMEA"
    refused = client.post("/workspace/", {"name": "Two\nlines"})
    assert refused.status_code == 422
    workspace.refresh_from_db()
    assert workspace.name == "Acme Cloud EMEA"
