"""The REST resources under /sandbox/linkedin/rest/: one handler per row of the written contract.

`gateway.rest` finds the row a request matches (method, path, X-RestLi-Method, query) and calls
the handler registered for it here with `@serves("Rnn")`; CONTRACT.md says what each row
accepts and answers, and where LinkedIn documents it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from . import restli, services
from .gateway import Caller, bearer, check_scope, oauth_row, resolve_row, serves
from .models import (
    AccountRole,
    AdAccount,
    Campaign,
    Conversation,
    ConversationMessage,
    Creative,
    Image,
    InMailContent,
    LeadForm,
    Member,
    SenderPermission,
    unique_or_none,
)
from .restli import RestliError, created, json_response, no_content, numeric_id, urn_id

# --- entities as LinkedIn returns them ----------------------------------------------------------


def inmail_json(content: InMailContent) -> dict[str, Any]:
    return {
        **content.data,
        "id": content.urn,
        "account": content.account.urn,
        "createdAt": restli.epoch_ms(content.created_at),
        "createdBy": content.created_by.urn,
        "lastModifiedAt": restli.epoch_ms(content.modified_at),
        "lastModifiedBy": content.modified_by.urn,
    }


def account_json(account: AdAccount) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": account.name,
        "currency": account.currency,
        "status": account.status,
        "type": account.type,
        "reference": account.reference,
        "test": False,
        "servingStatuses": ["RUNNABLE"] if account.status == "ACTIVE" else ["ACCOUNT_TOTAL_BUDGET_HOLD"],
    }


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "account": campaign.account.urn,
        "name": campaign.name,
        "type": campaign.type,
        "format": campaign.format,
        "status": campaign.status,
        "changeAuditStamps": {
            "created": {"time": restli.epoch_ms(campaign.created_at)},
            "lastModified": {"time": restli.epoch_ms(campaign.modified_at)},
        },
    }


def creative_json(creative: Creative) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": creative.urn,
        "account": creative.account_urn,
        "campaign": creative.campaign_urn,
        "content": {"reference": creative.content_reference},
        "intendedStatus": creative.intended_status,
        "isServing": creative.intended_status == Creative.Status.ACTIVE,
        "name": creative.name,
        "createdAt": restli.epoch_ms(creative.created_at),
        "createdBy": creative.created_by.urn,
        "lastModifiedAt": restli.epoch_ms(creative.modified_at),
        "lastModifiedBy": creative.modified_by.urn,
    }
    if creative.leadgen_form:
        data["leadgenCallToAction"] = {"destination": creative.leadgen_form, "label": creative.leadgen_label}
    return data


def conversation_json(conversation: Conversation) -> dict[str, Any]:
    data: dict[str, Any] = {"id": conversation.pk, "parentAccount": conversation.account.urn}
    if conversation.first_message is not None:
        data["firstMessageContent"] = conversation.first_message.urn
    return data


def message_json(message: ConversationMessage) -> dict[str, Any]:
    return {**message.data, "id": message.urn, "conversation": message.conversation.urn}


def image_json(request: HttpRequest, image: Image) -> dict[str, Any]:
    data: dict[str, Any] = {"id": image.urn, "owner": image.owner, "status": image.status}
    if image.associated_account:
        data["mediaLibraryMetadata"] = {"associatedAccount": image.associated_account}
    if image.status == Image.Status.AVAILABLE:
        data["downloadUrl"] = request.build_absolute_uri(reverse("sandbox:image_file", args=[image.key]))
        data["downloadUrlExpiresAt"] = restli.epoch_ms(timezone.now()) + 3_600_000
    return data


def permission_json(permission: SenderPermission) -> dict[str, Any]:
    """R13: `{account, member, state}`, nothing decorated (the finder asks for no projection)."""
    return {"account": permission.account.urn, "member": permission.member.urn, "state": permission.state}


def lead_form_json(form: LeadForm) -> dict[str, Any]:
    return {
        "id": form.id,
        "name": form.name,
        "state": form.state,
        "owner": {"sponsoredAccount": form.account.urn},
        "versionId": 1,
    }


def _batch(keys: list[str], fetch: Any) -> HttpResponse:
    """A BATCH_GET answer: each key's entity, status and error, keyed by the key as sent."""
    results: dict[str, Any] = {}
    statuses: dict[str, int] = {}
    errors: dict[str, Any] = {}
    for key in keys:
        try:
            results[key] = fetch(key)
            statuses[key] = 200
        except RestliError as error:
            statuses[key] = error.status
            errors[key] = error.body()
    return json_response({"results": results, "statuses": statuses, "errors": errors})


