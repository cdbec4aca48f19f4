"""The sign-in brake: django-axes, with its count taken before the password is checked.

Every sign-in goes through `django.contrib.auth.authenticate`, whose first backend is axes'
`AxesStandaloneBackend`: the product's sign-in page, Django admin's login page and any other
entry get the same brake (an entry without the request is refused by axes outright). Failures
are stored in the database, so every web process shares them, keyed on the username together
with the client's address (`client_address.client_ip`, which knows the trusted proxies):
five wrong passwords for one username from one address lock that pair out for fifteen minutes
from the last one, and a successful sign-in clears the count.

Axes on its own reads the count, lets the password be checked, then writes the failure, so a
burst of parallel guesses all pass the check before any is counted (issue 11). Here the check
and the count are one step: under a PostgreSQL advisory lock held per (username, address), an
attempt is refused if the limit is reached, or else counted as a failure before its password is
checked at all; a success then clears the count as before. However many guesses arrive at once,
no more passwords are checked than the limit allows.
"""

from __future__ import annotations

import hashlib
from typing import Any

from axes.conf import settings as axes_settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import (
    get_client_parameters,
    get_client_username,
    get_failure_limit,
    get_query_str,
)
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return f"Too many failed sign-ins for this username. Wait {minutes} minutes, then try again."


def _lock_id(key: str) -> int:
    """A signed 64-bit advisory lock id for `key`."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


class AtomicDatabaseHandler(AxesDatabaseHandler):
    """Axes' database handler, counting an attempt before its password is checked (see the module)."""

    def is_allowed(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if not super().is_allowed(request, credentials):
            return False
        if self.is_whitelisted(request, credentials) or not axes_settings.AXES_LOCK_OUT_AT_FAILURE:
            return True
        return self._claim(request, credentials)

    def _claim(self, request: HttpRequest, credentials: dict[str, Any] | None) -> bool:
        """Refuse if the limit is reached, else count this attempt as a failure now, atomically."""
        username = get_client_username(request, credentials)
        ip = request.axes_ip_address  # type: ignore[attr-defined]
        using = router.db_for_write(AccessAttempt)
        with transaction.atomic(using=using):
            if connections[using].vendor == "postgresql":
                keys = sorted(
                    repr(sorted(params.items()))
                    for params in get_client_parameters(
                        username,
                        ip,
                        request.axes_user_agent,  # type: ignore[attr-defined]
                        request,
                        credentials,
                    )
                )
                with connections[using].cursor() as cursor:
                    for key in keys:
                        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_id(key)])
            # Attempts older than the cool-off no longer count; drop them before adding to them.
            self.clean_expired_user_attempts(request, credentials)
            if self.get_failures(request, credentials) >= get_failure_limit(request, credentials):
                return False
            attempt, created = AccessAttempt.objects.select_for_update().get_or_create(
                username=username,
                ip_address=ip,
                user_agent=request.axes_user_agent,  # type: ignore[attr-defined]
                defaults={
                    "get_data": get_query_str(request.GET).replace("\0", "0x00"),
                    "post_data": get_query_str(request.POST).replace("\0", "0x00"),
                    "http_accept": request.axes_http_accept,  # type: ignore[attr-defined]
                    "path_info": request.axes_path_info,  # type: ignore[attr-defined]
                    "failures_since_start": 1,
                    "attempt_time": request.axes_attempt_time,  # type: ignore[attr-defined]
                },
            )
            if not created:
                AccessAttempt.objects.filter(pk=attempt.pk).update(
                    failures_since_start=F("failures_since_start") + 1,
                    attempt_time=request.axes_attempt_time,  # type: ignore[attr-defined]
                    path_info=request.axes_path_info,  # type: ignore[attr-defined]
                )
        request.axes_claimed = True  # type: ignore[attr-defined]
        return True

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
    ) -> None:
        if request is None or not getattr(request, "axes_claimed", False):
            super().user_login_failed(sender, credentials, request, **kwargs)
            return
        # Counted when claimed: only say whether this failure reached the limit.
        failures = self.get_failures(request, credentials)
        request.axes_failures_since_start = failures  # type: ignore[attr-defined]
        if failures >= get_failure_limit(request, credentials):
            request.axes_locked_out = True  # type: ignore[attr-defined]
            request.axes_credentials = credentials  # type: ignore[attr-defined]
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
            )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """Axes' lockout response: the sign-in page the view rendered, whose form already says why."""
    if original_response is not None:
        return original_response
    return HttpResponse(lockout_message(), status=429, content_type="text/plain; charset=utf-8")


class _Braked:
    """The lockout, said in the sign-in form itself rather than as Django's 'wrong password'."""

    request: HttpRequest | None

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()  # type: ignore[misc]
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise ValidationError(lockout_message(), code="locked_out") from None
            raise


class SignInForm(_Braked, AuthenticationForm):
    """The product's sign-in form."""


class AdminSignInForm(_Braked, AdminAuthenticationForm):
    """Django admin's sign-in form, with the same brake and message."""
