"""Users, workspaces (one LinkedIn ad account each) and the roles that join them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    email_notifications = models.BooleanField(
        default=True, help_text="Send review notifications by email as well as in the app."
    )

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Role(models.TextChoices):
    AUTHOR = "author", "Author"
    APPROVER = "approver", "Approver"
    ADMIN = "admin", "Admin"
    VIEWER = "viewer", "Viewer"


# What each role may do. Admins run the workspace and may also write and review;
# the rule that nobody approves their own revision holds for them too.
EDIT_ROLES = frozenset({Role.AUTHOR, Role.ADMIN})
APPROVE_ROLES = frozenset({Role.APPROVER, Role.ADMIN})
ADMIN_ROLES = frozenset({Role.ADMIN})


class Workspace(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    ad_account_urn = models.CharField(
        "LinkedIn ad account URN", max_length=80, blank=True, help_text="urn:li:sponsoredAccount:N"
    )
    ad_account_name = models.CharField("LinkedIn ad account name", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AUTHOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "workspace"], name="one_membership_per_workspace")
        ]
        ordering = ["workspace__name"]

    def __str__(self) -> str:
        return f"{self.user} · {self.workspace} ({self.role})"

    @property
    def can_edit(self) -> bool:
        return self.role in EDIT_ROLES

    @property
    def can_approve(self) -> bool:
        return self.role in APPROVE_ROLES

    @property
    def can_admin(self) -> bool:
        return self.role in ADMIN_ROLES


class Invitation(models.Model):
    """An invitation to join a workspace with a role, sent by email as a link.

    Only a hash of the link's token is stored, so the table alone can't be used to join. It is
    good for one acceptance, until it expires or an admin withdraws it.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AUTHOR)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} to {self.workspace} as {self.role}"