def _search_values(search: Any, field: str) -> list[str] | None:
    if not isinstance(search, dict) or not isinstance(search.get(field), dict):
        return None
    values = search[field].get("values")
    return [str(v) for v in values] if isinstance(values, list) else None


def _search(request: HttpRequest) -> Any:
    search = restli.param(request, "search")
    if search is not None and not isinstance(search, dict):
        raise restli.bad_request(
            "search must be a Rest.li object, e.g. search=(status:(values:List(ACTIVE)))."
        )
    return search or {}


# --- inMailContents -----------------------------------------------------------------------------


def _content_for(caller: Caller, key: str, *, write: bool) -> InMailContent:
    number = numeric_id(key, "adInMailContent")
    content = (
        InMailContent.objects.select_related("account", "created_by", "modified_by").filter(pk=number).first()
    )
    if content is None:
        raise restli.not_found(f"adInMailContent {number}")
    if write:
        caller.require_write()
    caller.check_account(content.account, write=write)
    return content


@serves("R17")
def content_create(request: HttpRequest, caller: Caller) -> HttpResponse:
    body = restli.json_body(request)
    account = caller.account(urn_id(body.get("account"), "sponsoredAccount", "account"), write=True)
    content = services.inmail_content_create(account=account, member=caller.member, data=body)
    return created(content.urn)


@serves("R18")
def contents_batch_get(request: HttpRequest, caller: Caller) -> HttpResponse:
    ids = restli.ids_param(request)
    return _batch(ids, lambda key: inmail_json(_content_for(caller, key, write=False)))


@serves("R19")
def content_get(request: HttpRequest, caller: Caller, key: str) -> HttpResponse:
    return json_response(inmail_json(_content_for(caller, key, write=False)))


@serves("R20")
def content_update(request: HttpRequest, caller: Caller, key: str) -> HttpResponse:
    content = _content_for(caller, key, write=True)
    services.inmail_content_update(
        content_id=content.pk, member=caller.member, fields=restli.patch_set(request)
    )
    return no_content()


@serves("R21")
def send_test(request: HttpRequest, caller: Caller) -> HttpResponse:
    body = restli.json_body(request)
    content_urn = body.get("adInMailContentId")
    urn_id(content_urn, "adInMailContent", "adInMailContentId")
    content = _content_for(caller, str(content_urn), write=True)
    services.test_inmail_send(content=content, member=caller.member, params=body)
    return json_response({})


# --- adAccounts, users, campaigns, creatives ----------------------------------------------------


@serves("R07")
def ad_accounts_search(request: HttpRequest, caller: Caller) -> HttpResponse:
    accounts = AdAccount.objects.filter(roles__member=caller.member).order_by("id")
    statuses = _search_values(_search(request), "status")
    if statuses:
        accounts = accounts.filter(status__in=statuses)
    return json_response(restli.cursor_page([account_json(a) for a in accounts], request))


@serves("R08")
def ad_account_get(request: HttpRequest, caller: Caller, account_id: str) -> HttpResponse:
    return json_response(
        account_json(caller.account(numeric_id(account_id, "sponsoredAccount"), write=False))
    )


@serves("R09")
def ad_account_users(request: HttpRequest, caller: Caller) -> HttpResponse:
    """The caller's own roles (finder authenticatedUser): what the readiness check reads."""
    roles = AccountRole.objects.filter(member=caller.member).select_related("account").order_by("account_id")
    elements = [{"account": r.account.urn, "user": caller.member.urn, "role": r.role} for r in roles]
    return json_response(restli.index_page(elements, request))


@serves("R10")
def campaigns_search(request: HttpRequest, caller: Caller, account_id: str) -> HttpResponse:
    account = caller.account(numeric_id(account_id, "sponsoredAccount"), write=False)
    found = Campaign.objects.filter(account=account).select_related("account").order_by("id")
    search = _search(request)
    for field in ("status", "type", "format", "name"):
        values = _search_values(search, field)
        if values:
            found = found.filter(**{f"{field}__in": values})
    return json_response(restli.cursor_page([campaign_json(c) for c in found], request))


