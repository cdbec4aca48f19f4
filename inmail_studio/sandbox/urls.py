"""The sandbox, mounted at /sandbox/linkedin/ when settings.LINKEDIN_SANDBOX is on.

rest/...        the Marketing API (Rest.li 2.0), as under https://api.linkedin.com/rest/
oauth/v2/...    OAuth 2.0, as under https://www.linkedin.com/oauth/v2/
inbox/...       each member's test inbox
console/        staff page: faults, tokens
"""

from django.urls import path, re_path

from . import analytics, api, oauth, views

app_name = "sandbox"

urlpatterns = [
    path("", views.home, name="home"),
    # Rest.li resources. Keys arrive URL-decoded (Django decodes the path), so a URN key is one segment.
    path("rest/inMailContents", api.inmail_contents, name="inmail_contents"),
    path("rest/inMailContents/<str:key>", api.inmail_content, name="inmail_content"),
    path("rest/adAccounts", api.ad_accounts, name="ad_accounts"),
    path("rest/adAccounts/<str:account_id>", api.ad_account, name="ad_account"),
    path("rest/adAccounts/<str:account_id>/adCampaigns", api.campaigns, name="campaigns"),
    path("rest/adAccounts/<str:account_id>/adCampaigns/<str:campaign_id>", api.campaign, name="campaign"),
    path("rest/adAccounts/<str:account_id>/creatives", api.creatives, name="creatives"),
    path("rest/adAccounts/<str:account_id>/creatives/<str:key>", api.creative, name="creative"),
    path("rest/conversationAds", api.conversation_ads, name="conversation_ads"),
    path("rest/conversationAds/<str:key>", api.conversation_ad, name="conversation_ad"),
    path("rest/conversationAds/<str:key>/sponsoredMessageContents", api.message_contents, name="messages"),
    path(
        "rest/conversationAds/<str:key>/sponsoredMessageContents/<str:message_key>",
        api.message_content,
        name="message",
    ),
    path("rest/images", api.images, name="images"),
    path("rest/images/<str:key>", api.image, name="image"),
    path("rest/adInMailMemberSenderPermissions", api.sender_permissions, name="sender_permissions"),
    path("rest/me", api.me, name="me"),
    path("rest/adAnalytics", analytics.ad_analytics, name="ad_analytics"),
    re_path(r"^rest/(?P<rest>.*)$", api.rest_not_found),
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
