"""The conversation editor's forms: a new ad from a template, the ad's details, a message's reply buttons."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any, cast

from django import forms
from django.forms.formsets import ManagementForm

from inmail_studio.ads import limits
from inmail_studio.ads.conversation.templates import TEMPLATES
from inmail_studio.ads.models import Ad, ButtonAction, ConversationButton, Image, Sender
from inmail_studio.http import small_int
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


def _column_limit(name: str) -> int:
    return int(getattr(ConversationButton._meta.get_field(name), "max_length", 0) or 0)


class ButtonForm(SingleLineFields, forms.Form):
    """One reply button of the open message, as its row of the message form posts it.

    Lenient where the old hand parsing was (an unknown action is "Go to a message", a target that is
    not a number is none: the tree's validator flags what that leaves); strict on what can't be stored
    (line breaks, text past the database's column), with the error beside the field.
    """

    text = forms.CharField(required=False)
    action = forms.CharField(required=False)
    target = forms.CharField(required=False)
    url = forms.CharField(required=False)

    def clean_text(self) -> str:
        text = str(self.cleaned_data.get("text") or "")
        if len(text) > _column_limit("text"):
            raise forms.ValidationError(limits.BUTTON_TEXT.message(len(text)))
        return text

    def clean_action(self) -> str:
        action = self.cleaned_data.get("action")
        return action if action in ButtonAction.values else ButtonAction.MESSAGE

    def clean_target(self) -> int | None:
        # The id is only looked up among this conversation's messages, by the service.
        return small_int(self.cleaned_data.get("target"))

    def clean_url(self) -> str:
        url = str(self.cleaned_data.get("url") or "")
        if len(url) > _column_limit("url"):
            raise forms.ValidationError(limits.LANDING_PAGE_URL.message(len(url)))
        return url


class BaseButtonFormSet(forms.BaseFormSet):
    """The reply buttons of the open message, one row per button, each named by its button's id
    (`button-<id>-text`), not its place: a button someone else added, moved or deleted meanwhile can't
    shift a person's text onto another button, and the conflict panel and the tab's working copy
    address buttons by id. So the rows are the `keys` the view knows, not a posted count."""

    def __init__(self, data: Any = None, *, keys: Sequence[int], prefix: str = "button") -> None:
        self.keys = list(keys)
        super().__init__(data, prefix=prefix)

    def add_prefix(self, index: Any) -> str:
        key = self.keys[index] if isinstance(index, int) else index
        return f"{self.prefix}-{key}"

    def total_form_count(self) -> int:
        return len(self.keys)

    def initial_form_count(self) -> int:
        return len(self.keys)

    @cached_property
    def management_form(self) -> ManagementForm:
        form = ManagementForm(
            {f"{self.prefix}-TOTAL_FORMS": len(self.keys), f"{self.prefix}-INITIAL_FORMS": len(self.keys)},
            auto_id=self.auto_id,
            prefix=self.prefix,
        )
        form.full_clean()
        return form

    def errors_by_key(self) -> dict[int, dict[str, list[str]]]:
        """The errors of each row, by its button's id (validate first)."""
        return {
            key: dict(form.errors) for key, form in zip(self.keys, self.forms, strict=True) if form.errors
        }


ButtonFormSet = cast(
    type[BaseButtonFormSet],
    forms.formset_factory(
        ButtonForm, formset=BaseButtonFormSet, extra=0, max_num=limits.BUTTONS_PER_MESSAGE.maximum
    ),
)