@serves("R11")
def campaign_create(request: HttpRequest, caller: Caller, account_id: str) -> HttpResponse:
    account = caller.account(numeric_id(account_id, "sponsoredAccount"), write=True)
    campaign = services.campaign_create(account=account, data=restli.json_body(request))
    return created(campaign.pk)  # the bare number, as LinkedIn answers a campaign create


@serves("R12")
def campaign_get(request: HttpRequest, caller: Caller, account_id: str, campaign_id: str) -> HttpResponse:
    account = caller.account(numeric_id(account_id, "sponsoredAccount"), write=False)
    found = Campaign.objects.filter(pk=numeric_id(campaign_id, "sponsoredCampaign"), account=account).first()
    if found is None:
        raise restli.not_found(f"Campaign {campaign_id}")
    return json_response(campaign_json(found))


def _creative_in(account: AdAccount, key: str) -> Creative:
    found = unique_or_none(
        Creative.objects.select_related("created_by", "modified_by").filter(
            pk=numeric_id(key, "sponsoredCreative"), account=account
        )
    )
    if found is None:
        raise restli.not_found(f"Creative {unquote(key)}")
    return found


def _urns(request: HttpRequest, name: str) -> list[str] | None:
    value = restli.param(request, name)
    if value is None:
        return None
    if not isinstance(value, list):
        raise restli.bad_request(f"{name} must be a List(...).")
    return [str(v) for v in value]


@serves("R22")
def creatives_find(request: HttpRequest, caller: Caller, account_id: str) -> HttpResponse:
    account = caller.account(numeric_id(account_id, "sponsoredAccount"), write=False)
    found = (
        Creative.objects.filter(account=account).select_related("created_by", "modified_by").order_by("id")
    )
    campaigns = _urns(request, "campaigns")
    if campaigns:
        found = found.filter(campaign_id__in=[urn_id(c, "sponsoredCampaign", "campaigns") for c in campaigns])
    references = _urns(request, "contentReferences")
    if references:
        found = found.filter(content_reference__in=references)
    creatives = _urns(request, "creatives")
    if creatives:
        found = found.filter(pk__in=[urn_id(c, "sponsoredCreative", "creatives") for c in creatives])
    statuses = _urns(request, "intendedStatuses")
    if statuses:
        found = found.filter(intended_status__in=statuses)
    return json_response(restli.cursor_page([creative_json(c) for c in found], request))


@serves("R23")
def creatives_batch_get(request: HttpRequest, caller: Caller, account_id: str) -> HttpResponse:
    account = caller.account(numeric_id(account_id, "sponsoredAccount"), write=False)
    return _batch(restli.ids_param(request), lambda key: creative_json(_creative_in(account, key)))


@serves("R24")
def creative_create(request: HttpRequest, caller: Caller, account_id: str) -> HttpResponse:
    account = caller.account(numeric_id(account_id, "sponsoredAccount"), write=True)
    creative = services.creative_create(account=account, member=caller.member, data=restli.json_body(request))
    return created(creative.urn)


@serves("R25")
def creative_get(request: HttpRequest, caller: Caller, account_id: str, key: str) -> HttpResponse:
    account = caller.account(numeric_id(account_id, "sponsoredAccount"), write=False)
    return json_response(creative_json(_creative_in(account, key)))


@serves("R26")
def creative_update(request: HttpRequest, caller: Caller, account_id: str, key: str) -> HttpResponse:
    found = _creative_in(caller.account(numeric_id(account_id, "sponsoredAccount"), write=True), key)
    services.creative_update(creative_id=found.pk, member=caller.member, fields=restli.patch_set(request))
    return no_content()


# --- conversation ads ---------------------------------------------------------------------------


def _conversation_for(caller: Caller, key: str, *, write: bool) -> Conversation:
    number = numeric_id(key, "sponsoredConversation")
    found = Conversation.objects.select_related("account", "first_message").filter(pk=number).first()
    if found is None:
        raise restli.not_found(f"sponsoredConversation {number}")
    if write:
        caller.require_write()
    caller.check_account(found.account, write=write)
    return found


