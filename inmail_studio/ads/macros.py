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


# A macro with letters glued to it: "%JOBTITLE%s" renders "VP Marketings".
_GLUED = re.compile(r"%(" + "|".join(MACROS) + r")%([A-Za-z]+)")


def find_problems(text: str) -> list[MacroProblem]:
    """Macros that LinkedIn will not replace (wrong case, not a macro at all), and macros with
    letters glued on, which LinkedIn replaces into a word nobody wrote."""
    problems: list[MacroProblem] = []
    seen: set[str] = set()
    for match in _GLUED.finditer(text or ""):
        token = match.group(0)
        if token in seen:
            continue
        seen.add(token)
        macro, letters = f"%{match.group(1)}%", match.group(2)
        example = {"JOBTITLE": "VP Marketing", "FIRSTNAME": "Ada", "LASTNAME": "Lovelace"}.get(
            match.group(1), "Acme"
        )
        problems.append(
            MacroProblem(
                token,
                f"{token} runs the member's value into “{letters}” (“{example}{letters}”): "
                f"put a space or punctuation after {macro}.",
            )
        )
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


# A link's address in sanitized HTML: bleach always double-quotes attribute values (and escapes `"`).
_HREF = re.compile(r'\bhref="([^"]*)"')


def in_addresses(markup: str) -> list[str]:
    """The macros (ones LinkedIn fills) inside a link's address in sanitized HTML, each once.

    Filled in, a member's first name could turn `href="%FIRSTNAME%"` into a `javascript:` address
    (issue 11); and where LinkedIn fills macros in an address is not documented. So saving refuses
    them (`validators.validate_body`, the conversation services), and the renderer re-checks an
    address that held one after filling it.
    """
    found: list[str] = []
    for address in _HREF.findall(markup or ""):
        for match in _TOKEN.finditer(address):
            if match.group(1) in MACROS and match.group(0) not in found:
                found.append(match.group(0))
    return found


def address_message(tokens: list[str]) -> str:
    listed = ", ".join(tokens)
    return (
        f"A link's address can't hold a macro ({listed}): a member's details would become part of "
        "where the link goes. Put the macro in the link's text, or use a fixed address."
    )


def fill_html(markup: str, member: Mapping[str, str]) -> str:
    """Fill macros in sanitized HTML; the member's values are escaped, so they can't add markup.

    A macro inside a link's address is filled too: the caller re-checks such an address
    (see `in_addresses`), since an escaped value can still change where a link goes."""

    def replace(match: re.Match[str]) -> str:
        field = MACROS.get(match.group(1))
        return escape(_value(member, field)) if field else match.group(0)

    return _TOKEN.sub(replace, markup or "")
