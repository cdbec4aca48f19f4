"""The REST resources under /sandbox/linkedin/rest/, one view per path, the Rest.li method picked from the request.

A GET with `ids=List(...)` is a BATCH_GET, a GET with `q=<finder>` a FINDER, a
POST with `?action=<name>` an ACTION, a POST with `X-RestLi-Method:
PARTIAL_UPDATE` a partial update and `BATCH_CREATE` a batch create, as in
LinkedIn's Rest.li.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from . import restli, services
from .gateway import Caller, endpoint, method_not_allowed
from .models import (
    AdAccount,
    Campaign,
    Conversation,
    ConversationMessage,
    Creative,
    Image,
    InMailContent,
    Member,
    SenderPermission,
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
        "reference": "urn:li:organization:1",
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
    return {
        "id": creative.urn,
        "account": creative.account.urn,
        "campaign": creative.campaign.urn,
        "content": {"reference": creative.content_reference},
        "intendedStatus": creative.intended_status,
        "isServing": creative.intended_status == Creative.Status.ACTIVE,
        "name": creative.name,
        "createdAt": restli.epoch_ms(creative.created_at),
        "createdBy": creative.created_by.urn,
        "lastModifiedAt": restli.epoch_ms(creative.modified_at),
        "lastModifiedBy": creative.modified_by.urn,
    }


def conversation_json(conversation: Conversation) -> dict[str, Any]:
    data: dict[str, Any] = {"id": conversation.pk, "parentAccount": conversation.account.urn}
    if conversation.first_message is not None:
        data["firstMessageContent"] = conversation.first_message.urn
    return data


def message_json(message: ConversationMessage) -> dict[str, Any]:
    return {**message.data, "id": message.urn, "conversation": message.conversation.urn}


def image_json(request: HttpRequest, image: Image) -> dict[str, Any]:
    data: dict[str, Any] = {"id": image.urn, "owner": image.owner, "status": image.status}
    if image.status == Image.Status.AVAILABLE:
        data["downloadUrl"] = request.build_absolute_uri(reverse("sandbox:image_file", args=[image.key]))
        data["downloadUrlExpiresAt"] = restli.epoch_ms(timezone.now()) + 3_600_000
    return data


def permission_json(permission: SenderPermission) -> dict[str, Any]:
    member = permission.member
    return {
        "account": permission.account.urn,
        "sender": member.urn,
        "status": permission.status,
        # LinkedIn's decoration of the member URN (`sender~`), so a client can show who the sender is.
        "sender~": {
            "localizedFirstName": member.first_name,
            "localizedLastName": member.last_name,
            "localizedHeadline": member.headline,
        },
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


def _finder(request: HttpRequest) -> str:
    return str(restli.query_params(request).get("q", ""))


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


@endpoint
def inmail_contents(request: HttpRequest, caller: Caller) -> HttpResponse:
    params = restli.query_params(request)
    if request.method == "GET" or request.headers.get("X-HTTP-Method-Override", "").upper() == "GET":
        if "ids" in params:
            ids = restli.ids_param(request)
            return _batch(ids, lambda key: inmail_json(_content_for(caller, key, write=False)))
        raise restli.bad_request("inMailContents has no finder; use ids=List(...).")
    if request.method != "POST":
        raise method_not_allowed(request)
    caller.require_write()
    action = params.get("action")
    if action == "sendTestInMail":
        body = restli.json_body(request)
        content_urn = body.get("adInMailContentId") or body.get("adInMailContent")
        urn_id(content_urn, "adInMailContent", "adInMailContentId")
        content = _content_for(caller, str(content_urn), write=True)
        services.test_inmail_send(content=content, member=caller.member, params=body)
        return json_response({})
    if action:
        raise restli.bad_request(f"inMailContents has no action {action}.")
    if restli.restli_method(request) not in ("", "CREATE"):
        raise method_not_allowed(request)
    body = restli.json_body(request)
    account = caller.account(urn_id(body.get("account"), "sponsoredAccount", "account"), write=True)
    content = services.inmail_content_create(account=account, member=caller.member, data=body)
    return created(content.urn)


@endpoint
def inmail_content(request: HttpRequest, caller: Caller, key: str) -> HttpResponse:
    if request.method == "GET":
        return json_response(inmail_json(_content_for(caller, key, write=False)))
    if request.method == "POST" and restli.restli_method(request) == "PARTIAL_UPDATE":
        content = _content_for(caller, key, write=True)
        services.inmail_content_update(
            content_id=content.pk, member=caller.member, fields=restli.patch_set(request)
        )
        return no_content()
    raise method_not_allowed(request)


# --- adAccounts, campaigns, creatives -----------------------------------------------------------


@endpoint
def ad_accounts(request: HttpRequest, caller: Caller) -> HttpResponse:
    if request.method != "GET":
        raise method_not_allowed(request)
    params = restli.query_params(request)
    if "ids" in params:
        return _batch(
            restli.ids_param(request),
            lambda key: account_json(caller.account(numeric_id(key, "sponsoredAccount"), write=False)),
        )
    if _finder(request) != "search":
        raise restli.bad_request("adAccounts supports the finder q=search.")
    accounts = AdAccount.objects.filter(roles__member=caller.member).order_by("id")
    search = restli.param(request, "search") or {}
    statuses = (search.get("status") or {}).get("values") if isinstance(search, dict) else None
    if statuses:
        accounts = accounts.filter(status__in=statuses)
    return json_response(restli.paged([account_json(a) for a in accounts], request))


@endpoint
def ad_account(request: HttpRequest, caller: Caller, account_id: str) -> HttpResponse:
    if request.method != "GET":
        raise method_not_allowed(request)
    return json_response(
        account_json(caller.account(numeric_id(account_id, "sponsoredAccount"), write=False))
    )


@endpoint
def campaigns(request: HttpRequest, caller: Caller, account_id: str) -> HttpResponse:
    number = numeric_id(account_id, "sponsoredAccount")
    if request.method == "GET":
        account = caller.account(number, write=False)
        if _finder(request) != "search":
            raise restli.bad_request("adCampaigns supports the finder q=search.")
        found = Campaign.objects.filter(account=account).select_related("account")
        search = restli.param(request, "search") or {}
        if isinstance(search, dict):
            for field, column in (("status", "status"), ("type", "type"), ("format", "format")):
                values = (
                    (search.get(field) or {}).get("values") if isinstance(search.get(field), dict) else None
                )
                if values:
                    found = found.filter(**{f"{column}__in": values})
            names = (search.get("name") or {}).get("values") if isinstance(search.get("name"), dict) else None
            if names:
                found = found.filter(name__in=names)
        return json_response(restli.paged([campaign_json(c) for c in found], request))
    if request.method == "POST" and restli.restli_method(request) in ("", "CREATE"):
        account = caller.account(number, write=True)
        campaign = services.campaign_create(account=account, data=restli.json_body(request))
        return created(campaign.pk)
    raise method_not_allowed(request)


@endpoint
def campaign(request: HttpRequest, caller: Caller, account_id: str, campaign_id: str) -> HttpResponse:
    if request.method != "GET":
        raise method_not_allowed(request)
    account = caller.account(numeric_id(account_id, "sponsoredAccount"), write=False)
    found = Campaign.objects.filter(pk=numeric_id(campaign_id, "sponsoredCampaign"), account=account).first()
    if found is None:
        raise restli.not_found(f"Campaign {campaign_id}")
    return json_response(campaign_json(found))


def _creative_in(account: AdAccount, key: str) -> Creative:
    found = (
        Creative.objects.select_related("account", "campaign", "created_by", "modified_by")
        .filter(pk=numeric_id(key, "sponsoredCreative"), account=account)
        .first()
    )
    if found is None:
        raise restli.not_found(f"Creative {unquote(key)}")
    return found


@endpoint
def creatives(request: HttpRequest, caller: Caller, account_id: str) -> HttpResponse:
    number = numeric_id(account_id, "sponsoredAccount")
    params = restli.query_params(request)
    if request.method == "GET":
        account = caller.account(number, write=False)
        if "ids" in params:
            return _batch(restli.ids_param(request), lambda key: creative_json(_creative_in(account, key)))
        if _finder(request) != "criteria":
            raise restli.bad_request("creatives supports the finder q=criteria.")
        found = Creative.objects.filter(account=account).select_related(
            "account", "campaign", "created_by", "modified_by"
        )
        campaigns_wanted = restli.param(request, "campaigns")
        if campaigns_wanted:
            found = found.filter(
                campaign_id__in=[urn_id(c, "sponsoredCampaign", "campaigns") for c in campaigns_wanted]
            )
        references = restli.param(request, "contentReferences")
        if references:
            found = found.filter(content_reference__in=references)
        creative_ids = restli.param(request, "creatives")
        if creative_ids:
            found = found.filter(pk__in=[urn_id(c, "sponsoredCreative", "creatives") for c in creative_ids])
        statuses = restli.param(request, "intendedStatuses")
        if statuses:
            found = found.filter(intended_status__in=statuses)
        return json_response(restli.paged([creative_json(c) for c in found], request))
    if request.method == "POST" and restli.restli_method(request) in ("", "CREATE"):
        account = caller.account(number, write=True)
        creative = services.creative_create(
            account=account, member=caller.member, data=restli.json_body(request)
        )
        return created(creative.urn)
    raise method_not_allowed(request)


@endpoint
def creative(request: HttpRequest, caller: Caller, account_id: str, key: str) -> HttpResponse:
    number = numeric_id(account_id, "sponsoredAccount")
    if request.method == "GET":
        return json_response(creative_json(_creative_in(caller.account(number, write=False), key)))
    if request.method == "POST" and restli.restli_method(request) == "PARTIAL_UPDATE":
        found = _creative_in(caller.account(number, write=True), key)
        services.creative_update(creative_id=found.pk, member=caller.member, fields=restli.patch_set(request))
        return no_content()
    raise method_not_allowed(request)


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


@endpoint
def conversation_ads(request: HttpRequest, caller: Caller) -> HttpResponse:
    if request.method == "GET" and "ids" in restli.query_params(request):
        return _batch(
            restli.ids_param(request),
            lambda key: conversation_json(_conversation_for(caller, key, write=False)),
        )
    if request.method != "POST" or restli.restli_method(request) not in ("", "CREATE"):
        raise method_not_allowed(request)
    body = restli.json_body(request)
    account = caller.account(
        urn_id(body.get("parentAccount"), "sponsoredAccount", "parentAccount"), write=True
    )
    conversation = services.conversation_create(account=account, data=body)
    return created(conversation.urn)


@endpoint
def conversation_ad(request: HttpRequest, caller: Caller, key: str) -> HttpResponse:
    if request.method == "GET":
        return json_response(conversation_json(_conversation_for(caller, key, write=False)))
    if request.method == "POST" and restli.restli_method(request) == "PARTIAL_UPDATE":
        found = _conversation_for(caller, key, write=True)
        services.conversation_update(conversation_id=found.pk, fields=restli.patch_set(request))
        return no_content()
    raise method_not_allowed(request)


@endpoint
def message_contents(request: HttpRequest, caller: Caller, key: str) -> HttpResponse:
    method = restli.restli_method(request)
    if request.method == "GET":
        conversation = _conversation_for(caller, key, write=False)
        messages = conversation.messages.select_related("conversation")
        if "ids" in restli.query_params(request):
            by_urn = {m.urn: m for m in messages}
            by_number = {str(m.number): m for m in messages}

            def fetch(message_key: str) -> dict[str, Any]:
                message = by_urn.get(message_key) or by_number.get(message_key)
                if message is None:
                    raise restli.not_found(f"sponsoredMessageContent {message_key}")
                return message_json(message)

            return _batch(restli.ids_param(request), fetch)
        return json_response(restli.paged([message_json(m) for m in messages], request))
    if request.method != "POST":
        raise method_not_allowed(request)
    conversation = _conversation_for(caller, key, write=True)
    body = restli.json_body(request)
    if method == "BATCH_CREATE":
        elements = body.get("elements")
        if not isinstance(elements, list) or not elements:
            raise restli.bad_request('A batch create needs {"elements": [...]}.')
        made = services.messages_create(conversation_id=conversation.pk, elements=elements)
        return json_response({"elements": [{"status": 201, "id": m.urn} for m in made]})
    if method not in ("", "CREATE"):
        raise method_not_allowed(request)
    (message,) = services.messages_create(conversation_id=conversation.pk, elements=[body])
    return created(message.urn)


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


@endpoint
def message_content(request: HttpRequest, caller: Caller, key: str, message_key: str) -> HttpResponse:
    write = request.method != "GET"
    conversation = _conversation_for(caller, key, write=write)
    number = _message_number(conversation, message_key)
    message = conversation.messages.select_related("conversation").filter(number=number).first()
    if message is None:
        raise restli.not_found(f"sponsoredMessageContent {message_key}")
    if request.method == "GET":
        return json_response(message_json(message))
    if request.method == "POST" and restli.restli_method(request) == "PARTIAL_UPDATE":
        services.message_update(
            conversation_id=conversation.pk, number=number, fields=restli.patch_set(request)
        )
        return no_content()
    raise method_not_allowed(request)


# --- images -------------------------------------------------------------------------------------


@endpoint
def images(request: HttpRequest, caller: Caller) -> HttpResponse:
    params = restli.query_params(request)
    if request.method != "POST" or params.get("action") != "initializeUpload":
        raise method_not_allowed(request)
    caller.require_write()
    body = restli.json_body(request).get("initializeUploadRequest") or {}
    owner = body.get("owner") if isinstance(body, dict) else None
    caller.account(urn_id(owner, "sponsoredAccount", "initializeUploadRequest.owner"), write=True)
    image = services.image_initialize(owner=str(owner))
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


@endpoint
def image(request: HttpRequest, caller: Caller, key: str) -> HttpResponse:
    if request.method != "GET":
        raise method_not_allowed(request)
    found = Image.objects.filter(key=unquote(key).removeprefix("urn:li:image:")).first()
    if found is None:
        raise restli.not_found(f"Image {unquote(key)}")
    account = AdAccount.objects.filter(pk=urn_id(found.owner, "sponsoredAccount", "owner")).first()
    if account is None:
        raise restli.not_found(f"Image {unquote(key)}")
    caller.check_account(account, write=False)
    return json_response(image_json(request, found))


@csrf_exempt
def image_upload(request: HttpRequest, token: str) -> HttpResponse:
    """The upload URL initializeUpload hands out: the file is PUT (or POSTed) as the raw body."""
    if request.method not in ("PUT", "POST"):
        return restli.stamp(restli.error_response(method_not_allowed(request)))
    try:
        services.image_upload(upload_token=token, content=request.body)
    except RestliError as error:
        return restli.stamp(restli.error_response(error))
    return restli.stamp(HttpResponse(status=201))


# --- sender permissions and the member ----------------------------------------------------------


@endpoint
def sender_permissions(request: HttpRequest, caller: Caller) -> HttpResponse:
    if request.method != "GET":
        raise method_not_allowed(request)
    finder = _finder(request)
    found = SenderPermission.objects.select_related("account", "member").order_by("member__first_name")
    if finder == "account":
        account = caller.account(
            urn_id(restli.param(request, "account"), "sponsoredAccount", "account"), write=False
        )
        found = found.filter(account=account)
    elif finder == "member":
        member_urn = restli.param(request, "member") or caller.member.urn
        found = found.filter(
            member__slug=str(member_urn).removeprefix("urn:li:person:"), account__roles__member=caller.member
        )
    else:
        raise restli.bad_request(
            "adInMailMemberSenderPermissions supports the finders q=account and q=member."
        )
    statuses = restli.param(request, "statuses")
    if statuses:
        found = found.filter(status__in=statuses)
    return json_response(restli.paged([permission_json(p) for p in found], request))


@endpoint
def me(request: HttpRequest, caller: Caller) -> HttpResponse:
    if request.method != "GET":
        raise method_not_allowed(request)
    member = caller.member
    return json_response(
        {
            "id": member.slug,
            "localizedFirstName": member.first_name,
            "localizedLastName": member.last_name,
            "localizedHeadline": member.headline,
        }
    )


@csrf_exempt
def rest_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return restli.stamp(
        restli.error_response(RestliError(404, "NOT_FOUND", f"No resource at {request.path}."))
    )


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