@serves("R27")
def conversation_create(request: HttpRequest, caller: Caller) -> HttpResponse:
    body = restli.json_body(request)
    account = caller.account(
        urn_id(body.get("parentAccount"), "sponsoredAccount", "parentAccount"), write=True
    )
    conversation = services.conversation_create(account=account, data=body)
    # x-restli-id carries the bare number here (contract R27, unconfirmed), x-linkedin-id the URN.
    return created(conversation.pk, linkedin_id=conversation.urn)


@serves("R28")
def conversations_batch_get(request: HttpRequest, caller: Caller) -> HttpResponse:
    return _batch(
        restli.ids_param(request), lambda key: conversation_json(_conversation_for(caller, key, write=False))
    )


@serves("R29")
def conversation_get(request: HttpRequest, caller: Caller, key: str) -> HttpResponse:
    return json_response(conversation_json(_conversation_for(caller, key, write=False)))


@serves("R30")
def conversation_update(request: HttpRequest, caller: Caller, key: str) -> HttpResponse:
    found = _conversation_for(caller, key, write=True)
    services.conversation_update(conversation_id=found.pk, fields=restli.patch_set(request))
    return no_content()


@serves("R31")
def messages_batch_create(request: HttpRequest, caller: Caller, key: str) -> HttpResponse:
    conversation = _conversation_for(caller, key, write=True)
    elements = restli.json_body(request).get("elements")
    if not isinstance(elements, list) or not elements or not all(isinstance(e, dict) for e in elements):
        raise restli.bad_request('A batch create needs {"elements": [{...}, ...]}.')
    made = services.messages_create(conversation_id=conversation.pk, elements=elements)
    return json_response({"elements": [{"status": 201, "id": m.urn} for m in made]})


@serves("R32")
def message_create(request: HttpRequest, caller: Caller, key: str) -> HttpResponse:
    conversation = _conversation_for(caller, key, write=True)
    (message,) = services.messages_create(
        conversation_id=conversation.pk, elements=[restli.json_body(request)]
    )
    return created(message.urn)


@serves("R33")
def messages_all(request: HttpRequest, caller: Caller, key: str) -> HttpResponse:
    conversation = _conversation_for(caller, key, write=False)
    messages = conversation.messages.select_related("conversation").order_by("number")
    return json_response(restli.index_page([message_json(m) for m in messages], request))


def _message_number(conversation: Conversation, message_key: str) -> int:
    message_key = unquote(message_key)
    if message_key.isdigit():
        return int(message_key)
    prefix = f"urn:li:sponsoredMessageContent:({conversation.urn},"
    if (
        message_key.startswith(prefix)
        and message_key.endswith(")")
        and message_key[len(prefix) : -1].isdigit()
    ):
        return int(message_key[len(prefix) : -1])
    raise restli.not_found(f"sponsoredMessageContent {message_key}")


def _message(conversation: Conversation, message_key: str) -> ConversationMessage:
    number = _message_number(conversation, message_key)
    message = conversation.messages.select_related("conversation").filter(number=number).first()
    if message is None:
        raise restli.not_found(f"sponsoredMessageContent {message_key}")
    return message


@serves("R34")
def message_get(request: HttpRequest, caller: Caller, key: str, message_key: str) -> HttpResponse:
    return json_response(message_json(_message(_conversation_for(caller, key, write=False), message_key)))


@serves("R35")
def message_update(request: HttpRequest, caller: Caller, key: str, message_key: str) -> HttpResponse:
    conversation = _conversation_for(caller, key, write=True)
    message = _message(conversation, message_key)
    services.message_update(
        conversation_id=conversation.pk, number=message.number, fields=restli.patch_set(request)
    )
    return no_content()


# --- images -------------------------------------------------------------------------------------


