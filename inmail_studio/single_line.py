"""Single-line text: names, subjects, labels and button texts hold one line, never a line break.

An ad name, a person's name or a share link's recipient ends up in a notification email's
subject; a line break there makes Django refuse the header (and once made review emails silently
stop), and in a lesser mail library it would start a header of the attacker's choosing (issue 11).
So every single-line field refuses line breaks and other control characters with a message next
to the field (`validate_single_line`, applied to a form's one-line inputs by `SingleLineFields`
and by the services that take such text straight from a request), and text bound for a header
is folded onto one line whatever it holds (`one_line`).

Line breaks are every character Python's `str.splitlines` and the email package split on, not
only CR and LF.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

LINE_BREAKS = "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"
# Line breaks, tab, the other C0 controls and DEL: nothing a one-line name has reason to hold.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_SPACE_RUNS = re.compile(r"[\s\x00-\x1f\x7f\x85\u2028\u2029]+")

MESSAGE = "This must be a single line: remove the line break."
CONTROL_MESSAGE = "This must be a single line of text: remove the invisible control character."


def validate_single_line(value: Any) -> None:
    """Refuse a value holding a line break or another control character."""
    text = "" if value is None else str(value)
    found = _CONTROL.search(text)
    if found:
        is_break = found.group() in LINE_BREAKS
        raise ValidationError(MESSAGE if is_break else CONTROL_MESSAGE, code="single_line")


def refuse_line_breaks(values: Mapping[str, Any]) -> None:
    """For services taking text straight from a request: a ValidationError naming each field."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        try:
            validate_single_line(value)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)


def one_line(text: str) -> str:
    """`text` folded onto one line: every run of whitespace and control characters becomes a space."""
    return _SPACE_RUNS.sub(" ", text or "").strip()


class SingleLineFields:
    """A form mixin: every one-line text input (not a textarea, not a password) refuses line breaks."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            multi_line = isinstance(field.widget, forms.Textarea | forms.PasswordInput | forms.HiddenInput)
            if isinstance(field, forms.CharField) and not multi_line:
                field.validators.append(validate_single_line)


class SingleLineModelForm(SingleLineFields, forms.ModelForm):
    """For the admin (`ModelAdmin.form`): its model and fields come from the ModelAdmin."""
