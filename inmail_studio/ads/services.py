"""Writes for ads: every change to an ad or its banner goes through here."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from inmail_studio.accounts.models import EDIT_ROLES, Membership, User, Workspace
from inmail_studio.conflicts import EditConflict, state_conflict
from inmail_studio.single_line import refuse_line_breaks

from . import limits, snapshots
from .models import Ad, Image, Kind, Persona, Revision, State, content_hash
from .sanitize import BodyTooLarge, sanitize_body

BUILT_IN_PERSONAS: tuple[dict[str, str], ...] = (
    {
        "label": "VP Marketing, SaaS",
        "first_name": "Priya",
        "last_name": "Raman",
        "company": "Northwind Analytics",
        "job_title": "VP Marketing",
        "industry": "Software Development",
    },
    {
        "label": "IT Director, Manufacturing",
        "first_name": "Tomasz",
        "last_name": "Kowalski",
        "company": "Baltic Steelworks",
        "job_title": "Director of IT",
        "industry": "Manufacturing",
    },
    {
        "label": "Long names",
        "first_name": "Maximiliane-Charlotte",
        "last_name": "von Hohenberg-Lindqvist",
        "company": "Internationale Versicherungs- und Rückversicherungsgesellschaft AG",
        "job_title": "Senior Vice President, Global Procurement Excellence",
        "industry": "Insurance",
    },
)


class AdLocked(Exception):
    """The ad can't be edited in its current state."""


def locked_reason(ad: Ad) -> str:
    """Why an ad can't be edited now, and what to do instead."""
    if ad.state == State.LIVE:
        return "This ad is live and can no longer be edited; duplicate it as a new draft instead."
    if ad.state == State.LAUNCHING:
        return (
            "This ad is being launched on LinkedIn and can't change meanwhile (LinkedIn would run one "
            "version while the app shows another); once it is live, duplicate it as a new draft."
        )
    if ad.state == State.SYNCING:
        return "This ad is being synced to LinkedIn; edit it once the sync has finished."
    return "This ad is in review and locked; withdraw it to edit."


def revision_conflict(ad: Ad, base_revision: int | None) -> EditConflict | None:
    """The conflict of a save made from revision `base_revision` when the ad has a newer one, else None.

    Call with the ad's row locked, so no save can slip in between the check and the write.
    """
    current = ad.current_revision
    if base_revision is None or current is None or current.number == base_revision:
        return None
    base = Revision.objects.filter(ad_id=ad.pk, number=base_revision).first()
    when = timezone.localtime(current.created_at).strftime("%H:%M")
    return EditConflict(
        f"{current.author.display_name} saved revision {current.number} at {when}, after you opened "
        f"revision {base_revision}.",
        version=str(current.number),
        by=current.author.display_name,
        at=current.created_at,
        context={"base": base, "current": current},
    )


def personas_ensure(*, workspace: Workspace) -> None:
    """Give a workspace the built-in sample members once; afterwards they are the workspace's to edit."""
    if workspace.personas.exists():
        return
    Persona.objects.bulk_create(
        Persona(workspace=workspace, position=i, **persona) for i, persona in enumerate(BUILT_IN_PERSONAS)
    )


PERSONA_FIELDS = ("label", "first_name", "last_name", "company", "job_title", "industry")


def personas_state(workspace_id: int) -> dict[str, dict[str, str]]:
    """A workspace's sample members as the page shows them (its version, see `conflicts`)."""
    return {
        str(p.pk): {name: getattr(p, name) for name in PERSONA_FIELDS}
        for p in Persona.objects.filter(workspace_id=workspace_id).order_by("pk")
    }


@transaction.atomic
def personas_save(
    *, workspace: Workspace, editor: User, formset: Any, expected: dict[str, Any] | None = None
) -> None:
    """Save the sample members page (a valid formset); EditConflict when someone else saved them after
    the page was loaded with `expected`. The workspace's row is the lock."""
    _require_editor(editor, workspace)
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()
    conflict = state_conflict(expected, personas_state(workspace.pk), what="the sample members")
    if conflict is not None:
        raise conflict
    for persona in formset.save(commit=False):
        persona.workspace = workspace
        persona.save()
    for persona in formset.deleted_objects:
        persona.delete()


