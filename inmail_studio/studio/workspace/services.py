"""Running a workspace: inviting members, changing their roles, removing them, its settings.

Every function takes the acting user and checks, inside the transaction, that they are an admin
of the workspace they act on (`_admin_membership`); another workspace's member or invitation is
simply not found. A workspace always keeps at least one admin: the last one can be neither
demoted nor removed, by someone else or by themselves.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from inmail_studio.accounts.models import ADMIN_ROLES, Invitation, Membership, Role, User, Workspace
from inmail_studio.review.audit import record_workspace_event
from inmail_studio.review.models import Action
from inmail_studio.review.notifications import email_queue
from inmail_studio.single_line import one_line

INVITATION_DAYS = 7


class Refused(Exception):
    """The request breaks a rule of the workspace; the message says which, in words for the admin."""


def _admin_membership(user: User, workspace_id: int, *, lock: bool = False) -> Membership:
    memberships = Membership.objects.filter(user=user, workspace_id=workspace_id)
    if lock:
        memberships = memberships.select_for_update()
    membership = memberships.select_related("workspace").first()
    if membership is None or membership.role not in ADMIN_ROLES:
        raise PermissionDenied("Only this workspace's admins can manage it.")
    return membership


def _member_named(user: User) -> str:
    """A member as the audit trail names them: their name, and their address when they have one."""
    return f"{user.display_name} <{user.email}>" if user.email else user.display_name


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SentInvitation:
    invitation: Invitation
    link: str


@transaction.atomic
def invitation_create(*, workspace_id: int, admin: User, email: str, role: str) -> SentInvitation:
    """Invite `email` to the workspace as `role`, emailing them a link through the review outbox."""

    membership = _admin_membership(admin, workspace_id)
    workspace = membership.workspace
    email = email.strip()
    role = Role(role)
    if Membership.objects.filter(workspace_id=workspace_id, user__email__iexact=email).exists():
        raise Refused(f"{email} is already a member of {workspace.name}.")
    now = timezone.now()
    # A new invitation to the same address replaces the one still open, so one link works at a time.
    Invitation.objects.filter(
        workspace_id=workspace_id, email__iexact=email, accepted_at=None, revoked_at=None
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace=workspace,
        email=email,
        role=role,
        token_hash=token_hash(token),
        invited_by=admin,
        expires_at=now + timedelta(days=INVITATION_DAYS),
    )
    link = f"{settings.SITE_URL}{reverse('workspace:join', args=[token])}"
    email_queue(
        to=email,
        subject=f"[InMail Studio] {admin.display_name} invited you to {workspace.name}",
        body=render_to_string(
            "workspace/email/invitation.txt",
            {
                "admin": admin,
                "workspace": workspace,
                "role": role.label,
                "link": link,
                "days": INVITATION_DAYS,
            },
        ),
    )
    record_workspace_event(
        workspace_id=workspace_id,
        action=Action.MEMBER_INVITED,
        actor=admin,
        subject=email,
        comment=f"as {role.label.lower()}",
    )
    return SentInvitation(invitation=invitation, link=link)


@transaction.atomic
def invitation_revoke(*, invitation_id: int, admin: User, workspace_id: int) -> Invitation:
    _admin_membership(admin, workspace_id)
    invitation = Invitation.objects.select_for_update().get(
        pk=invitation_id, workspace_id=workspace_id, accepted_at=None
    )
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record_workspace_event(
            workspace_id=workspace_id,
            action=Action.INVITATION_WITHDRAWN,
            actor=admin,
            subject=invitation.email,
            comment=f"was invited as {invitation.get_role_display().lower()}",
        )
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The open invitation this link stands for, or None (unknown, used, withdrawn or expired)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("workspace", "invited_by")
        .filter(
            token_hash=token_hash(token),
            accepted_at=None,
            revoked_at=None,
            expires_at__gt=timezone.now(),
        )
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the invitation's workspace as `user`, with the invited role; the link is then used up."""
    found = invitation_for_token(token)
    if found is None:
        raise Refused("This invitation link is no longer valid. Ask a workspace admin for a new one.")
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise Refused("This invitation link is no longer valid. Ask a workspace admin for a new one.")
    if user.email.lower() != invitation.email.lower():
        raise Refused(
            f"This invitation is for {invitation.email}; you are signed in as {user.email or user.username}. "
            "Sign out and open the link again, or ask for an invitation to your address."
        )
    membership, joined = Membership.objects.get_or_create(
        user=user, workspace_id=invitation.workspace_id, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record_workspace_event(
        workspace_id=invitation.workspace_id,
        action=Action.INVITATION_ACCEPTED,
        actor=user,
        subject=_member_named(user),
        comment=(
            f"as {membership.get_role_display().lower()}"
            if joined
            else f"already a member as {membership.get_role_display().lower()}"
        )
        + f", invited by {invitation.invited_by.display_name}",
    )
    return membership


def _other_admins(workspace_id: int, membership: Membership) -> bool:
    return (
        Membership.objects.select_for_update()
        .filter(workspace_id=workspace_id, role__in=list(ADMIN_ROLES))
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_role_change(*, membership_id: int, admin: User, workspace_id: int, role: str) -> Membership:
    _admin_membership(admin, workspace_id, lock=True)
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .get(pk=membership_id, workspace_id=workspace_id)
    )
    role = Role(role)
    if (
        membership.role in ADMIN_ROLES
        and role not in ADMIN_ROLES
        and not _other_admins(workspace_id, membership)
    ):
        raise Refused(
            f"{membership.user.display_name} is the workspace's only admin; make someone else an admin first."
        )
    before = Role(membership.role)
    if before != role:
        membership.role = role
        membership.save(update_fields=["role"])
        record_workspace_event(
            workspace_id=workspace_id,
            action=Action.ROLE_CHANGED,
            actor=admin,
            subject=_member_named(membership.user),
            comment=f"{before.label} → {role.label}",
        )
    return membership


@transaction.atomic
def membership_remove(*, membership_id: int, admin: User, workspace_id: int) -> User:
    _admin_membership(admin, workspace_id, lock=True)
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .get(pk=membership_id, workspace_id=workspace_id)
    )
    if membership.role in ADMIN_ROLES and not _other_admins(workspace_id, membership):
        raise Refused(
            f"{membership.user.display_name} is the workspace's only admin; make someone else an admin first."
        )
    membership.delete()
    record_workspace_event(
        workspace_id=workspace_id,
        action=Action.MEMBER_REMOVED,
        actor=admin,
        subject=_member_named(membership.user),
        comment=f"was {membership.get_role_display().lower()}",
    )
    return membership.user


@transaction.atomic
def workspace_update(*, workspace_id: int, admin: User, name: str) -> Workspace:
    workspace = _admin_membership(admin, workspace_id, lock=True).workspace
    workspace.name = one_line(name).strip()[:120]
    workspace.save(update_fields=["name"])
    return workspace
