"""The written contract: every call InMail Studio makes to LinkedIn, as LinkedIn documents it.

Each `Row` is one form of one call (method, path, Rest.li method, query parameters) with
the headers, body, answer, errors and scope LinkedIn documents for it, and the sources it
rests on. `CONTRACT.md` beside this file is rendered from these rows (a test keeps the two
identical), so the table people read is the table the sandbox enforces:

- the sandbox finds the row a request matches before anything else (`match`) and hands it to
  the handler registered for that row (`gateway.serves`), which checks the scope the row names;
- in strict mode (settings.SANDBOX_STRICT, on by default) a request no row lists is answered
  400 NOT_IN_CONTRACT, so a client that sends an undocumented form fails its tests;
- every matched request is recorded (`seen`), so a test can check which rows a run exercised.

Where LinkedIn's sources disagree a row accepts every documented form; `unconfirmed` says which
facts come from practitioners rather than LinkedIn's pages (each is pinned by a test).
"""

from __future__ import annotations

import functools
import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

from . import restli

# --- sources ----------------------------------------------------------------------------------

_LEARN = "https://learn.microsoft.com/en-us/linkedin"
MESSAGE_ADS = f"{_LEARN}/marketing/integrations/ads/advertising-targeting/version/message-ads-integrations"
CONVERSATION_ADS = (
    f"{_LEARN}/marketing/integrations/ads/advertising-targeting/version/conversation-ads-integrations"
)
SENDERS = f"{_LEARN}/marketing/integrations/ads/advertising-targeting/create-and-manage-senders"
ACCOUNTS = f"{_LEARN}/marketing/integrations/ads/account-structure/create-and-manage-accounts"
ACCOUNT_USERS = f"{_LEARN}/marketing/integrations/ads/account-structure/create-and-manage-account-users"
CAMPAIGNS = f"{_LEARN}/marketing/integrations/ads/account-structure/create-and-manage-campaigns"
CREATIVES = f"{_LEARN}/marketing/integrations/ads/account-structure/create-and-manage-creatives"
CURSOR = f"{_LEARN}/marketing/integrations/ads/cursor-based-pagination"
PAGINATION = f"{_LEARN}/shared/api-guide/concepts/pagination"
IMAGES = f"{_LEARN}/marketing/community-management/shares/images-api"
REPORTING = f"{_LEARN}/marketing/integrations/ads-reporting/ads-reporting"
LEAD_FORMS = f"{_LEARN}/marketing/lead-sync/leadsync"
OAUTH = f"{_LEARN}/shared/authentication/authorization-code-flow"
REFRESH = f"{_LEARN}/shared/authentication/programmatic-refresh-tokens"
INTROSPECT = f"{_LEARN}/shared/authentication/token-introspection"
OIDC = f"{_LEARN}/consumer/integrations/self-serve/sign-in-with-linkedin-v2"
VERSIONING = f"{_LEARN}/marketing/versioning"
PROTOCOL = f"{_LEARN}/shared/api-guide/concepts/protocol-version"
ERRORS = f"{_LEARN}/shared/api-guide/concepts/error-handling"
TUNNELING = f"{_LEARN}/shared/api-guide/concepts/query-tunneling"
ENDPOINT_SCOPES = (
    "LinkedIn's Marketing API endpoint table (resource, Rest.li method, OAuth scopes), "
    f"{_LEARN}/marketing/increasing-access"
)
CLIENT = (
    "linkedin-api-python-client (linkedin_api/clients/restli/client.py, utils/restli.py, utils/encoder.py)"
)
# Practitioner sources, for facts no LinkedIn page states.
P_REVOKE = "practitioner code calling POST https://www.linkedin.com/oauth/v2/revoke (token, client_id, client_secret)"
P_426 = "GitHub issues quoting LinkedIn's 426 body: n8n-io/n8n#14737, PipedreamHQ/pipedream#18398, #7739"
P_STATE = "public code writing adInMailMemberSenderPermissions with state REQUESTED (voxsup scripts)"
P_LEADGEN = (
    "practitioner clients sending creatives' leadgenCallToAction {destination: urn:li:adForm:N, label}"
)
P_VALIDATION = "LinkedIn 422 answers quoted by practitioners: code VALIDATION_FAILED, specifics in errorDetails.inputErrors"
P_CONVERSATION_ID = (
    "scraped Conversation Ads reference: ids accepted as 186604 or urn:li:sponsoredConversation:186604"
)

# --- rows -----------------------------------------------------------------------------------

ANY = "*"  # a required parameter, any value
OPT = "?"  # an optional parameter