def _require_editor(user: User, workspace: Workspace) -> None:
    if not Membership.objects.filter(user=user, workspace=workspace, role__in=EDIT_ROLES).exists():
        raise PermissionDenied("You need the author role in this workspace to edit ads.")


def _write_revision(ad: Ad, *, author: User) -> Revision | None:
    """Store a revision if the ad's content differs from its current revision."""
    snapshot = snapshots.of_ad(ad)
    digest = content_hash(snapshot)
    if ad.current_revision is not None and ad.current_revision.content_hash == digest:
        return None
    number = (ad.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = Revision.objects.create(ad=ad, number=number, snapshot=snapshot, author=author)
    ad.current_revision = revision
    Ad.objects.filter(pk=ad.pk).update(current_revision=revision)
    return revision


# An ad's one-line fields: the name reaches notification email subjects, the rest are one line on LinkedIn.
SINGLE_LINE_FIELDS = ("name", "subject", "cta_text", "landing_page_url", "lead_form_urn")


def _refuse_line_breaks(ad: Ad) -> None:
    refuse_line_breaks({name: getattr(ad, name) for name in SINGLE_LINE_FIELDS})


def sanitized_body(body: str) -> str:
    """The body sanitized, or a ValidationError on the body field (a raw body far too long)."""
    try:
        return sanitize_body(body)
    except BodyTooLarge as error:
        raise ValidationError({"body": error.messages}) from None


@transaction.atomic
def ad_create(*, workspace: Workspace, author: User, fields: dict[str, Any]) -> Ad:
    _require_editor(author, workspace)
    ad = Ad(workspace=workspace, author=author, **fields)
    _refuse_line_breaks(ad)
    ad.body = sanitized_body(ad.body)
    ad.full_clean()
    ad.save()
    _write_revision(ad, author=author)
    return ad


@dataclass
class SaveResult:
    ad: Ad
    revision: Revision | None  # None when nothing changed


@transaction.atomic
def ad_update(
    *, ad_id: int, editor: User, fields: dict[str, Any], base_revision: int | None = None
) -> SaveResult:
    """Save new field values and write a revision when the content changed.

    `base_revision` is the revision the editor's form was loaded from: when someone saved a newer
    one meanwhile, nothing is saved and EditConflict says who and when (a lost update otherwise).
    Edits to an approved or synced ad void the approval: the ad goes back to draft.
    """
    ad = Ad.objects.select_for_update().get(pk=ad_id)
    _require_editor(editor, ad.workspace)
    if ad.is_locked:
        raise AdLocked(locked_reason(ad))
    conflict = revision_conflict(ad, base_revision)
    if conflict is not None:
        raise conflict
    for name, value in fields.items():
        setattr(ad, name, value)
    _refuse_line_breaks(ad)
    ad.body = sanitized_body(ad.body)
    ad.full_clean()
    ad.save()
    revision = _write_revision(ad, author=editor)
    if revision is not None:
        _on_content_changed(ad, editor=editor, revision=revision)
    return SaveResult(ad=ad, revision=revision)


DUPLICATED_FIELDS = (
    "kind", "sender", "subject", "body", "footer", "cta_kind", "cta_text",
    "landing_page_url", "lead_form_urn", "banner",
)  # fmt: skip


@transaction.atomic
def ad_duplicate(*, ad_id: int, author: User) -> Ad:
    """A new draft with the content of an existing ad (the way to change a live ad)."""
    source = Ad.objects.get(pk=ad_id)
    _require_editor(author, source.workspace)
    name = f"{source.name} (copy)"[: limits.AD_NAME.maximum]
    if source.kind == Kind.CONVERSATION:
        from .conversation import services as conversation_services  # it builds on this module

        return conversation_services.conversation_duplicate(ad_id=source.pk, author=author, name=name)
    return ad_create(
        workspace=source.workspace,
        author=author,
        fields={"name": name, **{f: getattr(source, f) for f in DUPLICATED_FIELDS}},
    )


def _on_content_changed(ad: Ad, *, editor: User, revision: Revision) -> None:
    """Hook for the review workflow: an edit after approval voids it (wired by the review app)."""
    from django.apps import apps

    if apps.is_installed("inmail_studio.review"):
        from inmail_studio.review import workflow

        workflow.content_changed(ad, actor=editor, revision=revision)


def banner_upload(*, workspace: Workspace, uploader: User, upload: UploadedFile) -> Image:
    """Check a banner (300 × 250, JPG or PNG, at most 2 MB) and store it, reusing an identical upload."""
    _require_editor(uploader, workspace)
    size = upload.size or 0
    if size > limits.BANNER_MAX_BYTES:
        raise ValidationError(
            f"The banner is {size / 1024 / 1024:.1f} MB; LinkedIn allows {limits.BANNER_MAX_BYTES // 1024 // 1024} MB."
        )
    data = upload.read()
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            picture.verify()
        with PILImage.open(io.BytesIO(data)) as picture:
            image_format, (width, height) = picture.format, picture.size
    except PILImage.DecompressionBombError:
        # A few bytes can claim billions of pixels; Pillow refuses to open them before decoding any.
        raise ValidationError(
            f"The banner claims to be far larger than {limits.BANNER_WIDTH} × {limits.BANNER_HEIGHT} "
            "pixels; LinkedIn needs exactly that size."
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError("The banner must be a JPG or PNG image; this file is not an image.") from None
    if image_format not in limits.BANNER_FORMATS:
        raise ValidationError(f"The banner is a {image_format} file; LinkedIn accepts JPG or PNG.")
    if (width, height) != (limits.BANNER_WIDTH, limits.BANNER_HEIGHT):
        raise ValidationError(
            f"The banner is {width} × {height} pixels; LinkedIn needs exactly "
            f"{limits.BANNER_WIDTH} × {limits.BANNER_HEIGHT}."
        )
    digest = hashlib.sha256(data).hexdigest()
    existing = Image.objects.filter(workspace=workspace, sha256=digest).first()
    if existing:
        return existing
    image = Image(
        workspace=workspace,
        format=str(image_format),
        size=size,
        sha256=digest,
        original_name=(upload.name or "")[:255],
        uploaded_by=uploader,
    )
    upload.seek(0)
    image.file.save(upload.name or "banner", upload, save=False)
    image.save()
    return image


def ad_lock_for_edit(*, ad_id: int, editor: User) -> Ad:
    """Lock an ad's row for a change made outside `ad_update` (a conversation's tree), or refuse.

    Call inside a transaction; finish with `ad_content_saved`.
    """
    ad = Ad.objects.select_for_update().get(pk=ad_id)
    _require_editor(editor, ad.workspace)
    if ad.is_locked:
        raise AdLocked(locked_reason(ad))
    return ad


def ad_content_saved(*, ad: Ad, editor: User) -> Revision | None:
    """Write the revision for a change made outside `ad_update`, voiding an approval as an edit does."""
    Ad.objects.filter(pk=ad.pk).update(updated_at=timezone.now())
    revision = _write_revision(ad, author=editor)
    if revision is not None:
        _on_content_changed(ad, editor=editor, revision=revision)
    return revision


def presence_beat(*, ad: Ad, user: User, tab: str) -> None:
    """The editor of `ad` is open in this user's browser tab `tab` (a heartbeat, every few seconds)."""
    from django.conf import settings

    from .models import EditPresence

    now = timezone.now()
    EditPresence.objects.bulk_create(
        [EditPresence(ad=ad, user=user, tab=tab[:40], seen_at=now)],
        update_conflicts=True,
        unique_fields=["ad", "user", "tab"],
        update_fields=["seen_at"],
    )
    # Tabs that stopped beating long ago (closed, asleep) are forgotten.
    EditPresence.objects.filter(
        seen_at__lt=now - timedelta(seconds=20 * settings.EDIT_PRESENCE_SECONDS)
    ).delete()
