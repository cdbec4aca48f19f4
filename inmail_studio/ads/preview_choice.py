"""Which sample member and which device a preview shows: one rule for every page that previews an ad.

The members are the workspace's sample members, then the fallbacks (no profile data). A choice
is read from the request (the editor's own form posts it with every keystroke) and, on pages
that share it, from the session, where the editors remember it for the next page; an unknown
member is the first one, an unknown device the page's default (the conversation editor opens on
mobile, every other page on desktop).
"""

from __future__ import annotations

from enum import Enum

from django.http import HttpRequest

from .models import Persona
from .preview import DEVICES, FALLBACK_MEMBER, PreviewMember


class Session(Enum):
    IGNORE = "ignore"  # a link names the choice (a shared frame, a comparison page)
    READ = "read"  # start from what the editor last showed
    REMEMBER = "remember"  # read, and keep what is shown now for the next page


PERSONA_KEY = "preview_persona"
DEVICE_KEY = "preview_device"


def preview_members(workspace_id: int) -> list[PreviewMember]:
    members = [
        PreviewMember(str(p.pk), p.label, p.as_member())
        for p in Persona.objects.filter(workspace_id=workspace_id)
    ]
    return [*members, FALLBACK_MEMBER]


def _asked(request: HttpRequest, name: str, *, from_post: bool) -> str:
    return (request.POST.get(name, "") if from_post else "") or request.GET.get(name, "")


def preview_device(
    request: HttpRequest,
    *,
    default: str = "desktop",
    session: Session = Session.IGNORE,
    from_post: bool = False,
) -> str:
    device = _asked(request, "device", from_post=from_post)
    if not device and session is not Session.IGNORE:
        device = request.session.get(DEVICE_KEY) or ""
    device = device if device in DEVICES else default
    # Only write what changed: a session write per keystroke costs queries and re-sends the cookie.
    if session is Session.REMEMBER and request.session.get(DEVICE_KEY) != device:
        request.session[DEVICE_KEY] = device
    return device


def preview_choice(
    request: HttpRequest,
    members: list[PreviewMember],
    *,
    default_device: str = "desktop",
    session: Session = Session.IGNORE,
    from_post: bool = False,
) -> tuple[PreviewMember, str]:
    key = _asked(request, "persona", from_post=from_post)
    if not key and session is not Session.IGNORE:
        key = request.session.get(PERSONA_KEY, "")
    member = next((m for m in members if m.key == key), members[0])
    if session is Session.REMEMBER and request.session.get(PERSONA_KEY) != member.key:
        request.session[PERSONA_KEY] = member.key
    return member, preview_device(request, default=default_device, session=session, from_post=from_post)
