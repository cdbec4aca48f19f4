from __future__ import annotations

from typing import Any

from django import forms

from inmail_studio.accounts.models import Workspace
from inmail_studio.single_line import SingleLineFields

from .models import Ad, CtaKind, Image, Persona, Sender
from .sanitize import sanitize_body


class AdForm(SingleLineFields, forms.ModelForm):
    banner = forms.ModelChoiceField(queryset=Image.objects.none(), required=False, widget=forms.HiddenInput)
    banner_file = forms.FileField(
        label="Upload a banner",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    class Meta:
        model = Ad
        fields = [
            "name",
            "sender",
            "subject",
            "body",
            "cta_kind",
            "cta_text",
            "landing_page_url",
            "lead_form_urn",
            "footer",
            "banner",
        ]
        widgets = {
            "cta_kind": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 12, "spellcheck": "true"}),
            "footer": forms.Textarea(attrs={"rows": 3}),
            "landing_page_url": forms.URLInput(attrs={"placeholder": "https://example.com/offer"}),
            "lead_form_urn": forms.TextInput(attrs={"placeholder": "urn:li:adForm:123456"}),
            "subject": forms.TextInput(attrs={"autocomplete": "off"}),
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
        }
        help_texts = {
            "name": "Only your team sees this.",
            "subject": "Shown in the inbox list and above the message. Macros like %FIRSTNAME% work here.",
            "footer": "Terms and conditions shown under the message.",
        }

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        sender_field = self.fields["sender"]
        assert isinstance(sender_field, forms.ModelChoiceField)
        sender_field.queryset = Sender.objects.filter(workspace=workspace)
        sender_field.empty_label = "Choose a sender…"
        banner_field = self.fields["banner"]
        assert isinstance(banner_field, forms.ModelChoiceField)
        banner_field.queryset = Image.objects.filter(workspace=workspace)
        self.fields["cta_kind"].choices = CtaKind.choices  # type: ignore[attr-defined]

    def clean_body(self) -> str:
        return sanitize_body(self.cleaned_data.get("body") or "")

    def model_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PersonaForm(SingleLineFields, forms.ModelForm):
    class Meta:
        model = Persona
        fields = ["label", "first_name", "last_name", "company", "job_title", "industry"]


PersonaFormSet = forms.modelformset_factory(Persona, form=PersonaForm, extra=1, can_delete=True)


class DraftFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search",
        max_length=100,  # what a search box needs; bounds the trigram match's cost
        widget=forms.SearchInput(attrs={"placeholder": "Name or subject"}),
    )
    state = forms.ChoiceField(required=False)
    sender = forms.TypedChoiceField(required=False, empty_value=None)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .models import State

        self.fields["state"].choices = [("", "All states"), *State.choices]  # type: ignore[attr-defined]
        # The workspace's senders read once, for both the menu and the check of the choice, so a
        # filtered page costs the same queries as an unfiltered one (a ModelChoiceField reads twice).
        senders = {str(s.pk): s for s in Sender.objects.filter(workspace=workspace).only("pk", "name")}
        sender_field = self.fields["sender"]
        assert isinstance(sender_field, forms.TypedChoiceField)
        sender_field.choices = [("", "All senders"), *((key, s.name) for key, s in senders.items())]
        sender_field.coerce = senders.__getitem__
