"""The standalone sandbox server's URLs: the sandbox at LinkedIn's own paths, nothing of the app.

/rest/...        as https://api.linkedin.com/rest/...
/oauth/v2/...    as https://www.linkedin.com/oauth/v2/...
/inbox/...       the members' test inboxes; /console/ for staff (signed in through /admin/)
/healthz         liveness, for whoever starts the server
"""

from django.contrib import admin
from django.urls import include, path

from inmail_studio import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("inmail_studio.sandbox.urls")),
]
