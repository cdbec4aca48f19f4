"""Telling people a review needs them or has moved: the bell in the app, and email.

Emails go through Django's email backend after the transaction commits, so a rolled-back
decision never sends one; people who turned email off in their settings only get the bell.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad
from inmail_studio.single_line import one_line

from .models import Notification

log = logging.getLogger(__name__)


def notify(*, recipients: Iterable[User], ad: Ad, message: str, url: str, actor: User | None = None) -> int:
    """Ring the bell of each recipient (never the actor) and email those who want email."""
    people = {user.pk: user for user in recipients if actor is None or user.pk != actor.pk}
    if not people:
        return 0
    Notification.objects.bulk_create(
        Notification(recipient_id=pk, ad=ad, message=message[:300], url=url) for pk in people
    )
    emails = [
        EmailMessage(
            # One line whatever the names in it hold: a line break would make Django refuse the header.
            subject=one_line(f"[InMail Studio] {message}")[:200],
            body=render_to_string(
                "review/email/notification.txt",
                {"user": user, "message": message, "link": f"{settings.SITE_URL}{url}", "ad_name": ad.name},
            ),
            to=[user.email],
        )
        for user in people.values()
        if user.email_notifications and user.email
    ]
    if emails:
        transaction.on_commit(lambda: _send(emails))
    return len(people)


def _send(emails: list[EmailMessage]) -> None:
    try:
        get_connection().send_messages(emails)
    except Exception:  # the decision is committed; a mail server being down must not undo it
        log.exception("Review notification emails could not be sent")
