"""The conversation editor's forms: a new ad from a template, and the ad's details."""

from __future__ import annotations

from typing import Any

from django import forms

from inmail_studio.ads import limits
from inmail_studio.ads.conversation.templates import TEMPLATES
from inmail_studio.ads.models import (
    Ad,
    Image,
    Sender,
)
from inmail_studio.single_line import SingleLineFields


class NewConversationForm(SingleLineFields, forms.Form):
    name = forms.CharField(
        label="Ad name",
        max_length=limits.AD_NAME.maximum,
        help_text="Only your team sees this.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    template = forms.ChoiceField(
        choices=[(t.key, t.title) for t in TEMPLATES.values()],
        widget=forms.RadioSelect,
        initial="qualify-by-role",
    )


class SettingsForm(SingleLineFields, forms.ModelForm):
    lead_gen = forms.BooleanField(
        label="Lead gen campaign",
        required=False,
        help_text="The campaign collects leads: the conversation must contain a lead gen form.",
    )

    # Not a model field here: the model's validator holds the message ad limit, and the
    # conversation footer has its own (larger) one, checked by the service.
    footer = forms.CharField(
        label="Custom footer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Terms and conditions shown under the conversation.",
    )

    # The banner a conversation ad shows on desktop: uploaded beside the field (ads:banner) like the
    # message ad's, saved with the details. A post without the field leaves the banner as it is.
    banner = forms.ModelChoiceField(queryset=Image.objects.none(), required=False, widget=forms.HiddenInput)

    class Meta:
        model = Ad
        fields = ["name", "sender", "subject"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "subject": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args: Any, workspace_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sender_field = self.fields["sender"]
        assert isinstance(sender_field, forms.ModelChoiceField)
        sender_field.queryset = Sender.objects.filter(workspace_id=workspace_id)
        sender_field.empty_label = "Choose a sender…"
        banner_field = self.fields["banner"]
        assert isinstance(banner_field, forms.ModelChoiceField)
        banner_field.queryset = Image.objects.filter(workspace_id=workspace_id)
        if self.instance.pk and not self.is_bound:
            self.initial.setdefault("banner", self.instance.banner_id)
        if self.instance.pk and not self.is_bound:
            self.initial.setdefault("footer", self.instance.footer)
