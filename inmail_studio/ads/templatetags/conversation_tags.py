"""Conversation changes said in words, for the review diff and the Changes page."""

from __future__ import annotations

from django import template

from inmail_studio.ads.conversation.tree import TreeChange, in_words

register = template.Library()


@register.filter(name="in_words")
def in_words_filter(changes: list[TreeChange] | None) -> list[str]:
    return in_words(list(changes or []), limit=12)
