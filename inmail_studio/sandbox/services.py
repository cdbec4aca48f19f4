"""Every write the sandbox makes, as LinkedIn would make it: validated, locked, in one transaction."""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from inmail_studio.ads import limits

from . import inbox, validation
from .models import (
    AdAccount,
    Campaign,
    Conversation,
    ConversationMessage,
    Creative,
    FaultConfig,
    Image,
    InboxMessage,
    InMailContent,
    Member,
    unique_or_none,
)
from .restli import RestliError, unprocessable, urn_id

IMAGE_UPLOAD_TTL = timedelta(hours=1)
# leadgenCallToAction labels practitioners send (contract R24, unconfirmed for message ads).
LEADGEN_LABELS = (
    "APPLY",
    "DOWNLOAD",
    "VIEW_QUOTE",
    "LEARN_MORE",
    "SIGN_UP",
    "SUBSCRIBE",
    "REGISTER",
    "REQUEST_DEMO",
    "JOIN",
    "ATTEND",
    "UNLOCK_FULL_DOCUMENT",
)
CAMPAIGN_FORMATS = ("SPONSORED_INMAIL", "SPONSORED_MESSAGE")
CAMPAIGN_STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED", "COMPLETED", "CANCELED", "DRAFT")


def content_is_live(urn: str) -> bool:
    """Whether an ACTIVE creative uses this content: LinkedIn then refuses any change to it."""
    return Creative.objects.filter(content_reference=urn, intended_status=Creative.Status.ACTIVE).exists()


def conversation_is_live(conversation: Conversation) -> bool:
    contents = InMailContent.objects.filter(
        data__subContent__guidedReplies__sponsoredConversation=conversation.urn
    )
    return any(content_is_live(c.urn) for c in contents)


def _locked(what: str) -> RestliError:
    return unprocessable(
        "INMAIL_CONTENT_IMMUTABLE",
        f"{what} is used by an ACTIVE creative and can no longer be changed.",
    )


# --- inMailContents -----------------------------------------------------------------------------


# One INSERT after reads that lock nothing: no transaction of its own (its BEGIN and COMMIT were two
# of a call's round trips). The same holds for `creative_create`.
def inmail_content_create(*, account: AdAccount, member: Member, data: dict[str, Any]) -> InMailContent:
    clean = validation.inmail_content(data, account=account)
    return InMailContent.objects.create(account=account, data=clean, created_by=member, modified_by=member)


@transaction.atomic
def inmail_content_update(*, content_id: int, member: Member, fields: dict[str, Any]) -> InMailContent:
    content = InMailContent.objects.select_for_update().select_related("account").get(pk=content_id)
    if "account" in fields and fields["account"] != content.account.urn:
        raise unprocessable("FIELD_NOT_UPDATABLE", "account cannot be changed.", field="account")
    if content_is_live(content.urn):
        raise _locked(content.urn)
    merged = {**content.data, **fields}
    content.data = validation.inmail_content(merged, account=content.account)
    content.modified_by = member
    content.save()
    return content


# --- campaigns and creatives --------------------------------------------------------------------


@transaction.atomic
def campaign_create(*, account: AdAccount, data: dict[str, Any]) -> Campaign:
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise unprocessable("REQUIRED_FIELD_MISSING", "name is required.", field="name")
    kind = data.get("type", "SPONSORED_INMAILS")
    if kind != "SPONSORED_INMAILS":
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD", "The sandbox only knows SPONSORED_INMAILS campaigns.", field="type"
        )
    fmt = data.get("format", "SPONSORED_INMAIL")
    if fmt not in CAMPAIGN_FORMATS:
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD", f"format must be one of {CAMPAIGN_FORMATS}.", field="format"
        )
    status = data.get("status", "DRAFT")
    if status not in CAMPAIGN_STATUSES:
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD", f"status must be one of {CAMPAIGN_STATUSES}.", field="status"
        )
    return Campaign.objects.create(account=account, name=name.strip(), type=kind, format=fmt, status=status)


def _content_in(account: AdAccount, reference: Any) -> InMailContent:
    number = urn_id(reference, "adInMailContent", "content.reference")
    content = unique_or_none(InMailContent.objects.filter(pk=number, account=account))
    if content is None:
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD",
            f"content.reference {reference} does not exist in {account.urn}.",
            field="content.reference",
        )
    return content


