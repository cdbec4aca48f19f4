"""The one mapping from an approved revision's snapshot to the JSON LinkedIn receives.

Pure functions: no database, no HTTP. The sync sends exactly this, the ad page shows
it under "Show API payload", and the sandbox validates it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from inmail_studio.linkedin.payloads.conversation_messages import (
    MessagePayload,
    TreeNotSyncable,
    first_message_ref,
    message_payloads,
    placeholder,
)

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


# leadgenCallToAction labels (contract R24); a CTA text that reads as one of them uses it.
LEADGEN_LABELS = {
    "apply": "APPLY",
    "apply now": "APPLY",
    "download": "DOWNLOAD",
    "get quote": "VIEW_QUOTE",
    "view quote": "VIEW_QUOTE",
    "learn more": "LEARN_MORE",
    "sign up": "SIGN_UP",
    "subscribe": "SUBSCRIBE",
    "register": "REGISTER",
    "request demo": "REQUEST_DEMO",
    "request a demo": "REQUEST_DEMO",
    "book a demo": "REQUEST_DEMO",
    "join": "JOIN",
    "attend": "ATTEND",
}


def leadgen_label(cta_text: str) -> str:
    """The creative's leadgenCallToAction label for the ad's button text (LEARN_MORE when none fits);
    the message ad itself shows its own callToActionText."""
    return LEADGEN_LABELS.get(" ".join(cta_text.lower().split()), "LEARN_MORE")


def creative(
    *, campaign_urn: str, content_urn: str, name: str, snapshot: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A DRAFT creative in the chosen campaign, pointing at the inMailContent.

    A lead-gen message ad names its form here, in `leadgenCallToAction` (contract R24): the one
    place LinkedIn documents a creative's lead form; the content's form sub-content carries only
    the button text, so nothing undocumented is sent. The sandbox refuses a lead-gen ad whose form
    is named nowhere.
    """
    body: dict[str, Any] = {
        "campaign": campaign_urn,
        "content": {"reference": content_urn},
        "intendedStatus": "DRAFT",
        "name": name,
    }
    if snapshot and snapshot.get("cta_kind") == "lead_form" and "tree" not in snapshot:
        body["leadgenCallToAction"] = {
            "destination": snapshot.get("lead_form_urn", ""),
            "label": leadgen_label(str(snapshot.get("cta_text", ""))),
        }
    return body


def image_upload(*, owner: str, account_urn: str, name: str) -> dict[str, Any]:
    """images?action=initializeUpload (contract R14): an organization or person owns the image, the ad
    account is named in mediaLibraryMetadata so its ads may use it."""
    return {
        "initializeUploadRequest": {
            "owner": owner,
            "mediaLibraryMetadata": {"associatedAccount": account_urn, "assetName": name},
        }
    }


