"""Header injection: no single-line field takes a line break, and no email subject ever holds one.

A line break in an ad name, a person's name or a stakeholder's name made Django refuse the review
email's subject, and the error was swallowed (issue 11). Every single-line field now refuses line
breaks (every kind Python splits lines on) with a message next to it, on every form and service
that takes one; and the notification code folds its subject onto one line whatever it is given.
"""

from __future__ import annotations

import email
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.conversation import services as conversation_services
from inmail_studio.ads.models import Ad, Persona, Sender
from inmail_studio.review import services as review_services
from inmail_studio.review.models import ShareLink
from inmail_studio.single_line import LINE_BREAKS, MESSAGE
from tests.conftest import GOOD_AD, client_for, make_user

INJECTED = "Quarterly review{br}Bcc: everyone@evil.example"


@dataclass(frozen=True)
class Case:
    """One single-line field of one form: who posts where, and what must not change."""

    url: Callable[[Any], str]
    data: Callable[[Any, str], dict[str, Any]]
    persona: str = "author"
    unchanged: Callable[[Any], object] = lambda w: None


def _conversation(w: Any) -> Ad:
    if "conversation" not in w:
        w["conversation"] = conversation_services.conversation_create(
            workspace=w["workspace"], author=w["author"], name="Spring event", template_key="event-invitation"
        )
    return w["conversation"]  # type: ignore[no-any-return]


def _message(w: Any) -> Any:
    return _conversation(w).conversation.messages.prefetch_related("buttons").first()  # type: ignore[attr-defined]


def _button(w: Any) -> Any:
    return next(m for m in _conversation(w).conversation.messages.all() if m.buttons.exists()).buttons.first()  # type: ignore[attr-defined]


def _ad_data(w: Any, field: str, value: str) -> dict[str, Any]:
    return {**GOOD_AD, "sender": w["sender"].pk, "cta_kind": "landing_page", field: value}


def _names(w: Any) -> object:
    return list(Ad.objects.values_list("name", "subject", "cta_text").order_by("pk"))


