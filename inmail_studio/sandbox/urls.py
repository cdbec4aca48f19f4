"""The sandbox, mounted at /sandbox/linkedin/ when settings.LINKEDIN_SANDBOX is on.

rest/...        the Marketing API (Rest.li 2.0), as under https://api.linkedin.com/rest/
oauth/v2/...    OAuth 2.0, as under https://www.linkedin.com/oauth/v2/
v2/userinfo     OpenID Connect's userinfo, as under https://api.linkedin.com/v2/
upload/...      the upload URLs images?action=initializeUpload hands out
inbox/...       each member's test inbox
console/        staff page: faults, tokens

Everything under rest/, oauth/, v2/ and upload/ is one row of the written contract (CONTRACT.md),
and the URLs are self-contained: this urlconf can be served alone, at any prefix.
"""

from django.urls import path, re_path

from . import analytics, api, gateway, oauth, views

# The handlers register themselves with the gateway, one per contract row, when their modules load.
__all__ = ["analytics", "api"]

app_name = "sandbox"

urlpatterns = [
    path("", views.home, name="home"),
    # Rest.li resources: every path goes through the gateway, which answers with the handler of the
    # contract row the request matches (CONTRACT.md). Keys arrive URL-decoded (Django decodes the
    # path), so a URN key is one segment.
    path("rest/inMailContents", gateway.rest, name="inmail_contents"),
    path("rest/inMailContents/<str:key>", gateway.rest, name="inmail_content"),
    path("rest/adAccounts", gateway.rest, name="ad_accounts"),
    path("rest/adAccounts/<str:account_id>", gateway.rest, name="ad_account"),
    path("rest/adAccounts/<str:account_id>/adCampaigns", gateway.rest, name="campaigns"),
    path("rest/adAccounts/<str:account_id>/adCampaigns/<str:campaign_id>", gateway.rest, name="campaign"),
    path("rest/adAccounts/<str:account_id>/creatives", gateway.rest, name="creatives"),
    path("rest/adAccounts/<str:account_id>/creatives/<str:key>", gateway.rest, name="creative"),
    path("rest/adAccountUsers", gateway.rest, name="ad_account_users"),
    path("rest/conversationAds", gateway.rest, name="conversation_ads"),
    path("rest/conversationAds/<str:key>", gateway.rest, name="conversation_ad"),
    path("rest/conversationAds/<str:key>/sponsoredMessageContents", gateway.rest, name="messages"),
    path(
        "rest/conversationAds/<str:key>/sponsoredMessageContents/<str:message_key>",
        gateway.rest,
        name="message",
    ),
    path("rest/images", gateway.rest, name="images"),
    path("rest/images/<str:key>", gateway.rest, name="image"),
    path("rest/adInMailMemberSenderPermissions", gateway.rest, name="sender_permissions"),
    path("rest/leadForms", gateway.rest, name="lead_forms"),
    path("rest/me", gateway.rest, name="me"),
    path("rest/adAnalytics", gateway.rest, name="ad_analytics"),
    re_path(r"^rest/(?P<rest>.*)$", gateway.rest_not_found),
    # OpenID Connect (unversioned, as under https://api.linkedin.com/v2/).
    path("v2/userinfo", api.userinfo, name="userinfo"),
    # Uploads and the files the inbox shows.
    path("upload/images/<str:token>", api.image_upload, name="image_upload"),
    path("media/images/<str:key>", api.image_file, name="image_file"),
    path("media/members/<slug:slug>.png", api.member_photo, name="member_photo"),
    # OAuth 2.0.
    path("oauth/v2/authorization", oauth.authorization, name="authorization"),
    path("oauth/v2/accessToken", oauth.access_token, name="access_token"),
    path("oauth/v2/introspectToken", oauth.introspect_token, name="introspect_token"),
    path("oauth/v2/revoke", oauth.revoke, name="revoke"),
    # Pages.
    path("inbox/", views.inbox_members, name="inbox_members"),
    path("inbox/<slug:slug>/", views.inbox, name="inbox"),
    path("inbox/<slug:slug>/<int:message_id>/", views.inbox_message, name="inbox_message"),
    path("inbox/<slug:slug>/<int:message_id>/frame", views.inbox_frame, name="inbox_frame"),
    path("console/", views.console, name="console"),
    path("console/faults", views.console_faults, name="console_faults"),
    path("console/tokens/<int:token_id>/revoke", views.console_revoke, name="console_revoke"),
]