READ = ("r_ads", "rw_ads")
WRITE = ("rw_ads",)
COMMON_HEADERS = (
    "Authorization: Bearer; LinkedIn-Version: YYYYMM (calendar); X-Restli-Protocol-Version: 2.0.0"
)


@dataclass(frozen=True)
class Row:
    """One documented form of one call."""

    id: str
    title: str
    method: str
    path: str  # relative to the API's mount, `{name}` for a path key
    restli: tuple[str, ...]  # accepted X-RestLi-Method values; "" means the header may be absent
    params: Mapping[str, str] = field(default_factory=dict)  # name -> literal value, ANY or OPT
    query: str = ""
    headers: str = COMMON_HEADERS
    body: str = "—"
    answer: str = ""
    errors: str = ""
    scopes: tuple[str, ...] = READ  # any one of these; () for calls authenticated by the client secret
    sources: tuple[str, ...] = ()
    unconfirmed: str = ""
    app: str = ""  # where InMail Studio makes the call; "" when only the official client's tests do
    in_body: bool = False  # the parameters are form fields (OAuth), not the query string
    versioned: bool = True  # needs LinkedIn-Version and X-Restli-Protocol-Version

    @property
    def pattern(self) -> re.Pattern[str]:
        return _pattern(self.path)


@functools.cache
def _pattern(path: str) -> re.Pattern[str]:
    """`rest/adAccounts/{account}` as a regular expression (one path segment per key), built once."""
    return re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$")


