"""The `ads` and `review` URL namespaces: each room's own pages with the studio's on top.

Paths and names are those they always had (`ads:edit`, `review:queue`, ...); only the view
functions of the pages that combine rooms live here.
"""

from django.urls import URLPattern, URLResolver, path

from inmail_studio.ads import urls as ads_urls
from inmail_studio.review import urls as review_urls

from . import review_views, views
from .conversation import messages as conversation_messages
from .conversation import page as conversation_page
from .conversation import preview as conversation_preview

ads_patterns: list[URLPattern | URLResolver] = [
    path("", views.drafts, name="list"),
    path("new/", views.ad_new, name="new"),
    path("new/preview/", views.ad_preview, name="preview_new"),
    path("<int:ad_id>/", views.ad_edit, name="edit"),
    path("<int:ad_id>/preview/", views.ad_preview, name="preview"),
    # Conversation ads (issue 5)
    path("conversation/new/", conversation_page.conversation_new, name="conversation_new"),
    path("<int:ad_id>/conversation/", conversation_page.conversation_edit, name="conversation"),
    path(
        "<int:ad_id>/conversation/messages/",
        conversation_messages.message_add,
        name="conversation_message_add",
    ),
    path(
        "<int:ad_id>/conversation/messages/<int:message_id>/",
        conversation_messages.message_edit,
        name="conversation_message",
    ),
    path(
        "<int:ad_id>/conversation/messages/<int:message_id>/check/",
        conversation_messages.conversation_check,
        name="conversation_check",
    ),
    path(
        "<int:ad_id>/conversation/messages/<int:message_id>/delete/",
        conversation_messages.message_delete,
        name="conversation_message_delete",
    ),
    path("<int:ad_id>/conversation/undo/", conversation_page.conversation_undo, name="conversation_undo"),
    path("<int:ad_id>/conversation/save/", conversation_page.conversation_save, name="conversation_save"),
    path(
        "<int:ad_id>/conversation/frame/", conversation_preview.conversation_frame, name="conversation_frame"
    ),
    path(
        "<int:ad_id>/conversation/paths/", conversation_preview.conversation_paths, name="conversation_paths"
    ),
    path(
        "<int:ad_id>/conversation/changes/",
        conversation_preview.conversation_changes,
        name="conversation_changes",
    ),
    *ads_urls.urlpatterns,
]

review_patterns: list[URLPattern | URLResolver] = [
    path("", review_views.queue, name="queue"),
    *review_urls.urlpatterns,
]
