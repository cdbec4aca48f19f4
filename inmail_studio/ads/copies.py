"""Copying an ad of either kind: a message ad through `services.ad_create`, a conversation ad with
its whole tree through `conversation.services` (which builds on `services`, so this sits above both)."""

from __future__ import annotations

from django.db import transaction

from inmail_studio.accounts.models import User

from . import limits, services
from .conversation import services as conversation_services
from .models import Ad, Kind

DUPLICATED_FIELDS = (
    "kind", "sender", "subject", "body", "footer", "cta_kind", "cta_text",
    "landing_page_url", "lead_form_urn", "banner",
)  # fmt: skip


@transaction.atomic
def ad_duplicate(*, ad_id: int, author: User) -> Ad:
    """A new draft with the content of an existing ad (the way to change a live ad)."""
    source = Ad.objects.get(pk=ad_id)
    services._require_editor(author, source.workspace)
    name = f"{source.name} (copy)"[: limits.AD_NAME.maximum]
    if source.kind == Kind.CONVERSATION:
        return conversation_services.conversation_duplicate(ad_id=source.pk, author=author, name=name)
    return services.ad_create(
        workspace=source.workspace,
        author=author,
        fields={"name": name, **{f: getattr(source, f) for f in DUPLICATED_FIELDS}},
    )