def _rows() -> tuple[Row, ...]:
    search = "Rest.li object, e.g. search=(type:(values:List(SPONSORED_INMAILS)))"
    cursor = "pageSize (default 100) and pageToken; answer metadata.nextPageToken until the last page"
    index = "start and count (index paging)"
    urn_list = "List(urn%3Ali%3A…) with each element URL-encoded and `List(`, `,`, `)` literal"
    entity_422 = (
        "422 VALIDATION_FAILED with errorDetails.inputErrors[{code, description, input.inputPath.fieldPath}]"
    )
    return (
        # --- OAuth 2.0 and who the member is ---------------------------------------------------
        Row(
            "R01",
            "Authorization (consent page)",
            "GET",
            "oauth/v2/authorization",
            ("",),
            {"response_type": "code", "client_id": ANY, "redirect_uri": ANY, "scope": ANY, "state": OPT},
            query="scope space-separated: rw_ads r_ads r_ads_reporting openid profile",
            headers="—",
            answer="the consent page; then 302 to redirect_uri?code=…&state=…",
            errors="302 to redirect_uri?error=invalid_scope (unknown scope) or user_cancelled_authorize; 400 page for an unregistered client or redirect_uri",
            scopes=(),
            sources=(OAUTH, OIDC),
            app="linkedin/oauth.py start",
            versioned=False,
        ),
        Row(
            "R02",
            "Exchange the authorization code",
            "POST",
            "oauth/v2/accessToken",
            ("",),
            {
                "grant_type": "authorization_code",
                "code": ANY,
                "redirect_uri": ANY,
                "client_id": ANY,
                "client_secret": ANY,
            },
            headers="Content-Type: application/x-www-form-urlencoded",
            body="form: grant_type=authorization_code, code, redirect_uri, client_id, client_secret",
            answer="200 {access_token, expires_in, refresh_token, refresh_token_expires_in, scope (comma-separated), token_type}",
            errors="400 {error: invalid_request, error_description} for a used, expired or foreign code; 401 invalid_client",
            scopes=(),
            sources=(OAUTH, REFRESH, CLIENT),
            app="linkedin/client.py OAuth.exchange_code",
            in_body=True,
            versioned=False,
        ),
        Row(
            "R03",
            "Refresh the access token",
            "POST",
            "oauth/v2/accessToken",
            ("",),
            {"grant_type": "refresh_token", "refresh_token": ANY, "client_id": ANY, "client_secret": ANY},
            headers="Content-Type: application/x-www-form-urlencoded",
            body="form: grant_type=refresh_token, refresh_token, client_id, client_secret",
            answer="200 as R02; refresh_token_expires_in keeps counting down (refreshing does not extend it)",
            errors="400 {error: invalid_request} for a revoked or expired refresh token",
            scopes=(),
            sources=(REFRESH, CLIENT),
            app="linkedin/services/connection.py token_refresh",
            in_body=True,
            versioned=False,
        ),
        Row(
            "R04",
            "Introspect a token",
            "POST",
            "oauth/v2/introspectToken",
            ("",),
            {"token": ANY, "client_id": ANY, "client_secret": ANY},
            headers="Content-Type: application/x-www-form-urlencoded",
            body="form: token, client_id, client_secret",
            answer="200 {active, status (active|expired|revoked), scope (comma-separated), client_id, authorized_at, created_at, expires_at, auth_type}",
            errors="401 invalid_client",
            scopes=(),
            sources=(INTROSPECT, CLIENT),
            app="linkedin/readiness.py (granted scopes)",
            in_body=True,
            versioned=False,
        ),
        Row(
            "R05",
            "Revoke a token",
            "POST",
            "oauth/v2/revoke",
            ("",),
            {"token": ANY, "client_id": ANY, "client_secret": ANY},
            headers="Content-Type: application/x-www-form-urlencoded",
            body="form: token (access or refresh), client_id, client_secret",
            answer="200, empty; a revoked refresh token also revokes the access tokens issued from it",
            errors="401 invalid_client",
            scopes=(),
            sources=(P_REVOKE,),
            unconfirmed="the endpoint and its form come from practitioners; LinkedIn's pages only say members can revoke access",
            app="linkedin/services/connection.py connection_disconnect",
            in_body=True,
            versioned=False,
        ),
        Row(
            "R06",
            "Who the member is (OpenID Connect userinfo)",
            "GET",
            "v2/userinfo",
            ("", "GET"),
            headers="Authorization: Bearer (unversioned: no LinkedIn-Version)",
            answer="200 {sub, name, given_name, family_name, picture, locale}; the member's URN is urn:li:person:{sub}",
            errors="401 for a bad token; 403 ACCESS_DENIED without openid",
            scopes=("openid",),
            sources=(OIDC,),
            app="linkedin/services/connection.py connection_store",
            versioned=False,
        ),
        Row(
            "R38",
            "The member's profile (/rest/me)",
            "GET",
            "rest/me",
            ("", "GET"),
            answer="200 {id, localizedFirstName, localizedLastName}",
            errors="403 ACCESS_DENIED without r_basicprofile",
            scopes=("r_basicprofile",),
            sources=(ENDPOINT_SCOPES,),
            app="no longer called: the app uses R06",
        ),
        # --- accounts, roles, campaigns, senders -------------------------------------------------
        Row(
            "R07",
            "Search the member's ad accounts",
            "GET",
            "rest/adAccounts",
            ("", "FINDER"),
            {"q": "search", "search": OPT, "pageSize": OPT, "pageToken": OPT},
            query=f"{search}; {cursor}",
            answer="200 {elements: [{id (number), name, status, type, currency, reference, test}], paging, metadata.nextPageToken}",
            errors="400 INVALID_ARGUMENT for a malformed search or pageToken",
            sources=(ACCOUNTS, CURSOR),
            app="linkedin/services/catalog.py accounts_available",
        ),
        Row(
            "R08",
            "Get one ad account",
            "GET",
            "rest/adAccounts/{account}",
            ("", "GET"),
            answer="200 {id, name, status, type, currency, reference (the organization or person the account belongs to)}",
            errors="404 unknown account; 403 ACCESS_DENIED without a role on it",
            sources=(ACCOUNTS,),
            app="linkedin/services/sync_steps.py banner step (image owner), readiness (version check)",
        ),
        Row(
            "R09",
            "The member's roles on ad accounts",
            "GET",
            "rest/adAccountUsers",
            ("", "FINDER"),
            {"q": "authenticatedUser", "start": OPT, "count": OPT},
            query=index,
            answer="200 {elements: [{account, user, role (ACCOUNT_BILLING_ADMIN|ACCOUNT_MANAGER|CAMPAIGN_MANAGER|CREATIVE_MANAGER|VIEWER)}]}",
            errors="—",
            sources=(ACCOUNT_USERS,),
            app="linkedin/readiness.py (role allows creating creatives)",
        ),
        Row(
            "R10",
            "Search the account's campaigns",
            "GET",
            "rest/adAccounts/{account}/adCampaigns",
            ("", "FINDER"),
            {"q": "search", "search": OPT, "pageSize": OPT, "pageToken": OPT},
            query=f"{search}; {cursor}",
            answer="200 {elements: [{id (number), account, name, type, format, status}], metadata.nextPageToken}",
            errors="403 ACCESS_DENIED without a role on the account; 400 for a malformed search or pageToken",
            sources=(CAMPAIGNS, CURSOR),
            app="linkedin/services/catalog.py campaigns_import",
        ),
        Row(
            "R11",
            "Create a campaign",
            "POST",
            "rest/adAccounts/{account}/adCampaigns",
            ("", "CREATE"),
            body="{name, type: SPONSORED_INMAILS, format: SPONSORED_INMAIL|SPONSORED_MESSAGE, status}",
            answer="201, x-restli-id: the bare campaign number",
            errors=entity_422,
            scopes=WRITE,
            sources=(CAMPAIGNS,),
        ),
        Row(
            "R12",
            "Get one campaign",
            "GET",
            "rest/adAccounts/{account}/adCampaigns/{campaign}",
            ("", "GET"),
            answer="200 the campaign",
            errors="404",
            sources=(CAMPAIGNS,),
        ),
        Row(
            "R13",
            "Sender permissions of the account",
            "GET",
            "rest/adInMailMemberSenderPermissions",
            ("", "FINDER"),
            {"q": "account", "account": ANY, "start": OPT, "count": OPT},
            query=f"account=urn%3Ali%3AsponsoredAccount%3AN; {index}",
            answer="200 {elements: [{account, member, state}]}; state REQUESTED (awaiting the member's email consent), APPROVED, DECLINED or REVOKED",
            errors="403 ACCESS_DENIED without a role on the account",
            sources=(SENDERS, P_STATE),
            unconfirmed="the versioned schema's state values: public code shows REQUESTED; APPROVED/DECLINED/REVOKED are the sandbox's choice, and the client also reads ACCEPTED as approved",
            app="linkedin/services/catalog.py senders_import, readiness",
        ),
        Row(
            "R37",
            "Lead forms of the account",
            "GET",
            "rest/leadForms",
            ("", "FINDER"),
            {"q": "owner", "owner": ANY, "start": OPT, "count": OPT},
            query=f"owner=(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3AN); {index}",
            answer="200 {elements: [{id (number), name, state (DRAFT|PUBLISHED|ARCHIVED), owner: {sponsoredAccount}}], paging}",
            errors="403 ACCESS_DENIED without a role on the account",
            sources=(LEAD_FORMS, ENDPOINT_SCOPES),
            app="linkedin/readiness.py (lead forms readable)",
        ),
        # --- images -------------------------------------------------------------------------------
        Row(
            "R14",
            "Initialize an image upload",
            "POST",
            "rest/images",
            ("", "ACTION"),
            {"action": "initializeUpload"},
            body="{initializeUploadRequest: {owner: urn:li:organization:N | urn:li:person:X, mediaLibraryMetadata: {associatedAccount: urn:li:sponsoredAccount:N, assetName}}}",
            answer="200 {value: {uploadUrl, uploadUrlExpiresAt, image: urn:li:image:…}}",
            errors="422 VALIDATION_FAILED: owner not an organization or person, or not the account's organization or the caller; 403 without a writing role on associatedAccount",
            scopes=("rw_ads", "w_organization_social", "w_member_social"),
            sources=(IMAGES, ENDPOINT_SCOPES),
            unconfirmed="that LinkedIn refuses an owner other than the account's organization or the caller",
            app="linkedin/services/sync_steps.py banner step",
        ),
        Row(
            "R15",
            "Upload the image bytes",
            "PUT",
            "upload/images/{token}",
            ("",),
            headers="Authorization: Bearer; Content-Type: image/jpeg or image/png",
            body="the file",
            answer="201, empty",
            errors="400 not a JPEG or PNG, or over 2 MB; 404 unknown or expired upload URL",
            scopes=(),
            sources=(IMAGES,),
            app="linkedin/client.py upload",
            versioned=False,
        ),
        Row(
            "R16",
            "Get an image",
            "GET",
            "rest/images/{image}",
            ("", "GET"),
            answer="200 {id, owner, status (WAITING_UPLOAD|AVAILABLE), downloadUrl}",
            errors="404",
            scopes=("rw_ads", "w_organization_social", "r_organization_social", "w_member_social"),
            sources=(IMAGES, ENDPOINT_SCOPES),
        ),
        # --- message ads --------------------------------------------------------------------------
        Row(
            "R17",
            "Create an inMailContent",
            "POST",
            "rest/inMailContents",
            ("", "CREATE"),
            body="{account, name, sender, subject, htmlBody, customFooter?, subContent: exactly one of regular {callToActionText, callToActionLandingPageUrl, rightRailAdPicture?} | form {callToActionText, rightRailAdPicture?, leadGenerationForm?} | guidedReplies {sponsoredConversation, rightRailAdPicture?}}",
            answer="201, x-restli-id: urn%3Ali%3AadInMailContent%3AN (also x-linkedin-id)",
            errors=f"{entity_422} (SINMAIL_SENDER_NOT_APPROVED, FIELD_VALUE_TOO_LONG, UNRECOGNIZED_FIELD, …); 403 without a writing role",
            scopes=WRITE,
            sources=(MESSAGE_ADS, CONVERSATION_ADS, P_VALIDATION),
            unconfirmed="the top-level code VALIDATION_FAILED; subContent.form.leadGenerationForm (accepted, never sent by the client)",
            app="linkedin/services/sync_steps.py content steps",
        ),
        Row(
            "R18",
            "Batch get inMailContents",
            "GET",
            "rest/inMailContents",
            ("", "BATCH_GET"),
            {"ids": ANY},
            query=f"ids={urn_list}",
            answer="200 {results: {urn: entity}, statuses: {urn: 200|404}, errors: {urn: error}}",
            errors="400 for a malformed ids",
            sources=(MESSAGE_ADS, CLIENT),
            app="linkedin/services/imports.py contents_import",
        ),
        Row(
            "R19",
            "Get one inMailContent",
            "GET",
            "rest/inMailContents/{content}",
            ("", "GET"),
            answer="200 the entity with id, createdAt, createdBy, lastModifiedAt, lastModifiedBy",
            errors="404; 403 without a role on its account",
            sources=(MESSAGE_ADS,),
        ),
        Row(
            "R20",
            "Update an inMailContent",
            "POST",
            "rest/inMailContents/{content}",
            ("PARTIAL_UPDATE",),
            body='{"patch": {"$set": {name?, sender?, subject?, htmlBody?, subContent?}}}',
            answer="204",
            errors=f"{entity_422}; INMAIL_CONTENT_IMMUTABLE once an ACTIVE creative uses it",
            scopes=WRITE,
            sources=(MESSAGE_ADS,),
            app="linkedin/services/sync_steps.py content steps",
        ),
        Row(
            "R21",
            "Send a test message",
            "POST",
            "rest/inMailContents",
            ("", "ACTION"),
            {"action": "sendTestInMail"},
            body="{adInMailContentId, campaign, creative, account}",
            answer="200; the message arrives in the authenticated member's inbox",
            errors=f"{entity_422} (SINMAIL_SENDER_NOT_APPROVED, LEAD_GEN_FORM_MISSING)",
            scopes=WRITE,
            sources=(MESSAGE_ADS,),
            app="linkedin/services/test_send.py test_send_run",
        ),
        # --- creatives ----------------------------------------------------------------------------
        Row(
            "R22",
            "Find the account's creatives",
            "GET",
            "rest/adAccounts/{account}/creatives",
            ("", "FINDER"),
            {
                "q": "criteria",
                "campaigns": OPT,
                "contentReferences": OPT,
                "creatives": OPT,
                "intendedStatuses": OPT,
                "pageSize": OPT,
                "pageToken": OPT,
            },
            query=f"campaigns={urn_list}, contentReferences=List(…), intendedStatuses=List(…); {cursor}",
            answer="200 {elements: [{id: urn:li:sponsoredCreative:N, campaign, content.reference, intendedStatus, name, leadgenCallToAction?}], metadata.nextPageToken}",
            errors="403 without a role on the account; 400 for a malformed pageToken",
            sources=(CREATIVES, CURSOR),
            app="linkedin/services/sync_steps.py creative step, services/imports.py contents_import",
        ),
        Row(
            "R23",
            "Batch get creatives",
            "GET",
            "rest/adAccounts/{account}/creatives",
            ("", "BATCH_GET"),
            {"ids": ANY},
            query=f"ids={urn_list}",
            answer="200 {results, statuses, errors}",
            sources=(CREATIVES,),
        ),
        Row(
            "R24",
            "Create a creative",
            "POST",
            "rest/adAccounts/{account}/creatives",
            ("", "CREATE"),
            body="{campaign, content: {reference: urn:li:adInMailContent:N}, intendedStatus: DRAFT, name, leadgenCallToAction?: {destination: urn:li:adForm:N, label}}",
            answer="201, x-restli-id: urn%3Ali%3AsponsoredCreative%3AN",
            errors=f"{entity_422}; LEAD_GEN_FORM_MISSING for a lead-gen message ad whose form is named neither on the content nor here; a campaign of the wrong format",
            scopes=WRITE,
            sources=(CREATIVES, P_LEADGEN),
            unconfirmed="that a message ad's lead form is named by the creative's leadgenCallToAction (documented for sponsored content, reported for message ads)",
            app="linkedin/services/sync_steps.py creative step",
        ),
        Row(
            "R25",
            "Get one creative",
            "GET",
            "rest/adAccounts/{account}/creatives/{creative}",
            ("", "GET"),
            answer="200 the creative",
            errors="404",
            sources=(CREATIVES,),
        ),
        Row(
            "R26",
            "Update a creative (go live)",
            "POST",
            "rest/adAccounts/{account}/creatives/{creative}",
            ("PARTIAL_UPDATE",),
            body='{"patch": {"$set": {intendedStatus?, name?, leadgenCallToAction?}}}',
            answer="204",
            errors=f"{entity_422} (SINMAIL_SENDER_NOT_APPROVED on ACTIVE)",
            scopes=WRITE,
            sources=(CREATIVES,),
            app="linkedin/services/launch.py launch",
        ),
        # --- conversation ads -------------------------------------------------------------------
        Row(
            "R27",
            "Create a conversation",
            "POST",
            "rest/conversationAds",
            ("", "CREATE"),
            body="{parentAccount: urn:li:sponsoredAccount:N}",
            answer="201, x-restli-id: the bare conversation number (x-linkedin-id: its URN)",
            errors=entity_422,
            scopes=WRITE,
            sources=(CONVERSATION_ADS, P_CONVERSATION_ID),
            unconfirmed="whether x-restli-id carries the bare number or the URN; the client accepts both",
            app="linkedin/services/sync_steps.py conversation step",
        ),
        Row(
            "R28",
            "Batch get conversations",
            "GET",
            "rest/conversationAds",
            ("", "BATCH_GET"),
            {"ids": ANY},
            query=f"ids={urn_list}",
            answer="200 {results, statuses, errors}",
            sources=(CONVERSATION_ADS, ENDPOINT_SCOPES),
        ),
        Row(
            "R29",
            "Get one conversation",
            "GET",
            "rest/conversationAds/{conversation}",
            ("", "GET"),
            answer="200 {id, parentAccount, firstMessageContent?}",
            errors="404",
            sources=(CONVERSATION_ADS,),
        ),
        Row(
            "R30",
            "Set the conversation's first message",
            "POST",
            "rest/conversationAds/{conversation}",
            ("PARTIAL_UPDATE",),
            body='{"patch": {"$set": {firstMessageContent: urn:li:sponsoredMessageContent:(urn:li:sponsoredConversation:N,M)}}}',
            answer="204",
            errors=entity_422,
            scopes=WRITE,
            sources=(CONVERSATION_ADS,),
            app="linkedin/services/sync_steps.py first_message step",
        ),
        Row(
            "R31",
            "Create messages (batch, leaves first)",
            "POST",
            "rest/conversationAds/{conversation}/sponsoredMessageContents",
            ("BATCH_CREATE",),
            body="{elements: [{bodySource: {text} | {leadGenerationForm}, nextAction: {options: [{optionText, replyType, nextContent?, landingPage?}]}}]} — a button may point at a message created earlier, in this batch or before",
            answer="200 {elements: [{status: 201, id: urn:li:sponsoredMessageContent:(…,M)}]}",
            errors=entity_422,
            scopes=WRITE,
            sources=(CONVERSATION_ADS, ENDPOINT_SCOPES, CLIENT),
            app="linkedin/services/sync_steps.py messages step",
        ),
        Row(
            "R32",
            "Create one message",
            "POST",
            "rest/conversationAds/{conversation}/sponsoredMessageContents",
            ("", "CREATE"),
            body="one message as in R31",
            answer="201, x-restli-id: the message URN",
            errors=entity_422,
            scopes=WRITE,
            sources=(CONVERSATION_ADS,),
        ),
        Row(
            "R33",
            "All messages of a conversation",
            "GET",
            "rest/conversationAds/{conversation}/sponsoredMessageContents",
            ("", "GET_ALL"),
            {"start": OPT, "count": OPT},
            query=index,
            answer="200 {elements: [message with id], paging: {start, count, total}}",
            sources=(CONVERSATION_ADS, PAGINATION),
            app="linkedin/services/sync_steps.py messages step (answers lost in flight)",
        ),
        Row(
            "R34",
            "Get one message",
            "GET",
            "rest/conversationAds/{conversation}/sponsoredMessageContents/{message}",
            ("", "GET"),
            answer="200 the message",
            errors="404",
            sources=(CONVERSATION_ADS,),
        ),
        Row(
            "R35",
            "Update one message",
            "POST",
            "rest/conversationAds/{conversation}/sponsoredMessageContents/{message}",
            ("PARTIAL_UPDATE",),
            body='{"patch": {"$set": {bodySource?, nextAction?}}}',
            answer="204",
            errors=f"{entity_422}; CYCLE_IN_CONVERSATION",
            scopes=WRITE,
            sources=(CONVERSATION_ADS,),
        ),
        # --- reporting ----------------------------------------------------------------------------
        Row(
            "R36",
            "Ad analytics per creative",
            "GET",
            "rest/adAnalytics",
            ("", "FINDER"),
            {
                "q": "analytics",
                "pivot": ANY,
                "timeGranularity": ANY,
                "dateRange": ANY,
                "creatives": ANY,
                "fields": OPT,
            },
            query="pivot=CREATIVE, timeGranularity=DAILY|ALL, dateRange=(start:(year:Y,month:M,day:D)), creatives=List(…), fields=a,b,c with the commas raw (%2C is read as one unknown field); no paging",
            answer="200 {elements: [{dateRange, pivotValues, and the fields asked}]}; days without delivery are left out",
            errors="403 ACCESS_DENIED without r_ads_reporting; 400 for an unknown field or a malformed parameter",
            scopes=("r_ads_reporting",),
            sources=(REPORTING, CLIENT),
            app="guidance/services.py results_pull",
        ),
    )


