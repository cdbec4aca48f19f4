"""The one mapping from an approved revision's snapshot to the JSON LinkedIn receives.

Pure functions: no database, no HTTP. The sync sends exactly this, the ad page shows
it under "Show API payload", and the sandbox validates it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Shown in "Show API payload" where the banner's URN is only known once it is uploaded.
PENDING_IMAGE = "urn:li:image:(uploaded during sync)"

# The inMailContents fields LinkedIn lets a PARTIAL_UPDATE change.
UPDATABLE = ("name", "sender", "subject", "htmlBody", "subContent")


def sub_content(snapshot: Mapping[str, Any], *, image_urn: str | None = None) -> dict[str, Any]:
    """`regular` for a landing-page ad, `form` for a lead-gen ad; the banner as rightRailAdPicture."""
    if snapshot.get("cta_kind") == "lead_form":
        inner: dict[str, Any] = {"callToActionText": snapshot.get("cta_text", "")}
        kind = "form"
    else:
        inner = {
            "callToActionText": snapshot.get("cta_text", ""),
            "callToActionLandingPageUrl": snapshot.get("landing_page_url", ""),
        }
        kind = "regular"
    if snapshot.get("banner"):
        inner["rightRailAdPicture"] = image_urn or PENDING_IMAGE
    return {kind: inner}


def content(snapshot: Mapping[str, Any], *, account_urn: str, image_urn: str | None = None) -> dict[str, Any]:
    """The `inMailContents` entity for a message ad revision."""
    sender = snapshot.get("sender") or {}
    body: dict[str, Any] = {
        "account": account_urn,
        "name": snapshot.get("name", ""),
        "sender": sender.get("urn", ""),
        "subject": snapshot.get("subject", ""),
        "htmlBody": snapshot.get("body", ""),
        "subContent": sub_content(snapshot, image_urn=image_urn),
    }
    if snapshot.get("footer"):
        body["customFooter"] = snapshot["footer"]
    return body


def content_update(
    snapshot: Mapping[str, Any], *, account_urn: str, image_urn: str | None = None
) -> dict[str, Any]:
    """The `$set` of a PARTIAL_UPDATE bringing an existing inMailContent to this revision."""
    full = content(snapshot, account_urn=account_urn, image_urn=image_urn)
    return {name: full[name] for name in UPDATABLE}


def creative_name(*, ad_id: int, ad_name: str) -> str:
    """The creative's name carries the ad's id, so a lost create can be recognised by the finder."""
    return f"{ad_name[:200]} · InMail Studio #{ad_id}"


def creative(*, campaign_urn: str, content_urn: str, name: str) -> dict[str, Any]:
    """A DRAFT creative in the chosen campaign, pointing at the inMailContent."""
    return {
        "campaign": campaign_urn,
        "content": {"reference": content_urn},
        "intendedStatus": "DRAFT",
        "name": name,
    }


def test_send(*, content_urn: str, campaign_urn: str, creative_urn: str, account_urn: str) -> dict[str, Any]:
    """The parameters of the `sendTestInMail` action."""
    return {
        "adInMailContentId": content_urn,
        "campaign": campaign_urn,
        "creative": creative_urn,
        "account": account_urn,
    }


def preview(
    snapshot: Mapping[str, Any],
    *,
    account_urn: str,
    campaign_urn: str,
    ad_id: int,
    content_urn: str | None = None,
    image_urn: str | None = None,
) -> dict[str, Any]:
    """What "Show API payload" displays: the calls a sync makes, in order, with their bodies."""
    body = content(
        snapshot, account_urn=account_urn or "urn:li:sponsoredAccount:(not connected)", image_urn=image_urn
    )
    calls: list[dict[str, Any]] = []
    if content_urn:
        calls.append(
            {
                "call": f"POST /rest/inMailContents/{content_urn} (PARTIAL_UPDATE)",
                "body": {"patch": {"$set": {k: body[k] for k in UPDATABLE}}},
            }
        )
    else:
        calls.append({"call": "POST /rest/inMailContents", "body": body})
    calls.append(
        {
            "call": "POST /rest/adAccounts/{account}/creatives",
            "body": creative(
                campaign_urn=campaign_urn or "urn:li:sponsoredCampaign:(choose a campaign)",
                content_urn=content_urn or "urn:li:adInMailContent:(from the call above)",
                name=creative_name(ad_id=ad_id, ad_name=snapshot.get("name", "")),
            ),
        }
    )
    return {"calls": calls}