@serves("R14")
def images_initialize(request: HttpRequest, caller: Caller) -> HttpResponse:
    caller.require_write()
    body = restli.json_body(request).get("initializeUploadRequest")
    if not isinstance(body, dict):
        raise restli.unprocessable(
            "REQUIRED_FIELD_MISSING", "initializeUploadRequest is required.", field="initializeUploadRequest"
        )
    image = services.image_initialize(caller_urn=caller.member.urn, request=body, account_for=caller.account)
    upload_url = request.build_absolute_uri(reverse("sandbox:image_upload", args=[image.upload_token]))
    return json_response(
        {
            "value": {
                "uploadUrlExpiresAt": restli.epoch_ms(image.upload_expires_at),
                "uploadUrl": upload_url,
                "image": image.urn,
            }
        }
    )


@serves("R16")
def image_get(request: HttpRequest, caller: Caller, key: str) -> HttpResponse:
    found = Image.objects.filter(key=unquote(key).removeprefix("urn:li:image:")).first()
    if found is None:
        raise restli.not_found(f"Image {unquote(key)}")
    if found.associated_account:
        account = AdAccount.objects.filter(
            pk=urn_id(found.associated_account, "sponsoredAccount", "associatedAccount")
        ).first()
        if account is not None:
            caller.check_account(account, write=False)
    elif found.owner != caller.member.urn:
        raise RestliError(403, "ACCESS_DENIED", "Not enough permissions to access this image.")
    return json_response(image_json(request, found))


@csrf_exempt
@oauth_row
def image_upload(request: HttpRequest, token: str) -> HttpResponse:
    """R15: the upload URL initializeUpload handed out; the file is PUT as the raw body."""
    try:
        services.image_upload(upload_token=token, content=request.body)
    except RestliError as error:
        return restli.stamp(restli.error_response(error))
    return restli.stamp(HttpResponse(status=201))


# --- sender permissions, lead forms and the member ---------------------------------------------


@serves("R13")
def sender_permissions(request: HttpRequest, caller: Caller) -> HttpResponse:
    account = caller.account(
        urn_id(restli.param(request, "account"), "sponsoredAccount", "account"), write=False
    )
    found = (
        SenderPermission.objects.select_related("account", "member")
        .filter(account=account)
        .order_by("member__first_name", "member__slug")
    )
    return json_response(restli.index_page([permission_json(p) for p in found], request))


@serves("R37")
def lead_forms(request: HttpRequest, caller: Caller) -> HttpResponse:
    owner = restli.param(request, "owner")
    if not isinstance(owner, dict) or "sponsoredAccount" not in owner:
        raise restli.bad_request("owner must be (sponsoredAccount:urn%3Ali%3AsponsoredAccount%3AN).")
    account = caller.account(urn_id(owner["sponsoredAccount"], "sponsoredAccount", "owner"), write=False)
    forms = LeadForm.objects.filter(account=account).select_related("account").order_by("id")
    return json_response(restli.index_page([lead_form_json(f) for f in forms], request))


@serves("R38")
def me(request: HttpRequest, caller: Caller) -> HttpResponse:
    member = caller.member
    return json_response(
        {
            "id": member.slug,
            "localizedFirstName": member.first_name,
            "localizedLastName": member.last_name,
            "localizedHeadline": member.headline,
        }
    )


@require_GET
def userinfo(request: HttpRequest) -> HttpResponse:
    """R06: OpenID Connect's userinfo, unversioned under /v2 (needs openid; the name needs profile)."""
    try:
        row = resolve_row(request)
        caller = bearer(request)
        check_scope(caller, row)
    except RestliError as error:
        return restli.stamp(restli.error_response(error))
    member = caller.member
    info: dict[str, Any] = {"sub": member.slug, "locale": {"country": "US", "language": "en"}}
    if "profile" in caller.token.scopes:
        info.update(
            name=member.name,
            given_name=member.first_name,
            family_name=member.last_name,
            picture=request.build_absolute_uri(reverse("sandbox:member_photo", args=[member.slug])),
        )
    return restli.stamp(json_response(info))


# --- files the inbox shows ----------------------------------------------------------------------


def image_file(request: HttpRequest, key: str) -> HttpResponse:
    found = Image.objects.filter(key=key, status=Image.Status.AVAILABLE).first()
    if found is None:
        return HttpResponse(status=404)
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


def member_photo(request: HttpRequest, slug: str) -> HttpResponse:
    member = Member.objects.filter(slug=slug).exclude(photo=b"").first()
    if member is None:
        return HttpResponse(status=404)
    response = HttpResponse(bytes(member.photo), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response
