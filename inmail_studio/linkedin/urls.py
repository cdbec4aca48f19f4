from django.urls import path

from . import leadform_views, views

app_name = "linkedin"

urlpatterns = [
    path("", views.connection, name="connection"),
    path("connect/", views.connect, name="connect"),
    path("callback/", views.callback, name="callback"),
    path("account/", views.account, name="account"),
    path("refresh/", views.refresh, name="refresh"),
    path("disconnect/", views.disconnect, name="disconnect"),
    path("readiness/", views.readiness_check, name="readiness"),
    path("import/", views.import_contents, name="import"),
    path("lead-forms/", leadform_views.lead_form_picker, name="lead_forms"),
    path("ads/<int:ad_id>/panel/", views.panel, name="panel"),
    path("ads/<int:ad_id>/campaign/", views.campaign, name="campaign"),
    path("ads/<int:ad_id>/retry/", views.retry, name="retry"),
    path("ads/<int:ad_id>/test-send/", views.test_send, name="test_send"),
    path("ads/<int:ad_id>/test-send/confirm/", views.test_send_confirm, name="test_send_confirm"),
    path("ads/<int:ad_id>/launch/", views.launch, name="launch"),
    path("ads/<int:ad_id>/ledger/", views.ledger, name="ledger"),
    path("ads/<int:ad_id>/payload/", views.payload, name="payload"),
]