def creative_create(*, account: AdAccount, member: Member, data: dict[str, Any]) -> Creative:
    campaign_id = urn_id(data.get("campaign"), "sponsoredCampaign", "campaign")
    campaign = unique_or_none(Campaign.objects.filter(pk=campaign_id, account=account))
    if campaign is None:
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD",
            f"campaign {data.get('campaign')} does not exist in {account.urn}.",
            field="campaign",
        )
    content_ref = (
        (data.get("content") or {}).get("reference") if isinstance(data.get("content"), dict) else None
    )
    content = _content_in(account, content_ref)
    is_conversation = "guidedReplies" in content.data.get("subContent", {})
    wanted = "SPONSORED_MESSAGE" if is_conversation else "SPONSORED_INMAIL"
    if campaign.format != wanted:
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD",
            f"A {'conversation' if is_conversation else 'message'} ad needs a {wanted} campaign; "
            f"{campaign.urn} is {campaign.format}.",
            field="campaign",
        )
    status = data.get("intendedStatus", Creative.Status.DRAFT)
    if status not in Creative.Status.values:
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD",
            f"intendedStatus must be one of {Creative.Status.values}.",
            field="intendedStatus",
        )
    stray = set(data) - {"campaign", "content", "intendedStatus", "name", "leadgenCallToAction"}
    if stray:
        name = sorted(stray)[0]
        raise unprocessable("UNRECOGNIZED_FIELD", f"Unrecognized field {name}.", field=name)
    form, label = _leadgen(data.get("leadgenCallToAction"), account, "leadgenCallToAction")
    lead_form_named(content, form)
    if status == Creative.Status.ACTIVE:
        validation.sender_check(content.data.get("sender"), account, field="content.reference.sender")
    name = data.get("name") or ""
    if not isinstance(name, str) or len(name) > limits.AD_NAME.maximum:
        raise unprocessable(
            "FIELD_VALUE_TOO_LONG", f"name: {limits.AD_NAME.message(len(str(name)))}", field="name"
        )
    return Creative.objects.create(
        account=account,
        campaign=campaign,
        content_reference=content.urn,
        name=name,
        intended_status=status,
        leadgen_form=form,
        leadgen_label=label,
        created_by=member,
        modified_by=member,
    )


def _leadgen(value: Any, account: AdAccount, field: str) -> tuple[str, str]:
    """A creative's leadgenCallToAction {destination: urn:li:adForm:N, label}, checked; ("", "") when absent."""
    if value is None:
        return "", ""
    if not isinstance(value, dict) or set(value) - {"destination", "label"}:
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD", f"{field} must be {{destination, label}}.", field=field
        )
    form = validation.lead_form_check(value.get("destination"), account, f"{field}.destination")
    label = value.get("label", "")
    if label not in LEADGEN_LABELS:
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD",
            f"{field}.label must be one of {', '.join(LEADGEN_LABELS)}.",
            field=f"{field}.label",
        )
    return form, str(label)


def lead_form_named(content: InMailContent, creative_form: str) -> str:
    """The form a lead-gen message ad opens: named on the creative or on the content; 422 if neither.

    LinkedIn's sources disagree on where a message ad names its form (the content's
    subContent.form.leadGenerationForm, the creative's leadgenCallToAction); the sandbox
    accepts either (contract R17, R24) and refuses a lead-gen ad that names it nowhere.
    """
    form_sub = content.data.get("subContent", {}).get("form")
    if form_sub is None:
        return ""
    form = creative_form or str(form_sub.get("leadGenerationForm") or "")
    if not form:
        raise unprocessable(
            "LEAD_GEN_FORM_MISSING",
            f"{content.urn} is a lead gen message ad but no lead form is named: set the creative's "
            "leadgenCallToAction.destination (or the content's subContent.form.leadGenerationForm).",
            field="leadgenCallToAction.destination",
        )
    return form


@transaction.atomic
def creative_update(*, creative_id: int, member: Member, fields: dict[str, Any]) -> Creative:
    creative = Creative.objects.select_for_update().select_related("account").get(pk=creative_id)
    stray = set(fields) - {"intendedStatus", "name", "leadgenCallToAction"}
    if stray:
        name = sorted(stray)[0]
        raise unprocessable("FIELD_NOT_UPDATABLE", f"{name} cannot be changed on a creative.", field=name)
    if "leadgenCallToAction" in fields:
        creative.leadgen_form, creative.leadgen_label = _leadgen(
            fields["leadgenCallToAction"], creative.account, "leadgenCallToAction"
        )
    if "intendedStatus" in fields:
        status = fields["intendedStatus"]
        if status not in Creative.Status.values:
            raise unprocessable(
                "INVALID_VALUE_FOR_FIELD",
                f"intendedStatus must be one of {Creative.Status.values}.",
                field="intendedStatus",
            )
        if status == Creative.Status.ACTIVE:
            content = InMailContent.objects.get(
                pk=urn_id(creative.content_reference, "adInMailContent", "content")
            )
            lead_form_named(content, creative.leadgen_form)
            validation.sender_check(
                content.data.get("sender"), creative.account, field="content.reference.sender"
            )
        creative.intended_status = status
    if "name" in fields:
        if not isinstance(fields["name"], str) or len(fields["name"]) > limits.AD_NAME.maximum:
            raise unprocessable("FIELD_VALUE_TOO_LONG", "name is too long.", field="name")
        creative.name = fields["name"]
    creative.modified_by = member
    creative.save()
    return creative


