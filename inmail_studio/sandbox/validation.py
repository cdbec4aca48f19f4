"""What LinkedIn checks before it accepts an entity, with the limits read from `ads.limits`.

Every function raises `RestliError` (422 for a value LinkedIn refuses) naming
the field, or returns the cleaned entity as it will be stored.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from inmail_studio.ads import limits

from .models import (
    AdAccount,
    Conversation,
    ConversationMessage,
    Image,
    LeadForm,
    Member,
    SenderPermission,
    unique_or_none,
)
from .restli import RestliError, unprocessable, urn_id

INMAIL_WRITABLE = ("name", "account", "sender", "subject", "htmlBody", "customFooter", "subContent")
INMAIL_READ_ONLY = ("id", "createdAt", "createdBy", "lastModifiedAt", "lastModifiedBy")
SUB_CONTENT_KINDS = ("regular", "form", "guidedReplies")
SUB_CONTENT_FIELDS = {
    "regular": {"callToActionText", "callToActionLandingPageUrl", "rightRailAdPicture"},
    "form": {"callToActionText", "rightRailAdPicture", "leadGenerationForm"},
    "guidedReplies": {"sponsoredConversation", "rightRailAdPicture"},
}
REPLY_TYPES = ("SIMPLE_REPLY", "EXTERNAL_WEBSITE", "LEAD_GENERATION", "LEAD_GENERATION_THANK_YOU")


def _text(data: dict[str, Any], key: str, *, required: bool, limit: limits.Limit | None = None) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise unprocessable("REQUIRED_FIELD_MISSING", f"{key} is required.", field=key)
        return ""
    if not isinstance(value, str):
        raise unprocessable("INVALID_VALUE_FOR_FIELD", f"{key} must be a string.", field=key)
    if limit is not None and limits.count_characters(value) > limit.maximum:
        raise unprocessable(
            "FIELD_VALUE_TOO_LONG", f"{key}: {limit.message(limits.count_characters(value))}", field=key
        )
    return value


def _url(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value:
        raise unprocessable("REQUIRED_FIELD_MISSING", f"{field} is required.", field=field)
    parts = urlsplit(value)
    if parts.scheme not in limits.LANDING_PAGE_SCHEMES or not parts.netloc:
        raise unprocessable(
            "INVALID_URL", f"{field} must be an http:// or https:// URL; got {value!r}.", field=field
        )
    if limits.count_characters(value) > limits.LANDING_PAGE_URL.maximum:
        raise unprocessable(
            "FIELD_VALUE_TOO_LONG",
            f"{field}: {limits.LANDING_PAGE_URL.message(limits.count_characters(value))}",
            field=field,
        )
    return value


def sender_check(sender: Any, account: AdAccount, field: str = "sender") -> str:
    """A sender must be a member with an APPROVED sender permission on the account."""
    if not isinstance(sender, str) or not sender:
        raise unprocessable("REQUIRED_FIELD_MISSING", f"{field} is required.", field=field)
    if sender.startswith("urn:li:person:"):
        slug = sender.removeprefix("urn:li:person:")
        # One permission per sender and account (a unique constraint).
        permission = unique_or_none(
            SenderPermission.objects.filter(account=account, member__slug=slug).values_list(
                "state", flat=True
            )
        )
        if permission == SenderPermission.State.APPROVED:
            return sender
        state = permission.lower() if permission else "never requested"
        raise unprocessable(
            "SINMAIL_SENDER_NOT_APPROVED",
            f"Sender {sender} has not approved sending Message Ads for account {account.urn} (permission {state}).",
            field=field,
        )
    if sender.startswith("urn:li:organization:"):
        raise unprocessable(
            "SINMAIL_SENDER_NOT_APPROVED",
            "Organization senders are not enabled for this account; contact LinkedIn support.",
            field=field,
        )
    raise unprocessable(
        "INVALID_VALUE_FOR_FIELD", f"{field} must be a person or organization URN.", field=field
    )


def lead_form_check(value: Any, account: AdAccount, field: str) -> str:
    """A lead gen form named by an ad must be one of the account's forms (leadForms?q=owner, R37)."""
    number = urn_id(value, "adForm", field)
    if (
        not LeadForm.objects.filter(pk=number, account=account)
        .exclude(state=LeadForm.State.ARCHIVED)
        .exists()
    ):
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD",
            f"{field}: lead gen form {value} is not a live form of {account.urn}.",
            field=field,
        )
    return str(value)


