from django.urls import path

from . import views

app_name = "guidance"

urlpatterns = [
    path("ads/<int:ad_id>/forecast/", views.ad_forecast, name="forecast"),
    path("assumptions/", views.assumptions, name="assumptions"),
]
