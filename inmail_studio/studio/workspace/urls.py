from django.urls import path

from . import views

app_name = "workspace"

urlpatterns = [
    path("", views.settings_view, name="settings"),
    path("members/", views.members, name="members"),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("invitations/<int:invitation_id>/withdraw/", views.invitation_revoke, name="invitation_revoke"),
    path("join/<str:token>/", views.join, name="join"),
    path("senders/", views.senders, name="senders"),
    path("senders/<int:sender_id>/", views.sender_edit, name="sender_edit"),
    path("senders/<int:sender_id>/remove/", views.sender_remove, name="sender_remove"),
    path("audit/", views.audit_trail, name="audit"),
    path("audit/export/", views.audit_export, name="audit_export"),
]