ROWS: tuple[Row, ...] = tuple(sorted(_rows(), key=lambda r: int(r.id[1:])))
BY_ID: dict[str, Row] = {row.id: row for row in ROWS}

# Every call, whatever its row (LinkedIn's version and protocol headers, its error body).
COMMON = (
    (
        "LinkedIn-Version",
        f"YYYYMM or YYYYMM.RR of a released, unsunset version; otherwise 426 NONEXISTENT_VERSION ({VERSIONING}; body as in {P_426})",
    ),
    ("X-Restli-Protocol-Version", f"2.0.0, else 400 ({PROTOCOL})"),
    ("Keys in paths", f"URL-encoded whole: urn%3Ali%3AadInMailContent%3A1 ({CLIENT})"),
    (
        "Errors",
        f"{{status, serviceErrorCode, code, message}}; field errors in errorDetails.inputErrors ({ERRORS})",
    ),
    (
        "Long queries",
        f"POST with X-HTTP-Method-Override: GET and the query as a form body ({TUNNELING}, {CLIENT})",
    ),
)


# --- matching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One request as the sandbox received it: the row it matched (or none) and its form."""

    row: str  # "" when no row matched
    method: str
    path: str
    restli: str
    params: tuple[str, ...]
    reason: str = ""


_lock = threading.Lock()
_seen: deque[Seen] = deque(maxlen=5000)