# --- test sends ---------------------------------------------------------------------------------


@transaction.atomic
def test_inmail_send(*, content: InMailContent, member: Member, params: dict[str, Any]) -> InboxMessage:
    """Deliver the content to the caller's own test inbox, as LinkedIn's sendTestInMail does."""
    account = content.account
    if params.get("account") and params["account"] != account.urn:
        raise unprocessable("INVALID_VALUE_FOR_FIELD", "account does not own this content.", field="account")
    if not params.get("campaign"):
        raise unprocessable("REQUIRED_FIELD_MISSING", "A test send needs a campaign.", field="campaign")
    campaign = Campaign.objects.filter(
        pk=urn_id(params["campaign"], "sponsoredCampaign", "campaign"), account=account
    ).first()
    if campaign is None:
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD",
            f"campaign {params['campaign']} does not exist in {account.urn}.",
            field="campaign",
        )
    if not params.get("creative"):
        raise unprocessable("REQUIRED_FIELD_MISSING", "A test send needs a creative.", field="creative")
    creative = Creative.objects.filter(
        pk=urn_id(params["creative"], "sponsoredCreative", "creative"), account=account
    ).first()
    if creative is None or creative.campaign_id != campaign.pk or creative.content_reference != content.urn:
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD",
            f"creative {params['creative']} must belong to {campaign.urn} and reference {content.urn}.",
            field="creative",
        )
    form = lead_form_named(content, creative.leadgen_form)
    validation.sender_check(content.data.get("sender"), account)
    return InboxMessage.objects.create(
        recipient=member,
        content_urn=content.urn,
        campaign_urn=campaign.urn,
        creative_urn=creative.urn,
        snapshot=inbox.snapshot_of(content.data, lead_form=form),
        conversation=inbox.conversation_of(content.data),
    )


# --- conversation ads ---------------------------------------------------------------------------


@transaction.atomic
def conversation_create(*, account: AdAccount, data: dict[str, Any]) -> Conversation:
    stray = set(data) - {"parentAccount", "firstMessageContent"}
    if stray:
        name = sorted(stray)[0]
        raise unprocessable("UNRECOGNIZED_FIELD", f"Unrecognized field {name}.", field=name)
    if data.get("firstMessageContent"):
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD",
            "firstMessageContent is set by a partial update once the messages exist.",
            field="firstMessageContent",
        )
    return Conversation.objects.create(account=account)


@transaction.atomic
def conversation_update(*, conversation_id: int, fields: dict[str, Any]) -> Conversation:
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    stray = set(fields) - {"firstMessageContent"}
    if stray:
        name = sorted(stray)[0]
        raise unprocessable("FIELD_NOT_UPDATABLE", f"{name} cannot be changed.", field=name)
    if conversation_is_live(conversation):
        raise _locked(conversation.urn)
    number = validation.message_number(fields.get("firstMessageContent"), conversation, "firstMessageContent")
    first = conversation.messages.filter(number=number).first()
    if first is None:
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD", "firstMessageContent does not exist.", field="firstMessageContent"
        )
    conversation.first_message = first
    conversation.save(update_fields=["first_message"])
    return conversation


def _message_create(conversation: Conversation, data: dict[str, Any]) -> ConversationMessage:
    if conversation.messages.count() >= limits.MESSAGES_PER_CONVERSATION.maximum:
        count = conversation.messages.count() + 1
        raise unprocessable("TOO_MANY_MESSAGES", limits.MESSAGES_PER_CONVERSATION.message(count))
    clean = validation.message_content(data, conversation=conversation, number=None)
    number = (conversation.messages.aggregate(top=Max("number"))["top"] or 0) + 1
    return ConversationMessage.objects.create(conversation=conversation, number=number, data=clean)


