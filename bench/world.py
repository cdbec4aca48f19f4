"""The small world a benchmark starts from: a workspace, an author in it and an approved sender."""

from __future__ import annotations

from inmail_studio.accounts.models import Membership, Role, User, Workspace
from inmail_studio.ads.models import Sender, SenderPermission


def author_world(
    name: str, slug: str, *, ad_account_urn: str = "", password: str | None = None
) -> tuple[Workspace, User, Sender]:
    """Workspace `name` (`slug`), an author whose username is the slug, and an approved sender."""
    workspace = Workspace.objects.create(name=name, slug=slug, ad_account_urn=ad_account_urn)
    user = User.objects.create_user(username=slug, password=password)
    Membership.objects.create(user=user, workspace=workspace, role=Role.AUTHOR)
    sender = Sender.objects.create(
        workspace=workspace,
        urn=f"urn:li:person:{slug.replace('-', '')}",
        name="Dana Whitfield",
        headline="VP Marketing at Acme Cloud",
        permission=SenderPermission.APPROVED,
    )
    return workspace, user, sender