def seen() -> list[Seen]:
    with _lock:
        return list(_seen)


def forget() -> None:
    with _lock:
        _seen.clear()


def _record(entry: Seen) -> None:
    with _lock:
        _seen.append(entry)


def effective_method(request: HttpRequest) -> str:
    method = (request.method or "").upper()
    override = request.headers.get("X-HTTP-Method-Override", "").upper()
    return override if method == "POST" and override else method


def _params(request: HttpRequest, row_in_body: bool) -> dict[str, str]:
    if row_in_body:
        return {k: str(v) for k, v in request.POST.items()}
    return restli.query_params(request)


def _why_not(row: Row, restli_method: str, params: Mapping[str, str], *, strict: bool) -> str:
    if restli_method not in row.restli:
        wanted = " or ".join(m or "no X-RestLi-Method" for m in row.restli)
        return f"{row.id} wants {wanted}, not {restli_method or 'no X-RestLi-Method'}"
    for name, rule in row.params.items():
        if rule == OPT:
            continue
        if name not in params:
            return f"{row.id} needs {name}"
        if rule != ANY and params[name] != rule:
            return f"{row.id} needs {name}={rule}"
    extra = sorted(set(params) - set(row.params))
    if strict and extra:
        return f"{row.id} does not list {', '.join(extra)}"
    return ""


