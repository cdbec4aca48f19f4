"""The workspace's audit trail as its admins read it: filtered, paged, exported.

Always scoped to one workspace; the filters come from the audit page's form (`AuditFilter`),
whose choices are themselves limited to that workspace, so nobody can ask for another's rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone

from inmail_studio.accounts.models import User, Workspace

from .models import WORKSPACE_ACTIONS, Action, AuditEvent

SEARCH_MAX = 100


class AuditFilter(forms.Form):
    """The audit page's filters. Every field is optional; an invalid one is ignored, and says so."""

    q = forms.CharField(label="Ad or member", required=False, max_length=SEARCH_MAX)
    person = forms.ModelChoiceField(
        label="Person", queryset=User.objects.none(), required=False, empty_label="Anyone"
    )
    action = forms.ChoiceField(label="What happened", required=False)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, forms.ModelChoiceField)
        person.queryset = User.objects.filter(memberships__workspace=workspace).order_by(
            "first_name", "last_name", "username"
        )
        person.label_from_instance = lambda user: user.display_name  # type: ignore[method-assign,assignment]
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [("", "Anything"), *((a.value, a.label.capitalize()) for a in Action)]

    def apply(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data.get("q"):
            events = events.filter(Q(ad__name__icontains=data["q"]) | Q(subject__icontains=data["q"]))
        if data.get("person"):
            user = data["person"]
            events = events.filter(Q(actor=user) | Q(actor=None, on_behalf_of=user))
        if data.get("action"):
            events = events.filter(action=data["action"])
        zone = timezone.get_current_timezone()
        if data.get("since"):
            events = events.filter(created_at__gte=datetime.combine(data["since"], time.min, tzinfo=zone))
        if data.get("until"):
            events = events.filter(created_at__lte=datetime.combine(data["until"], time.max, tzinfo=zone))
        return events


def record_workspace_event(
    *,
    workspace_id: int,
    action: Action,
    actor: User,
    subject: str,
    comment: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """An audit row for something that happened to the workspace (its members), not to an ad.

    `subject` names whom it concerns as they are now (a member's name and email, or the invited
    address), so the row still reads right after they leave or change their name.
    """
    assert action in WORKSPACE_ACTIONS, action
    return AuditEvent.objects.create(
        workspace_id=workspace_id,
        ad=None,
        actor=actor,
        subject=subject[:400],
        action=action,
        from_state="",
        to_state="",
        comment=comment,
        ip=ip,
    )


def audit_events_for(workspace: Workspace) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(workspace=workspace).select_related(
        "ad", "actor", "on_behalf_of", "share_link"
    )


def audit_csv_rows(events: QuerySet[AuditEvent]) -> Iterator[list[object]]:
    """The rows of the export, header first, oldest first, one at a time."""
    yield ["time", "ad or member", "who", "action", "from", "to", "revision hash", "comment", "ip address"]
    for e in events.order_by("created_at", "pk").iterator(chunk_size=2000):
        yield [
            e.created_at.isoformat(),
            e.concerns,
            e.who,
            e.get_action_display(),
            e.get_from_state_display(),
            e.get_to_state_display(),
            e.revision_hash,
            e.comment,
            e.ip or "",
        ]