def message_batches(items: list[MessagePayload]) -> list[list[MessagePayload]]:
    """The messages in BATCH_CREATE calls, leaves first: each batch holds the messages whose buttons
    point only at messages of earlier batches (a message's level is one more than its deepest target).
    Deterministic, so a retried sync batches the same tree the same way."""
    level: dict[str, int] = {}
    for item in items:  # already leaves first: every target comes before the messages pointing at it
        level[item.ref] = 1 + max((level[d] for d in item.depends_on), default=-1)
    batches: list[list[MessagePayload]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for item in items:
        batches[level[item.ref]].append(item)
    return batches


def test_send(*, content_urn: str, campaign_urn: str, creative_urn: str, account_urn: str) -> dict[str, Any]:
    """The parameters of the `sendTestInMail` action."""
    return {
        "adInMailContentId": content_urn,
        "campaign": campaign_urn,
        "creative": creative_urn,
        "account": account_urn,
    }


def _banner_calls(
    snapshot: Mapping[str, Any], account_urn: str, image_urn: str | None
) -> list[dict[str, Any]]:
    if not snapshot.get("banner") or image_urn:
        return []
    return [
        {
            "call": "POST /rest/images?action=initializeUpload",
            "body": image_upload(
                owner="urn:li:organization:(the ad account's organization)",
                account_urn=account_urn,
                name=str((snapshot.get("banner") or {}).get("name", "banner")),
            ),
        }
    ]


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
    if "tree" in snapshot:
        return conversation_preview(
            snapshot,
            account_urn=account_urn,
            campaign_urn=campaign_urn,
            ad_id=ad_id,
            content_urn=content_urn,
            image_urn=image_urn,
        )
    account = account_urn or "urn:li:sponsoredAccount:(not connected)"
    body = content(snapshot, account_urn=account, image_urn=image_urn)
    return {
        "calls": _banner_calls(snapshot, account, image_urn)
        + _content_and_creative_calls(
            body,
            content_urn=content_urn,
            campaign_urn=campaign_urn or "urn:li:sponsoredCampaign:(choose a campaign)",
            name=creative_name(ad_id=ad_id, ad_name=snapshot.get("name", "")),
            snapshot=snapshot,
        )
    }


def _content_and_creative_calls(
    body: dict[str, Any],
    *,
    content_urn: str | None,
    campaign_urn: str,
    name: str,
    snapshot: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """The last two calls of either kind's preview: create (or update) the inMailContent, then the creative."""
    if content_urn:
        first = {
            "call": f"POST /rest/inMailContents/{content_urn} (PARTIAL_UPDATE)",
            "body": {"patch": {"$set": {k: body[k] for k in UPDATABLE if k in body}}},
        }
    else:
        first = {"call": "POST /rest/inMailContents", "body": body}
    return [
        first,
        {
            "call": "POST /rest/adAccounts/{account}/creatives",
            "body": creative(
                campaign_urn=campaign_urn,
                content_urn=content_urn or "urn:li:adInMailContent:(from the call above)",
                name=name,
                snapshot=snapshot,
            ),
        },
    ]


# --- conversation ads --------------------------------------------------------------------------

# Where "Show API payload" can't know a URN before the sync has created it.
PENDING_CONVERSATION = "urn:li:sponsoredConversation:(created by the first call)"


def conversation(*, account_urn: str) -> dict[str, Any]:
    """The `conversationAds` create: only the account; the first message is set once the messages exist."""
    return {"parentAccount": account_urn}


def conversation_tree_hash(tree: Mapping[str, Any]) -> str:
    """What a conversation on LinkedIn holds, as a hash: the mapped messages and the first one.

    Two revisions that differ only outside the tree (subject, sender) share a hash, so a
    re-sync reuses the conversation; any change to a message or button makes a new one
    (LinkedIn can't delete messages). Raises TreeNotSyncable for a tree that can't be mapped.
    """
    items = [[item.ref, item.body] for item in message_payloads(tree)]
    canonical = json.dumps({"first": first_message_ref(tree), "messages": items}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def conversation_sub_content(
    snapshot: Mapping[str, Any], *, conversation_urn: str, image_urn: str | None = None
) -> dict[str, Any]:
    inner: dict[str, Any] = {"sponsoredConversation": conversation_urn}
    if snapshot.get("banner"):
        inner["rightRailAdPicture"] = image_urn or PENDING_IMAGE
    return {"guidedReplies": inner}


def conversation_content(
    snapshot: Mapping[str, Any], *, account_urn: str, conversation_urn: str, image_urn: str | None = None
) -> dict[str, Any]:
    """The `inMailContents` shell of a conversation ad: sender, subject, footer, and the conversation."""
    sender = snapshot.get("sender") or {}
    body: dict[str, Any] = {
        "account": account_urn,
        "name": snapshot.get("name", ""),
        "sender": sender.get("urn", ""),
        "subject": snapshot.get("subject", ""),
        "subContent": conversation_sub_content(
            snapshot, conversation_urn=conversation_urn, image_urn=image_urn
        ),
    }
    if snapshot.get("footer"):
        body["customFooter"] = snapshot["footer"]
    return body


def conversation_content_update(
    snapshot: Mapping[str, Any], *, account_urn: str, conversation_urn: str, image_urn: str | None = None
) -> dict[str, Any]:
    """The `$set` bringing an existing conversation ad's inMailContent to this revision (and conversation)."""
    full = conversation_content(
        snapshot, account_urn=account_urn, conversation_urn=conversation_urn, image_urn=image_urn
    )
    return {name: full[name] for name in UPDATABLE if name in full}


def message_identity(entity: Mapping[str, Any]) -> str:
    """A message as LinkedIn keeps it, reduced to what identifies it: its body and its buttons.

    Used to recognise, among a conversation's messages, one whose create lost its answer.
    Only what LinkedIn stores is compared (a thank-you button keeps no nextContent).
    """
    options = []
    for option in (entity.get("nextAction") or {}).get("options", []):
        reply = option.get("replyType")
        options.append(
            [
                option.get("optionText", ""),
                reply,
                option.get("nextContent", "") if reply in ("SIMPLE_REPLY", "LEAD_GENERATION") else "",
                option.get("landingPage", "") if reply == "EXTERNAL_WEBSITE" else "",
            ]
        )
    return json.dumps([entity.get("bodySource") or {}, options], sort_keys=True)


def conversation_preview(
    snapshot: Mapping[str, Any],
    *,
    account_urn: str,
    campaign_urn: str,
    ad_id: int,
    content_urn: str | None = None,
    image_urn: str | None = None,
) -> dict[str, Any]:
    """The calls a conversation ad's sync makes, in order: conversation, messages leaves first, the
    first message, the inMailContent, the creative. Message URNs show as `{{message:m12}}` placeholders."""
    account = account_urn or "urn:li:sponsoredAccount:(not connected)"
    calls: list[dict[str, Any]] = [
        *_banner_calls(snapshot, account, image_urn),
        {"call": "POST /rest/conversationAds", "body": conversation(account_urn=account)},
    ]
    tree = snapshot.get("tree") or {}
    try:
        items = message_payloads(tree)
        first = placeholder(first_message_ref(tree))
    except TreeNotSyncable as error:
        calls.append({"call": "(the messages can't be mapped yet)", "body": {"problem": str(error)}})
        items, first = [], ""
    for batch in message_batches(items):
        calls.append(
            {
                "call": "POST /rest/conversationAds/{conversation}/sponsoredMessageContents (BATCH_CREATE: "
                + ", ".join(item.ref for item in batch)
                + ")",
                "body": {"elements": [item.body for item in batch]},
            }
        )
    if first:
        calls.append(
            {
                "call": "POST /rest/conversationAds/{conversation} (PARTIAL_UPDATE)",
                "body": {"patch": {"$set": {"firstMessageContent": first}}},
            }
        )
    body = conversation_content(
        snapshot, account_urn=account, conversation_urn=PENDING_CONVERSATION, image_urn=image_urn
    )
    calls += _content_and_creative_calls(
        body,
        content_urn=content_urn,
        campaign_urn=campaign_urn or "urn:li:sponsoredCampaign:(choose a conversation campaign)",
        name=creative_name(ad_id=ad_id, ad_name=snapshot.get("name", "")),
        snapshot=snapshot,
    )
    return {"calls": calls}
