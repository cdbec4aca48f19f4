"""Settings of the standalone sandbox server (`python manage.py sandbox_serve`; see server.py).

The app's settings, with only the sandbox served, at LinkedIn's own paths, and its own page frame.
`server.py` starts this with an environment of its own (its database, its host, no broker, no
cache, never DJANGO_ENV=production), so the server can run beside an app whose settings are
production's, with LINKEDIN_SANDBOX off, and be that app's LinkedIn.
"""

from django.core.exceptions import ImproperlyConfigured

from inmail_studio.settings import *  # noqa: F403
from inmail_studio.settings import BASE_DIR, PRODUCTION, TEMPLATES

if PRODUCTION:
    raise ImproperlyConfigured(
        "The LinkedIn sandbox server never runs with production settings: start it with "
        "`python manage.py sandbox_serve`, which gives it an environment of its own."
    )

ROOT_URLCONF = "inmail_studio.sandbox.server_urls"
LINKEDIN_SANDBOX = True
# The sandbox's pages extend "base.html": here that is LinkedIn's stand-in frame, without the app's navigation.
TEMPLATES = [
    {
        **TEMPLATES[0],
        "DIRS": [BASE_DIR / "templates" / "sandbox_server", *TEMPLATES[0]["DIRS"]],
        "OPTIONS": {
            **TEMPLATES[0]["OPTIONS"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]
# The test inboxes need sign-in (staff, or a member of a connected workspace); here the only sign-in
# page is the admin's.
LOGIN_URL = "/admin/login/"
