from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import include, path

from inmail_studio import health, private_media
from inmail_studio.studio import urls as studio


def home(request: HttpRequest) -> HttpResponse:
    return redirect("ads:list")


def base_page(request: HttpRequest) -> HttpResponse:
    """A trivial page on the base template: the yardstick the preview benchmark compares against."""
    return render(request, "base.html")


handler404 = "inmail_studio.errors.not_found"
handler403 = "inmail_studio.errors.forbidden"
handler500 = "inmail_studio.errors.server_error"

urlpatterns = [
    path("", home, name="home"),
    # Answered by health.HealthMiddleware before the HTTPS redirect and host check; named here for reverse().
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("base/", base_page, name="base"),
    path("accounts/", include("inmail_studio.accounts.urls")),
    path("ads/", include((studio.ads_patterns, "ads"))),
    path("review/", include((studio.review_patterns, "review"))),
    path("linkedin/", include("inmail_studio.linkedin.urls")),
    path("guidance/", include("inmail_studio.guidance.urls")),
    path("admin/", admin.site.urls),
]

if settings.LINKEDIN_SANDBOX:
    urlpatterns += [path("sandbox/linkedin/", include("inmail_studio.sandbox.urls"))]

if settings.SERVE_MEDIA:
    # Private: a file is served only against the signed, expiring URL its storage made (media.py).
    urlpatterns += [path("media/<path:name>", private_media.serve)]