CASES: dict[str, Case] = {
    "new message ad: name": Case(
        lambda w: reverse("ads:new"), lambda w, v: _ad_data(w, "name", v), unchanged=_names
    ),
    "new message ad: subject": Case(
        lambda w: reverse("ads:new"), lambda w, v: _ad_data(w, "subject", v), unchanged=_names
    ),
    "new message ad: button text": Case(
        lambda w: reverse("ads:new"), lambda w, v: _ad_data(w, "cta_text", v), unchanged=_names
    ),
    "message ad editor: name": Case(
        lambda w: reverse("ads:edit", args=[w["ad"].pk]),
        lambda w, v: _ad_data(w, "name", v),
        unchanged=_names,
    ),
    "message ad editor: subject": Case(
        lambda w: reverse("ads:edit", args=[w["ad"].pk]),
        lambda w, v: _ad_data(w, "subject", v),
        unchanged=_names,
    ),
    "new conversation ad: name": Case(
        lambda w: reverse("ads:conversation_new"),
        lambda w, v: {"name": v, "template": "demo-request"},
        unchanged=_names,
    ),
    "conversation settings: name": Case(
        lambda w: reverse("ads:conversation", args=[_conversation(w).pk]),
        lambda w, v: {"name": v, "subject": "Hi", "sender": w["sender"].pk},
        unchanged=_names,
    ),
    "conversation settings: subject": Case(
        lambda w: reverse("ads:conversation", args=[_conversation(w).pk]),
        lambda w, v: {"name": "Spring", "subject": v, "sender": w["sender"].pk},
        unchanged=_names,
    ),
    "conversation message: label": Case(
        lambda w: reverse("ads:conversation_message", args=[_conversation(w).pk, _message(w).pk]),
        lambda w, v: {"name": v, "kind": "text", "body": "<p>Hi</p>"},
        unchanged=lambda w: list(_conversation(w).conversation.messages.values_list("name", flat=True)),  # type: ignore[attr-defined]
    ),
    "conversation message: button text": Case(
        lambda w: reverse("ads:conversation_message", args=[_conversation(w).pk, _button(w).message_id]),
        lambda w, v: {
            "name": "Opening",
            "kind": "text",
            "body": "<p>Hi</p>",
            f"button-{_button(w).pk}-text": v,
            f"button-{_button(w).pk}-action": "end",
        },
        unchanged=lambda w: list(_button(w).message.buttons.values_list("text", flat=True)),
    ),
    "sample members: label": Case(
        lambda w: reverse("ads:personas"),
        lambda w, v: {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-label": v,
            "form-0-first_name": "Priya",
        },
        unchanged=lambda w: Persona.objects.count(),
    ),
    "sample members: first name": Case(
        lambda w: reverse("ads:personas"),
        lambda w, v: {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-label": "New",
            "form-0-first_name": v,
        },
        unchanged=lambda w: Persona.objects.count(),
    ),
    "my settings: first name": Case(
        lambda w: reverse("accounts:settings"),
        lambda w, v: {"first_name": v, "last_name": "Author", "email": "alice@example.com"},
        unchanged=lambda w: list(User.objects.values_list("first_name", "last_name")),
    ),
    "my settings: last name": Case(
        lambda w: reverse("accounts:settings"),
        lambda w, v: {"first_name": "Alice", "last_name": v, "email": "alice@example.com"},
        unchanged=lambda w: list(User.objects.values_list("first_name", "last_name")),
    ),
    "share link: who it is for": Case(
        lambda w: reverse("review:share", args=[w["ad"].pk]),
        lambda w, v: {"recipient": v, "kind": "signoff", "days": "7"},
        unchanged=lambda w: ShareLink.objects.count(),
    ),
    "variant: subject": Case(
        lambda w: reverse("guidance:variant_create", args=[w["ad"].pk]),
        lambda w, v: {"subject": v},
        unchanged=_names,
    ),
    "admin, user: first name": Case(
        lambda w: reverse("admin:accounts_user_change", args=[w["author"].pk]),
        lambda w, v: {
            "username": "alice",
            "first_name": v,
            "last_name": "Author",
            "email": "alice@example.com",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "email_notifications": "on",
        },
        persona="staff",
        unchanged=lambda w: list(User.objects.values_list("first_name", "last_name")),
    ),
    "admin, workspace: name": Case(
        lambda w: reverse("admin:accounts_workspace_change", args=[w["workspace"].pk]),
        lambda w, v: {
            "name": v,
            "slug": w["workspace"].slug,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
        persona="staff",
        unchanged=lambda w: list(Workspace.objects.values_list("name", flat=True)),
    ),
    "admin, sender: name": Case(
        lambda w: reverse("admin:ads_sender_change", args=[w["sender"].pk]),
        lambda w, v: {
            "workspace": w["workspace"].pk,
            "urn": w["sender"].urn,
            "name": v,
            "headline": "VP",
            "permission": "approved",
        },
        persona="staff",
        unchanged=lambda w: list(Sender.objects.values_list("name", "headline")),
    ),
}


@pytest.fixture
def world(workspace: Workspace, author: User, sender: Sender, ad: Ad) -> dict[str, Any]:
    return {"workspace": workspace, "author": author, "sender": sender, "ad": ad}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_line_break_in_a_single_line_field_is_refused_next_to_it(name: str, world: dict[str, Any]) -> None:
    case = CASES[name]
    user = make_user("root", is_staff=True, is_superuser=True) if case.persona == "staff" else world["author"]
    url = case.url(world)
    before = case.unchanged(world)
    response = client_for(user).post(url, case.data(world, INJECTED.format(br="\r\n")))
    assert 400 <= response.status_code < 500 or (case.persona == "staff" and response.status_code == 200), (
        name,
        response.status_code,
    )
    html = response.content.decode()
    assert MESSAGE in html or "must be one line" in html, name
    assert case.unchanged(world) == before, name


@pytest.mark.parametrize("br", list(LINE_BREAKS), ids=lambda c: f"U+{ord(c):04X}")
def test_every_kind_of_line_break_is_refused(br: str, world: dict[str, Any]) -> None:
    response = client_for(world["author"]).post(
        reverse("ads:new"), _ad_data(world, "name", INJECTED.format(br=br))
    )
    assert response.status_code == 422
    assert MESSAGE in response.content.decode()


@pytest.mark.parametrize("br", list(LINE_BREAKS), ids=lambda c: f"U+{ord(c):04X}")
def test_a_notification_subject_is_one_line_whatever_the_names_hold(
    br: str, world: dict[str, Any], approver: User, django_capture_on_commit_callbacks: Any
) -> None:
    """Names saved before the rule (or by any path that skipped it) still never break a subject."""
    ad, author = world["ad"], world["author"]
    Ad.objects.filter(pk=ad.pk).update(name=INJECTED.format(br=br))
    User.objects.filter(pk=author.pk).update(first_name=f"Alice{br}X-Evil: 1")
    author.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        review_services.submit(ad_id=ad.pk, actor=author)
    assert mail.outbox, "the review email was not sent"
    for message in mail.outbox:
        assert not any(c in message.subject for c in LINE_BREAKS), repr(message.subject)
        headers = email.message_from_string(message.message().as_string()).keys()
        assert not {"Bcc", "X-Evil"} & set(headers), headers