def banner_check(value: Any, account: AdAccount, field: str) -> str:
    if not isinstance(value, str) or not value.startswith("urn:li:image:"):
        raise unprocessable("INVALID_VALUE_FOR_FIELD", f"{field} must be an image URN.", field=field)
    image = Image.objects.filter(key=value.removeprefix("urn:li:image:")).first()
    if image is None:
        raise unprocessable("INVALID_VALUE_FOR_FIELD", f"{field}: image {value} does not exist.", field=field)
    if image.associated_account != account.urn:
        # An ad's image is uploaded into the account's media library (mediaLibraryMetadata, R14).
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD",
            f"{field}: image {value} is not in the media library of {account.urn} "
            "(initializeUpload's mediaLibraryMetadata.associatedAccount).",
            field=field,
        )
    if image.status != Image.Status.AVAILABLE:
        raise unprocessable("IMAGE_NOT_AVAILABLE", f"{field}: image {value} was never uploaded.", field=field)
    if (image.width, image.height) != (limits.BANNER_WIDTH, limits.BANNER_HEIGHT):
        raise unprocessable(
            "INVALID_IMAGE_DIMENSIONS",
            f"{field}: the banner is {image.width} × {image.height}; it must be "
            f"{limits.BANNER_WIDTH} × {limits.BANNER_HEIGHT}.",
            field=field,
        )
    return value


def inmail_content(data: dict[str, Any], *, account: AdAccount) -> dict[str, Any]:
    """Validate a whole inMailContent (a create, or an existing one with a patch applied)."""
    unknown = set(data) - set(INMAIL_WRITABLE) - set(INMAIL_READ_ONLY)
    if unknown:
        name = sorted(unknown)[0]
        raise unprocessable("UNRECOGNIZED_FIELD", f"Unrecognized field {name}.", field=name)
    sub = data.get("subContent")
    if not isinstance(sub, dict) or len([k for k in SUB_CONTENT_KINDS if k in sub]) != 1 or len(sub) != 1:
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD",
            "subContent must hold exactly one of regular, form or guidedReplies.",
            field="subContent",
        )
    kind = next(iter(sub))
    inner = sub[kind]
    if not isinstance(inner, dict):
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD", f"subContent.{kind} must be an object.", field="subContent"
        )
    stray = set(inner) - SUB_CONTENT_FIELDS[kind]
    if stray:
        name = sorted(stray)[0]
        raise unprocessable(
            "UNRECOGNIZED_FIELD",
            f"Unrecognized field subContent.{kind}.{name}.",
            field=f"subContent.{kind}.{name}",
        )
    is_conversation = kind == "guidedReplies"

    clean: dict[str, Any] = {"account": account.urn}
    clean["name"] = _text(data, "name", required=False, limit=limits.AD_NAME)
    clean["sender"] = sender_check(data.get("sender"), account)
    clean["subject"] = _text(data, "subject", required=True, limit=limits.SUBJECT)
    body = _text(data, "htmlBody", required=not is_conversation)
    if body and not is_conversation:
        problems = limits.body_errors(body)
        if problems:
            raise unprocessable("FIELD_VALUE_TOO_LONG", f"htmlBody: {problems[0]}", field="htmlBody")
        if not limits.visible_text(body):
            raise unprocessable("REQUIRED_FIELD_MISSING", "htmlBody has no text.", field="htmlBody")
    clean["htmlBody"] = body
    footer_limit = limits.CONVERSATION_FOOTER if is_conversation else limits.FOOTER
    clean["customFooter"] = _text(data, "customFooter", required=False, limit=footer_limit)

    path = f"subContent.{kind}"
    cleaned_inner: dict[str, Any] = {}
    if kind in ("regular", "form"):
        cleaned_inner["callToActionText"] = _text(
            inner, "callToActionText", required=True, limit=limits.CTA_TEXT
        )
    if kind == "regular":
        cleaned_inner["callToActionLandingPageUrl"] = _url(
            inner.get("callToActionLandingPageUrl"), f"{path}.callToActionLandingPageUrl"
        )
    if kind == "form" and inner.get("leadGenerationForm") is not None:
        cleaned_inner["leadGenerationForm"] = lead_form_check(
            inner["leadGenerationForm"], account, f"{path}.leadGenerationForm"
        )
    if kind == "guidedReplies":
        number = urn_id(
            inner.get("sponsoredConversation"), "sponsoredConversation", f"{path}.sponsoredConversation"
        )
        if not Conversation.objects.filter(pk=number, account=account).exists():
            raise unprocessable(
                "INVALID_VALUE_FOR_FIELD",
                f"{path}.sponsoredConversation: conversation {number} does not exist in {account.urn}.",
                field=f"{path}.sponsoredConversation",
            )
        cleaned_inner["sponsoredConversation"] = inner["sponsoredConversation"]
    if inner.get("rightRailAdPicture"):
        cleaned_inner["rightRailAdPicture"] = banner_check(
            inner["rightRailAdPicture"], account, f"{path}.rightRailAdPicture"
        )
    clean["subContent"] = {kind: cleaned_inner}
    return clean


