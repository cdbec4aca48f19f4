"""What a test InMail looks like when it arrives: the app's preview snapshot, built from LinkedIn's JSON.

The test inbox renders messages with `inmail_studio.ads.preview`, the one
renderer the editor, the review page and the share link use, so a test send
shows exactly what the author previewed. This module only translates an
inMailContent (and its conversation) into that renderer's snapshot.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from inmail_studio.ads.models import ButtonAction, CtaKind, Kind, MessageKind

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


# LinkedIn's replyType → the preview tree's button action (the inverse of the app's payload mapping).
_ACTIONS = {
    "SIMPLE_REPLY": ButtonAction.MESSAGE,
    "EXTERNAL_WEBSITE": ButtonAction.WEBSITE,
    "LEAD_GENERATION": ButtonAction.LEAD_FORM,
    "LEAD_GENERATION_THANK_YOU": ButtonAction.THANK_YOU,
}


def conversation_of(data: dict[str, Any]) -> dict[str, Any]:
    """The conversation of a guidedReplies content as the preview renderer's tree, or {}.

    Messages become `m<N>` (N their number in the conversation), buttons `m<N>b<i>`; a
    SIMPLE_REPLY without nextContent ends the conversation, as on LinkedIn.
    """
    guided = data.get("subContent", {}).get("guidedReplies")
    if not guided:
        return {}
    conversation = _conversation(guided.get("sponsoredConversation", ""))
    if conversation is None:
        return {}
    stored = list(conversation.messages.all())
    ids = {m.urn: f"m{m.number}" for m in stored}
    messages = []
    for message in stored:
        source = message.data.get("bodySource", {})
        buttons = []
        for i, option in enumerate(message.data.get("nextAction", {}).get("options", []), start=1):
            target = ids.get(option.get("nextContent", ""))
            action = _ACTIONS.get(option.get("replyType", ""), ButtonAction.END)
            if action == ButtonAction.MESSAGE and target is None:
                action = ButtonAction.END
            buttons.append(
                {
                    "id": f"m{message.number}b{i}",
                    "text": option.get("optionText", ""),
                    "action": action,
                    "target": target,
                    "url": option.get("landingPage", ""),
                }
            )
        is_form = "leadGenerationForm" in source
        messages.append(
            {
                "id": f"m{message.number}",
                "name": f"Message {message.number}",
                "kind": MessageKind.FORM if is_form else MessageKind.TEXT,
                "body": source.get("text", ""),
                "form_urn": source.get("leadGenerationForm", ""),
                "buttons": buttons,
            }
        )
    first = conversation.first_message
    return {
        "lead_gen": any(m["kind"] == MessageKind.FORM for m in messages),
        "first": f"m{first.number}" if first else (messages[0]["id"] if messages else None),
        "messages": messages,
    }


def snapshot_of(data: dict[str, Any], *, lead_form: str = "") -> dict[str, Any]:
    """The preview renderer's snapshot for an inMailContent (keys as `ads.snapshots.build` makes them).

    `lead_form` is the form a lead-gen message ad opens when its creative names it.
    """
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
        "lead_form_urn": lead_form or inner.get("leadGenerationForm", ""),
        "banner": _banner(inner.get("rightRailAdPicture")),
    }
    if kind == "guidedReplies":
        snapshot["tree"] = conversation_of(data)
    return snapshot


def test_message_url(*, recipient_urn: str, creative_urn: str) -> str:
    """The sandbox inbox's page of the latest test message of this creative to this member, or ""
    (development: the ad's LinkedIn panel links straight to it)."""
    slug = recipient_urn.removeprefix("urn:li:person:")
    from .models import InboxMessage

    message = (
        InboxMessage.objects.filter(recipient__slug=slug, creative_urn=creative_urn)
        .order_by("-sent_at", "-id")
        .first()
        if creative_urn
        else None
    )
    return reverse("sandbox:inbox_message", args=[slug, message.pk]) if message else ""