def match(request: HttpRequest, relative_path: str, *, strict: bool = True) -> tuple[Row | None, str]:
    """The row this request's form matches, or None with the reason the closest row gave.

    Strict (the default, settings.SANDBOX_STRICT) also refuses a query parameter the row does
    not list; lenient matching ignores them.
    """
    method = effective_method(request)
    restli_method = restli.restli_method(request)
    reasons: list[str] = []
    for row in ROWS:
        if row.method != method or not row.pattern.match(relative_path):
            continue
        params = _params(request, row.in_body)
        reason = _why_not(row, restli_method, params, strict=strict)
        if not reason:
            return row, ""
        reasons.append(reason)
    return None, "; ".join(reasons) or f"no row lists {method} {relative_path}"


def path_known(relative_path: str) -> bool:
    return any(row.pattern.match(relative_path) for row in ROWS)


def record(request: HttpRequest, relative_path: str, row: Row | None, reason: str = "") -> None:
    in_body = row.in_body if row else relative_path.startswith("oauth/") and request.method == "POST"
    params = _params(request, in_body)
    _record(
        Seen(
            row=row.id if row else "",
            method=effective_method(request),
            path=row.path if row else relative_path,
            restli=restli.restli_method(request),
            params=tuple(sorted(params)),
            reason=reason,
        )
    )


