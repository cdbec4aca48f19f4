"""One workspace full of objects of every kind, for the security tests to aim at from outside and below.

`world` builds, through the real services, everything a URL can name by id: a message ad, a
conversation ad with its messages, a variant set, a share link and a notification. The
outsider (admin of another workspace) must find none of it; the viewer must change none of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.conversation import services as conversation_services
from inmail_studio.ads.models import Ad
from inmail_studio.guidance import services as guidance_services
from inmail_studio.review import services as review_services
from inmail_studio.review.models import Notification, ShareLink


@dataclass
class World:
    ad: Ad
    conversation: Ad
    message_id: int
    link: ShareLink
    notification: Notification
    set_id: int

    def kwargs_for(self, names: set[str], *, conversation: bool) -> dict[str, int]:
        ad = self.conversation if conversation else self.ad
        values = {
            "ad_id": ad.pk,
            "message_id": self.message_id,
            "link_id": self.link.pk,
            "notification_id": self.notification.pk,
            "set_id": self.set_id,
        }
        return {name: values[name] for name in names}


@pytest.fixture
def world(workspace: Workspace, author: User, approver: User, ad: Ad) -> World:
    conversation = conversation_services.conversation_create(
        workspace=workspace, author=author, name="Spring event", template_key="event-invitation"
    )
    message_id = conversation.conversation.messages.values_list("pk", flat=True).first()  # type: ignore[attr-defined]
    assert message_id is not None
    variant = guidance_services.variant_create(ad_id=ad.pk, author=author, subject="Another subject")
    review_services.submit(ad_id=ad.pk, actor=author)
    link = review_services.share_link_create(ad_id=ad.pk, creator=author, recipient="Legal").link
    notification = Notification.objects.filter(recipient=approver).first()
    assert notification is not None
    ad.refresh_from_db()
    return World(
        ad=ad,
        conversation=conversation,
        message_id=message_id,
        link=link,
        notification=notification,
        set_id=variant.variant.variant_set_id,  # type: ignore[attr-defined]
    )


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name, e.g. "ads:edit"
    route: str  # the pattern, for messages
    int_kwargs: frozenset[str]
    callback: Any


def app_routes() -> list[Route]:
    """Every named URL of the product's own apps (not the admin, not the sandbox)."""
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = ":".join(filter(None, [namespace, entry.namespace or ""]))
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and entry.name:
                kwargs = frozenset(
                    name
                    for name, converter in entry.pattern.converters.items()
                    if converter.regex == "[0-9]+"
                )
                found.append(
                    Route(
                        name=f"{namespace}:{entry.name}" if namespace else entry.name,
                        route=prefix + str(entry.pattern),
                        int_kwargs=kwargs,
                        callback=entry.callback,
                    )
                )

    walk(get_resolver(), "", "")
    return [r for r in found if not r.name.startswith(("admin:", "sandbox:"))]
