"""The review room's own pages. The root urlconf serves them under the `review` namespace together
with the studio's queue (`inmail_studio.studio.urls`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("ads/<int:ad_id>/", views.detail, name="detail"),
    path("ads/<int:ad_id>/decide/", views.decide, name="decide"),
    path("ads/<int:ad_id>/comments/", views.comment, name="comment"),
    path("ads/<int:ad_id>/submit/", views.submit, name="submit"),
    path("ads/<int:ad_id>/withdraw/", views.withdraw, name="withdraw"),
    path("ads/<int:ad_id>/duplicate/", views.duplicate, name="duplicate"),
    path("ads/<int:ad_id>/timeline/", views.timeline, name="timeline"),
    path("ads/<int:ad_id>/share/", views.share, name="share"),
    path("share-links/<int:link_id>/revoke/", views.share_revoke, name="share_revoke"),
    path("s/<str:token>/", views.shared, name="shared"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/bell/", views.bell, name="bell"),
    path("notifications/<int:notification_id>/", views.notification_open, name="notification_open"),
]
