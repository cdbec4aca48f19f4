"""LinkedIn's personalisation macros: filling them in for a sample member and spotting mistakes.

LinkedIn replaces `%FIRSTNAME%`, `%LASTNAME%`, `%COMPANYNAME%`, `%JOBTITLE%`
and `%INDUSTRY%` (upper case only) in subjects and bodies, and uses a fallback
when a member has no value. A lower-case or unknown macro is sent as typed, so
the member sees `%firstname%` — the editor flags those.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

MACROS: dict[str, str] = {
    "FIRSTNAME": "first_name",
    "LASTNAME": "last_name",
    "COMPANYNAME": "company",
    "JOBTITLE": "job_title",
    "INDUSTRY": "industry",
}

# What LinkedIn shows when the member's profile has no value.
FALLBACKS: dict[str, str] = {
    "first_name": "LinkedIn Member",
    "last_name": "LinkedIn Member",
    "company": "your company",
    "job_title": "professional",
    "industry": "industry",
}

# Letters, digits and underscores between two percent signs, no spaces: `50% off 20%` is not a macro.
_TOKEN = re.compile(r"%([A-Za-z][A-Za-z0-9_]{0,30})%")


@dataclass(frozen=True)
class MacroProblem:
    token: str
    message: str


def find_problems(text: str) -> list[MacroProblem]:
    """Macros that LinkedIn will not replace: wrong case or not a macro at all."""
    problems: list[MacroProblem] = []
    seen: set[str] = set()
    for match in _TOKEN.finditer(text or ""):
        token, name = match.group(0), match.group(1)
        if name in MACROS or token in seen:
            continue
        seen.add(token)
        if name.upper() in MACROS:
            problems.append(
                MacroProblem(
                    token, f"{token} will be shown as typed: macros are upper case, use %{name.upper()}%."
                )
            )
        else:
            known = ", ".join(f"%{m}%" for m in MACROS)
            problems.append(MacroProblem(token, f"{token} is not a LinkedIn macro; the macros are {known}."))
    return problems


def _value(member: Mapping[str, str], field: str) -> str:
    return (member.get(field) or "").strip() or FALLBACKS[field]


def fill_text(text: str, member: Mapping[str, str]) -> str:
    """Fill macros in plain text (a subject) for `member`, falling back as LinkedIn does."""

    def replace(match: re.Match[str]) -> str:
        field = MACROS.get(match.group(1))
        return _value(member, field) if field else match.group(0)

    return _TOKEN.sub(replace, text or "")


def fill_html(markup: str, member: Mapping[str, str]) -> str:
    """Fill macros in sanitized HTML; the member's values are escaped, so they can't add markup."""

    def replace(match: re.Match[str]) -> str:
        field = MACROS.get(match.group(1))
        return escape(_value(member, field)) if field else match.group(0)

    return _TOKEN.sub(replace, markup or "")
