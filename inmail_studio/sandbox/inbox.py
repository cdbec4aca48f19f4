"""What a test InMail looks like when it arrives: the app's preview snapshot, built from LinkedIn's JSON.

The test inbox renders messages with `inmail_studio.ads.preview`, the one
renderer the editor, the review page and the share link use, so a test send
shows exactly what the author previewed. This module only translates an
inMailContent (and its conversation) into that renderer's snapshot.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from inmail_studio.ads.models import CtaKind, Kind

from .models import Conversation, Image, Member


def _member_snapshot(urn: str) -> dict[str, Any] | None:
    member = Member.objects.filter(slug=urn.removeprefix("urn:li:person:")).first()
    if member is None:
        return {"urn": urn, "name": urn, "headline": "", "photo": ""}
    return {
        "urn": member.urn,
        "name": member.name,
        "headline": member.headline,
        "photo": reverse("sandbox:member_photo", args=[member.slug]) if member.photo else "",
    }


def _banner(urn: str | None) -> dict[str, Any] | None:
    if not urn:
        return None
    image = Image.objects.filter(key=urn.removeprefix("urn:li:image:"), status=Image.Status.AVAILABLE).first()
    if image is None:
        return None
    return {"urn": image.urn, "url": reverse("sandbox:image_file", args=[image.key]), "name": image.urn}


def _conversation(urn: str) -> Conversation | None:
    number = urn.removeprefix("urn:li:sponsoredConversation:")
    return Conversation.objects.filter(pk=int(number)).first() if number.isdigit() else None


def conversation_of(data: dict[str, Any]) -> dict[str, Any]:
    """The conversation tree frozen for the inbox: `{"first": n, "messages": {n: {...}}}`, or {}."""
    guided = data.get("subContent", {}).get("guidedReplies")
    if not guided:
        return {}
    conversation = _conversation(guided.get("sponsoredConversation", ""))
    if conversation is None:
        return {}
    messages: dict[str, Any] = {}
    by_urn = {m.urn: m.number for m in conversation.messages.all()}
    for message in conversation.messages.all():
        source = message.data.get("bodySource", {})
        options = []
        for option in message.data.get("nextAction", {}).get("options", []):
            options.append(
                {
                    "text": option.get("optionText", ""),
                    "reply_type": option.get("replyType", ""),
                    "next": by_urn.get(option.get("nextContent", "")),
                    "landing_page": option.get("landingPage", ""),
                }
            )
        messages[str(message.number)] = {
            "text": source.get("text", ""),
            "lead_form": source.get("leadGenerationForm", ""),
            "options": options,
        }
    first = (
        conversation.first_message.number
        if conversation.first_message
        else min(map(int, messages), default=0)
    )
    return {"urn": conversation.urn, "first": first, "messages": messages}


def snapshot_of(data: dict[str, Any]) -> dict[str, Any]:
    """The preview renderer's snapshot for an inMailContent (keys as `ads.snapshots.build` makes them)."""
    sub = data.get("subContent", {})
    kind = next(iter(sub), "regular")
    inner = sub.get(kind, {})
    snapshot: dict[str, Any] = {
        "kind": Kind.CONVERSATION if kind == "guidedReplies" else Kind.MESSAGE,
        "name": data.get("name", ""),
        "sender": _member_snapshot(data.get("sender", "")),
        "subject": data.get("subject", ""),
        "body": data.get("htmlBody", ""),
        "footer": data.get("customFooter", ""),
        "cta_kind": CtaKind.LEAD_FORM if kind == "form" else CtaKind.LANDING_PAGE,
        "cta_text": inner.get("callToActionText", ""),
        "landing_page_url": inner.get("callToActionLandingPageUrl", ""),
        "lead_form_urn": inner.get("leadGenerationForm", ""),
        "banner": _banner(inner.get("rightRailAdPicture")),
    }
    if kind == "guidedReplies" and not snapshot["body"]:
        tree = conversation_of(data)
        first = tree.get("messages", {}).get(str(tree.get("first")), {})
        snapshot["body"] = first.get("text", "")
    return snapshot


def step_snapshot(snapshot: dict[str, Any], conversation: dict[str, Any], number: int) -> dict[str, Any]:
    """The snapshot as the member sees it at message `number` of a conversation walk."""
    message = conversation.get("messages", {}).get(str(number), {})
    body = message.get("text") or ("<p>(Lead generation form)</p>" if message.get("lead_form") else "")
    return {**snapshot, "body": body}
