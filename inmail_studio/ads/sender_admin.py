"""Workspace admins keep the senders ads go out as: add, rename, give a photo, remove.

A sender's LinkedIn permission is LinkedIn's to grant (see linkedin.services.senders_import);
here only what the workspace says about them changes. A sender an ad still uses is kept.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from inmail_studio.accounts.models import ADMIN_ROLES, Membership, User
from inmail_studio.single_line import SingleLineFields

from .models import Sender

PHOTO_TYPES = ("image/png", "image/jpeg")


class Refused(Exception):
    """The change breaks a rule; the message says which."""


class SenderForm(SingleLineFields, forms.ModelForm):
    class Meta:
        model = Sender
        fields = ["name", "headline", "urn", "photo"]
        labels = {"name": "Name", "urn": "LinkedIn URN"}
        help_texts = {
            "urn": "urn:li:person:… or urn:li:organization:…, as LinkedIn names the sender.",
            "photo": "PNG or JPEG, at most 2 MB; shown in the preview as LinkedIn shows it.",
        }
        widgets = {"photo": forms.ClearableFileInput(attrs={"accept": ",".join(PHOTO_TYPES)})}

    def __init__(self, *args: Any, workspace_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace_id = workspace_id
        if self.instance.pk:
            # LinkedIn's sender permission belongs to the URN: a sender keeps theirs.
            self.fields["urn"].disabled = True

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):  # a new upload (not the photo already kept)
            size = photo.size or 0
            if size > settings.MAX_UPLOAD_BYTES:
                mb = 1024 * 1024
                raise forms.ValidationError(
                    f"The photo is {size / mb:.1f} MB; the limit is {settings.MAX_UPLOAD_BYTES / mb:g} MB."
                )
            if getattr(photo, "content_type", "") not in PHOTO_TYPES:
                raise forms.ValidationError("The photo must be a PNG or a JPEG.")
        return photo

    def clean_urn(self) -> str:
        urn = str(self.cleaned_data.get("urn", "")).strip()
        clash = Sender.objects.filter(workspace_id=self.workspace_id, urn=urn).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("This workspace already has a sender with this URN.")
        return urn


def require_admin(user: User, workspace_id: int) -> None:
    if not Membership.objects.filter(
        user=user, workspace_id=workspace_id, role__in=list(ADMIN_ROLES)
    ).exists():
        raise PermissionDenied("Only this workspace's admins can manage its senders.")


@transaction.atomic
def sender_save(*, form: SenderForm, admin: User) -> Sender:
    """Save a valid SenderForm for its workspace (a new sender starts with LinkedIn's permission pending)."""
    require_admin(admin, form.workspace_id)
    sender = form.save(commit=False)
    sender.workspace_id = form.workspace_id
    sender.save()
    return sender


@transaction.atomic
def sender_delete(*, sender_id: int, admin: User, workspace_id: int) -> Sender:
    require_admin(admin, workspace_id)
    sender = Sender.objects.select_for_update().get(pk=sender_id, workspace_id=workspace_id)
    used = sender.ads.count()
    if used:
        raise Refused(
            f"{sender.name} is the sender of {used} ad{'s' if used != 1 else ''}; choose another sender there first."
        )
    sender.delete()
    return sender
