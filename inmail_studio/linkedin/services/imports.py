"""Importing a LinkedIn account's existing message ads as drafts."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from inmail_studio.accounts.models import ADMIN_ROLES, EDIT_ROLES, User, Workspace
from inmail_studio.ads.models import Ad, Sender
from inmail_studio.linkedin.models import (
    AdLinkedIn,
)
from inmail_studio.linkedin.services.catalog import campaigns_import
from inmail_studio.linkedin.services.common import _require_role
from inmail_studio.linkedin.services.connection import _account_path, client_for

log = logging.getLogger(__name__)


def contents_import(*, workspace_id: int, admin: User) -> list[Ad]:
    """Existing message ads of the account become drafts, with where they came from kept read-only.

    inMailContents has no finder, so they are found through the account's creatives.
    Contents already imported (or synced from here) are skipped.
    """
    from inmail_studio.ads import services as ad_services

    _require_role(admin, workspace_id, ADMIN_ROLES | EDIT_ROLES, "import ads")
    workspace = Workspace.objects.get(pk=workspace_id)
    campaigns = campaigns_import(workspace=workspace)
    if not campaigns:
        return []
    api = client_for(workspace)
    creatives = api.search(
        _account_path(workspace, "creatives"), "criteria", {"campaigns": [c.urn for c in campaigns]}
    )
    by_content: dict[str, dict[str, Any]] = {}
    for creative in creatives:
        reference = str((creative.get("content") or {}).get("reference", ""))
        if reference.startswith("urn:li:adInMailContent:"):
            by_content.setdefault(reference, creative)
    known = set(
        AdLinkedIn.objects.filter(ad__workspace=workspace).values_list("content_urn", flat=True)
    ) | set(AdLinkedIn.objects.filter(ad__workspace=workspace).values_list("origin_urn", flat=True))
    wanted = [urn for urn in by_content if urn not in known]
    contents = api.batch_get("inMailContents", wanted) if wanted else {}
    imported: list[Ad] = []
    for urn in wanted:
        entity = contents.get(urn)
        if not entity:
            continue
        sub = entity.get("subContent") or {}
        if "guidedReplies" in sub:
            continue  # conversation ads are imported by their own mapping, not as message ads
        regular = sub.get("regular") or sub.get("form") or {}
        sender = None
        if entity.get("sender"):
            sender, _ = Sender.objects.get_or_create(
                workspace=workspace,
                urn=str(entity["sender"]),
                defaults={"name": str(entity["sender"]).rsplit(":", 1)[-1][:120]},
            )
        fields = {
            "name": str(entity.get("name") or f"Imported {urn}")[:255],
            "sender": sender,
            "subject": str(entity.get("subject", "")),
            "body": str(entity.get("htmlBody", "")),
            "footer": str(entity.get("customFooter", "")),
            "cta_kind": "lead_form" if "form" in sub else "landing_page",
            "cta_text": str(regular.get("callToActionText", "")),
            "landing_page_url": str(regular.get("callToActionLandingPageUrl", "")),
        }
        if "form" in sub:
            # The form a lead-gen ad opens is named on its creative (or, by some accounts, the content).
            creative_form = (by_content[urn].get("leadgenCallToAction") or {}).get("destination")
            fields["lead_form_urn"] = str(creative_form or regular.get("leadGenerationForm") or "")
        try:
            with transaction.atomic():
                ad = ad_services.ad_create(workspace=workspace, author=admin, fields=fields)
                creative = by_content[urn]
                AdLinkedIn.objects.create(
                    ad=ad,
                    origin_urn=urn,
                    origin={
                        "content": urn,
                        "creative": creative.get("id"),
                        "campaign": creative.get("campaign"),
                        "status": creative.get("intendedStatus"),
                        "imported_at": timezone.now().isoformat(),
                        "imported_by": admin.display_name,
                    },
                )
        except (ValidationError, IntegrityError) as error:
            log.info("Skipped importing %s: %s", urn, error)
            continue
        imported.append(ad)
    return imported
