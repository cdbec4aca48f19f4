"""Writes for ads: every change to an ad or its banner goes through here."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from inmail_studio.accounts.models import EDIT_ROLES, Membership, User, Workspace
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


def personas_ensure(*, workspace: Workspace) -> None:
    """Give a workspace the built-in sample members once; afterwards they are the workspace's to edit."""
    if workspace.personas.exists():
        return
    Persona.objects.bulk_create(
        Persona(workspace=workspace, position=i, **persona) for i, persona in enumerate(BUILT_IN_PERSONAS)
    )


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
def ad_update(*, ad_id: int, editor: User, fields: dict[str, Any]) -> SaveResult:
    """Save new field values and write a revision when the content changed.

    Edits to an approved or synced ad void the approval: the ad goes back to draft.
    """
    ad = Ad.objects.select_for_update().get(pk=ad_id)
    _require_editor(editor, ad.workspace)
    if ad.is_locked:
        raise AdLocked(
            "This ad is live and can no longer be edited; duplicate it as a new draft instead."
            if ad.state == State.LIVE
            else "This ad is in review and locked; withdraw it to edit."
        )
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
        from . import conversation_services  # it builds on this module

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
        raise AdLocked(
            "This ad is live and can no longer be edited; duplicate it as a new draft instead."
            if ad.state == State.LIVE
            else "This ad is in review and locked; withdraw it to edit."
        )
    return ad


def ad_content_saved(*, ad: Ad, editor: User) -> Revision | None:
    """Write the revision for a change made outside `ad_update`, voiding an approval as an edit does."""
    Ad.objects.filter(pk=ad.pk).update(updated_at=timezone.now())
    revision = _write_revision(ad, author=editor)
    if revision is not None:
        _on_content_changed(ad, editor=editor, revision=revision)
    return revision
