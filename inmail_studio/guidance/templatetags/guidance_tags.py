from __future__ import annotations

from django import template

from inmail_studio.guidance import checks

register = template.Library()


@register.filter
def score_grade(score: int) -> str:
    """`good`, `fair` or `weak`: the colour of a checklist score."""
    return checks.grade(score)