def not_in_contract(reason: str) -> restli.RestliError:
    return restli.RestliError(
        400,
        "NOT_IN_CONTRACT",
        f"The sandbox's contract (inmail_studio/sandbox/CONTRACT.md) lists no such call: {reason}.",
    )


# --- CONTRACT.md --------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "—"


def _call(row: Row) -> str:
    restli_method = " / ".join(m for m in row.restli if m) or "—"
    params = ", ".join(
        f"{name}={value}" if value not in (ANY, OPT) else (f"{name}" if value == ANY else f"[{name}]")
        for name, value in row.params.items()
    )
    if params:
        params = f" form `{params}`" if row.in_body else f" `?{params}`"
    return f"`{row.method} /{row.path}`" + params + f" ({restli_method})"


def render_markdown(rows: Iterable[Row] = ROWS) -> str:
    """CONTRACT.md, rendered from the rows (a test checks the committed file equals this)."""
    rows = list(rows)
    lines = [
        "# The LinkedIn contract",
        "",
        "Every call InMail Studio makes to LinkedIn, and every call the sandbox serves, as LinkedIn",
        "documents it. The sandbox (`inmail_studio/sandbox/`) implements exactly this table: each",
        "request is matched to a row before anything else, handled by the function registered for",
        "that row, and refused with `400 NOT_IN_CONTRACT` when no row lists its form (strict mode,",
        "`SANDBOX_STRICT`, on by default). This file is rendered from `contract.py`; edit the rows",
        "there and run `python manage.py sandbox_contract --write`.",
        "",
        "Reading a row: the call is method, path (keys in braces, relative to `https://api.linkedin.com/`",
        "or `https://www.linkedin.com/` for OAuth), the query parameters (`name=value` fixed, `name`",
        "required, `[name]` optional) and the accepted `X-RestLi-Method` values. A source marked",
        "*unconfirmed* is a practitioner's report, not a LinkedIn page; the sandbox follows it and a",
        "test pins the choice.",
        "",
        f"{len(rows)} rows.",
        "",
        "## What every call shares",
        "",
        "| what | rule |",
        "|---|---|",
    ]
    lines += [f"| {_cell(name)} | {_cell(rule)} |" for name, rule in COMMON]
    lines += [
        "",
        "## The calls",
        "",
        "| row | call | query syntax | headers | body | answer | errors | scope | source | used by |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        sources = "; ".join(row.sources)
        if row.unconfirmed:
            sources += f"; *unconfirmed*: {row.unconfirmed}"
        scope = " or ".join(row.scopes) if row.scopes else "none (client credentials or the URL itself)"
        lines.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (
                    f"**{row.id}** {row.title}",
                    _call(row),
                    row.query,
                    row.headers,
                    row.body,
                    row.answer,
                    row.errors,
                    scope,
                    sources,
                    row.app or "the official client's tests only",
                )
            )
            + " |"
        )
    unconfirmed = [row for row in rows if row.unconfirmed]
    lines += ["", "## Facts decided from practitioners' reports (unconfirmed)", ""]
    lines += [f"- **{row.id}** {row.unconfirmed}." for row in unconfirmed]
    lines += [
        '- **all** LinkedIn\'s 426 body is `{"status": 426, "code": "NONEXISTENT_VERSION", '
        '"message": "Requested version YYYYMM01 is not active"}`, as quoted in GitHub issues; a '
        "missing header is 426 VERSION_MISSING.",
        "- **R07, R10, R22** the largest pageSize (the sandbox allows 1000; the client asks 100, "
        "LinkedIn's documented default) and that a page token only works for the search that made it.",
        "- **R13** new senders are named from their URN: the finder's answer names no person (the app "
        "asks for no decoration), so an admin may rename them.",
        "- **versions** sunset days LinkedIn has not published yet are the earliest its one-year policy "
        "allows (release month + 12, on the 15th); `inmail_studio/linkedin/versions.py` marks each.",
        "",
    ]
    return "\n".join(lines)


def rows_serving(ids: Iterable[str]) -> list[Row]:
    return [BY_ID[i] for i in ids]


def describe(row: Row) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "method": row.method, "path": row.path}
