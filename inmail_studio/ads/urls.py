from django.urls import path

from . import views

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
    path("<int:ad_id>/history/", views.history, name="history"),
    path("<int:ad_id>/compare/", views.compare, name="compare"),
]
