"""The ads room's own pages. The root urlconf serves them under the `ads` namespace together with
the studio's (the editors and the drafts list, `inmail_studio.studio.urls`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("banner/", views.banner_upload, name="banner"),
    path("personas/", views.personas, name="personas"),
    path("senders/", views.senders, name="senders"),
    path("workspace/", views.switch_workspace, name="switch_workspace"),
    path("<int:ad_id>/presence/", views.presence, name="presence"),
    path("<int:ad_id>/history/", views.history, name="history"),
    path("<int:ad_id>/compare/", views.compare, name="compare"),
]
