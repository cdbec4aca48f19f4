from django.urls import path

from . import conversation_views, views

app_name = "ads"

urlpatterns = [
    path("", views.drafts, name="list"),
    path("new/", views.ad_new, name="new"),
    path("new/preview/", views.ad_preview, name="preview_new"),
    path("banner/", views.banner_upload, name="banner"),
    path("personas/", views.personas, name="personas"),
    path("senders/", views.senders, name="senders"),
    path("workspace/", views.switch_workspace, name="switch_workspace"),
    path("<int:ad_id>/", views.ad_edit, name="edit"),
    path("<int:ad_id>/preview/", views.ad_preview, name="preview"),
    path("<int:ad_id>/presence/", views.presence, name="presence"),
    path("<int:ad_id>/history/", views.history, name="history"),
    path("<int:ad_id>/compare/", views.compare, name="compare"),
    # Conversation ads (issue 5)
    path("conversation/new/", conversation_views.conversation_new, name="conversation_new"),
    path("<int:ad_id>/conversation/", conversation_views.conversation_edit, name="conversation"),
    path(
        "<int:ad_id>/conversation/messages/", conversation_views.message_add, name="conversation_message_add"
    ),
    path(
        "<int:ad_id>/conversation/messages/<int:message_id>/",
        conversation_views.message_edit,
        name="conversation_message",
    ),
    path(
        "<int:ad_id>/conversation/messages/<int:message_id>/check/",
        conversation_views.conversation_check,
        name="conversation_check",
    ),
    path(
        "<int:ad_id>/conversation/messages/<int:message_id>/delete/",
        conversation_views.message_delete,
        name="conversation_message_delete",
    ),
    path("<int:ad_id>/conversation/frame/", conversation_views.conversation_frame, name="conversation_frame"),
    path("<int:ad_id>/conversation/paths/", conversation_views.conversation_paths, name="conversation_paths"),
    path(
        "<int:ad_id>/conversation/changes/",
        conversation_views.conversation_changes,
        name="conversation_changes",
    ),
]
