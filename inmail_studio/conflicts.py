"""Saving a form whose shared state someone else changed meanwhile: refuse, show both, merge per field.

Every form that edits shared state carries the version it was loaded from (`base_version`: an
ad's revision number, or a hash of the rows it shows). A save against a newer version raises
`EditConflict` in the service, under the row lock that makes the check final. The view then
answers 409 with the same form, still holding everything the person typed, and a conflict
panel: for each field where their version and the other one differ, both side by side and a
choice of "keep mine" or "take theirs" (preset to theirs where only the other person changed
it), plus "Keep all mine" and "Take all theirs". The form now names the newer version, so the
next save goes through, unless yet another one came in between.

The other person's value travels in the form (`conflict-theirs-<field>`) and `apply_picks`
puts it in place of the person's own where they chose it, before the form is validated, so a
resolved save is an ordinary save and passes every check an ordinary save passes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core import signing
from django.http import QueryDict

VERSION_FIELD = "base_version"
PICK = "conflict-pick-"
THEIRS = "conflict-theirs-"
RESOLVE = "conflict-resolve"
MINE, TAKE_THEIRS = "mine", "theirs"


class EditConflict(Exception):
    """What the person saved was changed by someone else after they loaded it; nothing was saved."""

    def __init__(
        self,
        message: str,
        *,
        version: str,
        by: str = "",
        at: datetime | None = None,
        deleted: bool = False,
        unsaved: bool = False,
        context: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.version = version  # the version the form must carry from now on
        self.by, self.at, self.deleted = by, at, deleted
        self.unsaved = unsaved  # their change is not in a revision yet (a conversation's tree edits)
        self.context = context  # what the service knows the view needs (revisions, rows)


@dataclass(frozen=True)
class FieldConflict:
    name: str  # the form field
    label: str
    mine: str  # raw, as the form posts it
    theirs: str
    mine_shown: str  # as a person reads it
    theirs_shown: str
    pick: str  # the preset choice
    both_changed: bool

    @property
    def multiline(self) -> bool:
        return (
            "\n" in self.mine_shown
            or "\n" in self.theirs_shown
            or max(len(self.mine_shown), len(self.theirs_shown)) > 80
        )


@dataclass
class Conflict:
    """What the conflict panel shows."""

    message: str
    version: str
    fields: list[FieldConflict]
    by: str = ""
    at: datetime | None = None
    deleted: bool = False
    unsaved: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]


def field_conflicts(
    *,
    fields: Sequence[tuple[str, str]],
    mine: Mapping[str, str],
    theirs: Mapping[str, str],
    base: Mapping[str, str] | None = None,
    mine_shown: Mapping[str, str] | None = None,
    theirs_shown: Mapping[str, str] | None = None,
) -> list[FieldConflict]:
    """The fields (name, label) whose value differs between the person's version and the other one.

    Values are compared as the form posts them (`*_shown` are how a person reads them, when that
    differs: a sender's name for its id). With `base` (what the person loaded), a field only the
    other person changed is preset to theirs, so keeping everything preset never undoes their
    work; the rest is preset to mine.
    """
    found = []
    for name, label in fields:
        mine_value, theirs_value = _norm(mine.get(name, "")), _norm(theirs.get(name, ""))
        if mine_value == theirs_value:
            continue
        base_value = _norm(base.get(name, "")) if base is not None else None
        theirs_changed = base_value is None or theirs_value != base_value
        mine_changed = base_value is None or mine_value != base_value
        found.append(
            FieldConflict(
                name=name,
                label=label,
                mine=mine.get(name, ""),
                theirs=theirs.get(name, ""),
                mine_shown=(mine_shown or mine).get(name, ""),
                theirs_shown=(theirs_shown or theirs).get(name, ""),
                pick=TAKE_THEIRS if theirs_changed and not mine_changed else MINE,
                both_changed=theirs_changed and mine_changed,
            )
        )
    return found


def _norm(value: Any) -> str:
    return "\n".join(line.rstrip() for line in str(value or "").replace("\r\n", "\n").strip().split("\n"))


def apply_picks(data: QueryDict) -> QueryDict:
    """The posted form with the choices made in the conflict panel applied (a copy; `data` untouched).

    "Take all theirs" and "Keep all mine" decide every field at once; otherwise each field's own
    choice counts. Without a conflict panel in the form, nothing changes.
    """
    resolve = data.get(RESOLVE, "")
    theirs_keys = [key for key in data if key.startswith(THEIRS)]
    if not theirs_keys:
        return data
    merged = data.copy()
    for key in theirs_keys:
        name = key[len(THEIRS) :]
        choice = resolve if resolve in (MINE, TAKE_THEIRS) else data.get(PICK + name, MINE)
        if choice == TAKE_THEIRS:
            merged.setlist(name, data.getlist(key))
    for key in [*theirs_keys, *(k for k in data if k.startswith(PICK)), RESOLVE]:
        merged.pop(key, None)
    return merged


# State without revision numbers (a workspace's sample members, its assumptions, an ad's plan) carries
# the values it was loaded with, signed, as its version: the check compares them with what is stored
# now, and the conflict view knows which side changed a field.
_STATE_SALT = "inmail_studio.conflicts.state"


def state_token(values: Mapping[str, Any]) -> str:
    return signing.dumps(dict(values), salt=_STATE_SALT, compress=True)


def state_from_token(token: str | None) -> dict[str, Any] | None:
    """The values a form was loaded with, or None (no token: an old page, a script; no check then)."""
    if not token:
        return None
    try:
        values = signing.loads(token, salt=_STATE_SALT)
    except signing.BadSignature:
        return None
    return values if isinstance(values, dict) else None


def state_conflict(
    expected: Mapping[str, Any] | None, current: Mapping[str, Any], *, what: str
) -> EditConflict | None:
    """EditConflict when state loaded as `expected` has changed since; call with its rows locked."""
    if expected is None or dict(expected) == dict(current):
        return None
    return EditConflict(
        f"Someone else saved {what} after you opened this page.",
        version=state_token(current),
        context={"base": dict(expected), "current": dict(current)},
    )