@transaction.atomic
def messages_create(*, conversation_id: int, elements: list[dict[str, Any]]) -> list[ConversationMessage]:
    """Create messages in order (a batch may point at messages created earlier in the same batch)."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    if conversation_is_live(conversation):
        raise _locked(conversation.urn)
    return [_message_create(conversation, data) for data in elements]


@transaction.atomic
def message_update(*, conversation_id: int, number: int, fields: dict[str, Any]) -> ConversationMessage:
    conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
    message = conversation.messages.get(number=number)
    if conversation_is_live(conversation):
        raise _locked(conversation.urn)
    merged = {**message.data, **fields}
    clean = validation.message_content(merged, conversation=conversation, number=number)
    validation.conversation_cycle_check(conversation, {number: clean})
    message.data = clean
    message.save(update_fields=["data"])
    return message


# --- images -------------------------------------------------------------------------------------


@transaction.atomic
def image_initialize(
    *, caller_urn: str, request: dict[str, Any], account_for: Callable[..., AdAccount]
) -> Image:
    """R14: an image owned by an organization or a person, in an ad account's media library.

    LinkedIn's Images API documents `owner` as an organization or person URN and, for ads,
    `mediaLibraryMetadata.associatedAccount`. The owner must be the account's organization (its
    `reference`) or the caller; the caller needs a writing role on the associated account.
    """
    owner = request.get("owner")
    field = "initializeUploadRequest.owner"
    if not isinstance(owner, str) or not (
        owner.startswith("urn:li:organization:") or owner.startswith("urn:li:person:")
    ):
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD",
            f"{field} must be an organization or person URN; got {owner!r}.",
            field=field,
        )
    stray = set(request) - {"owner", "mediaLibraryMetadata"}
    if stray:
        name = sorted(stray)[0]
        raise unprocessable(
            "UNRECOGNIZED_FIELD", f"Unrecognized field {name}.", field=f"initializeUploadRequest.{name}"
        )
    associated = ""
    metadata = request.get("mediaLibraryMetadata")
    if metadata is not None:
        meta_field = "initializeUploadRequest.mediaLibraryMetadata.associatedAccount"
        if not isinstance(metadata, dict):
            raise unprocessable(
                "INVALID_VALUE_FOR_FIELD", "mediaLibraryMetadata must be an object.", field=meta_field
            )
        account = account_for(
            urn_id(metadata.get("associatedAccount"), "sponsoredAccount", meta_field), write=True
        )
        associated = account.urn
        if owner not in (account.reference, caller_urn):
            raise unprocessable(
                "INVALID_VALUE_FOR_FIELD",
                f"{field}: {owner} is neither {account.urn}'s organization ({account.reference}) nor the caller.",
                field=field,
            )
    elif owner != caller_urn:
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD",
            f"{field}: without mediaLibraryMetadata an image can only be the caller's own.",
            field=field,
        )
    return Image.objects.create(
        key=f"D4E10AQ{secrets.token_hex(8).upper()}",
        owner=owner,
        associated_account=associated,
        upload_token=secrets.token_urlsafe(32),
        upload_expires_at=timezone.now() + IMAGE_UPLOAD_TTL,
    )


@transaction.atomic
def image_upload(*, upload_token: str, content: bytes) -> Image:
    image = Image.objects.select_for_update().filter(upload_token=upload_token).first()
    if image is None or image.upload_expires_at <= timezone.now():
        raise RestliError(404, "NOT_FOUND", "This upload URL does not exist or has expired.")
    if len(content) > limits.BANNER_MAX_BYTES:
        raise RestliError(
            400,
            "INVALID_ARGUMENT",
            f"The image is {len(content):,} bytes; at most {limits.BANNER_MAX_BYTES:,}.",
        )
    try:
        picture = PILImage.open(io.BytesIO(content))
        picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, PILImage.DecompressionBombError) as error:
        raise RestliError(400, "INVALID_ARGUMENT", "The upload is not a readable image.") from error
    if picture.format not in limits.BANNER_FORMATS:
        raise RestliError(400, "INVALID_ARGUMENT", f"Images must be JPEG or PNG; got {picture.format}.")
    image.content = content
    image.content_type = f"image/{picture.format.lower()}"
    image.width, image.height = picture.size
    image.status = Image.Status.AVAILABLE
    image.save()
    return image


# --- faults -------------------------------------------------------------------------------------


@transaction.atomic
def faults_configure(
    *,
    latency_ms: int = 0,
    error_rate: float = 0.0,
    throttle_rate: float = 0.0,
    hang_rate: float = 0.0,
    drop_rate: float = 0.0,
    seed: str = "",
    queue: str = "",
) -> FaultConfig:
    """Set the faults every REST call suffers unless its request carries its own header."""
    config, _ = FaultConfig.objects.select_for_update().get_or_create(pk=1)
    config.latency_ms = latency_ms
    config.error_rate = error_rate
    config.throttle_rate = throttle_rate
    config.hang_rate = hang_rate
    config.drop_rate = drop_rate
    config.seed = seed
    config.queue = queue
    config.save()
    return config