# --- conversations ------------------------------------------------------------------------------


def message_number(urn: Any, conversation: Conversation, field: str) -> int:
    """The M of `urn:li:sponsoredMessageContent:(urn:li:sponsoredConversation:N,M)` within this conversation."""
    prefix = f"urn:li:sponsoredMessageContent:({conversation.urn},"
    if isinstance(urn, str) and urn.startswith(prefix) and urn.endswith(")"):
        number = urn[len(prefix) : -1]
        if number.isdigit():
            return int(number)
    raise unprocessable(
        "INVALID_VALUE_FOR_FIELD",
        f"{field} must be a message of {conversation.urn}; got {urn!r}.",
        field=field,
    )


def message_content(
    data: dict[str, Any], *, conversation: Conversation, number: int | None
) -> dict[str, Any]:
    """Validate one sponsoredMessageContent; buttons may only point at messages that exist."""
    allowed = {"bodySource", "nextAction", "id", "conversation"}
    unknown = set(data) - allowed
    if unknown:
        name = sorted(unknown)[0]
        raise unprocessable("UNRECOGNIZED_FIELD", f"Unrecognized field {name}.", field=name)
    source = data.get("bodySource")
    if (
        not isinstance(source, dict)
        or len(source) != 1
        or next(iter(source)) not in ("text", "leadGenerationForm")
    ):
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD",
            "bodySource must hold exactly one of text or leadGenerationForm.",
            field="bodySource",
        )
    clean: dict[str, Any] = {}
    if "text" in source:
        text = _text(source, "text", required=True)
        if limits.count_characters(text) > limits.CONVERSATION_BODY.maximum:
            raise unprocessable(
                "FIELD_VALUE_TOO_LONG",
                f"bodySource.text: {limits.CONVERSATION_BODY.message(limits.count_characters(text))}",
                field="bodySource.text",
            )
        emojis = limits.count_emojis(limits.visible_text(text))
        if emojis > limits.CONVERSATION_EMOJIS.maximum:
            raise unprocessable(
                "FIELD_VALUE_TOO_LONG",
                f"bodySource.text: {limits.CONVERSATION_EMOJIS.message(emojis)}",
                field="bodySource.text",
            )
        clean["bodySource"] = {"text": text}
    else:
        urn_id(source["leadGenerationForm"], "adForm", "bodySource.leadGenerationForm")
        clean["bodySource"] = {"leadGenerationForm": source["leadGenerationForm"]}

    next_action = data.get("nextAction") or {}
    options = next_action.get("options", []) if isinstance(next_action, dict) else None
    if not isinstance(options, list):
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD", "nextAction.options must be a list.", field="nextAction"
        )
    if len(options) > limits.BUTTONS_PER_MESSAGE.maximum:
        raise unprocessable(
            "TOO_MANY_OPTIONS",
            f"nextAction.options: {limits.BUTTONS_PER_MESSAGE.message(len(options))}",
            field="nextAction.options",
        )
    clean_options = []
    for i, option in enumerate(options):
        path = f"nextAction.options[{i}]"
        if not isinstance(option, dict):
            raise unprocessable("INVALID_VALUE_FOR_FIELD", f"{path} must be an object.", field=path)
        text = _text(option, "optionText", required=True, limit=limits.BUTTON_TEXT)
        reply = option.get("replyType")
        if reply not in REPLY_TYPES:
            raise unprocessable(
                "INVALID_VALUE_FOR_FIELD",
                f"{path}.replyType must be one of {', '.join(REPLY_TYPES)}.",
                field=path,
            )
        clean_option: dict[str, Any] = {"optionText": text, "replyType": reply}
        if reply == "EXTERNAL_WEBSITE":
            clean_option["landingPage"] = _url(option.get("landingPage"), f"{path}.landingPage")
        # A thank-you after a form may lead on to a message, as a simple reply does.
        if reply in ("SIMPLE_REPLY", "LEAD_GENERATION", "LEAD_GENERATION_THANK_YOU") and (
            option.get("nextContent") or reply == "LEAD_GENERATION"
        ):
            target_number = message_number(option.get("nextContent"), conversation, f"{path}.nextContent")
            target = ConversationMessage.objects.filter(
                conversation=conversation, number=target_number
            ).first()
            if target is None:
                raise unprocessable(
                    "INVALID_VALUE_FOR_FIELD",
                    f"{path}.nextContent: {option.get('nextContent')} does not exist; create messages from the leaves up.",
                    field=f"{path}.nextContent",
                )
            if number is not None and target_number == number:
                raise unprocessable(
                    "CYCLE_IN_CONVERSATION", f"{path}.nextContent points at itself.", field=path
                )
            if reply == "LEAD_GENERATION" and "leadGenerationForm" not in target.data.get("bodySource", {}):
                raise unprocessable(
                    "INVALID_VALUE_FOR_FIELD",
                    f"{path}.nextContent must be a lead generation form message.",
                    field=f"{path}.nextContent",
                )
            clean_option["nextContent"] = option["nextContent"]
        clean_options.append(clean_option)
    clean["nextAction"] = {"options": clean_options}
    return clean


def conversation_cycle_check(conversation: Conversation, changed: dict[int, dict[str, Any]]) -> None:
    """Refuse a tree that would loop: follow every nextContent from every message."""
    graph: dict[int, list[int]] = {}
    for message in conversation.messages.all():
        data = changed.get(message.number, message.data)
        targets = []
        for option in data.get("nextAction", {}).get("options", []):
            if option.get("nextContent"):
                targets.append(message_number(option["nextContent"], conversation, "nextContent"))
        graph[message.number] = targets
    state: dict[int, int] = {}

    def visit(node: int) -> None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                raise unprocessable(
                    "CYCLE_IN_CONVERSATION", "The conversation would loop back on itself.", field="nextAction"
                )
            if state.get(nxt) is None:
                visit(nxt)
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)


def member_for(urn: str) -> Member | None:
    return Member.objects.filter(slug=urn.removeprefix("urn:li:person:")).first()


__all__ = ["RestliError", "conversation_cycle_check", "inmail_content", "message_content", "sender_check"]
