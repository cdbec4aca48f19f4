from django.urls import path

from . import views

app_name = "guidance"

urlpatterns = [
    path("ads/<int:ad_id>/forecast/", views.ad_forecast, name="forecast"),
    path("ads/<int:ad_id>/variants/new/", views.variant_create, name="variant_create"),
    path("ads/<int:ad_id>/results/", views.ad_results, name="results"),
    path("variants/<int:set_id>/", views.variant_set, name="variant_set"),
    path("assumptions/", views.assumptions, name="assumptions"),
    path("utm/", views.utm, name="utm"),
]
