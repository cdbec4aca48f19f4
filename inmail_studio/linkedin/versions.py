"""LinkedIn's Marketing API version calendar, as data: each monthly version, when it was released
and when LinkedIn sunsets it, with where each fact comes from.

LinkedIn releases a version most months (it has skipped some: 202412 and 202512 were never
released) and supports each for at least a year; a retired or never-released version is
answered 426 NONEXISTENT_VERSION. The app reads this calendar to pick its default version and
to warn admins before the configured one sunsets; the sandbox reads it to refuse what LinkedIn
refuses. Update it when LinkedIn publishes a version (the "Recent Marketing API changes" page)
or a sunset date (the migrations page); `make test` then says whether the default still works.

Sources (each entry names the one it relies on):
- MIGRATIONS: https://learn.microsoft.com/en-us/linkedin/marketing/integrations/migrations
  (table "Developers using LinkedIn Marketing APIs version YYYYMM … | Sunset Date")
- CHANGES: https://learn.microsoft.com/en-us/linkedin/marketing/integrations/recent-changes
  (one section per released version, "Breaking changes" lists upcoming sunsets with dates)
- VERSIONING: https://learn.microsoft.com/en-us/linkedin/marketing/versioning
  ("supported and stable for a minimum of one year before sunset")
- MESSAGE_ADS: https://learn.microsoft.com/en-us/linkedin/marketing/integrations/ads/advertising-targeting/version/message-ads-integrations
  (banner: "202510 will be sunset on October 15, 2026")
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MIGRATIONS = "https://learn.microsoft.com/en-us/linkedin/marketing/integrations/migrations"
CHANGES = "https://learn.microsoft.com/en-us/linkedin/marketing/integrations/recent-changes"
VERSIONING = "https://learn.microsoft.com/en-us/linkedin/marketing/versioning"
MESSAGE_ADS = (
    "https://learn.microsoft.com/en-us/linkedin/marketing/integrations/ads/advertising-targeting/"
    "version/message-ads-integrations"
)

# Admins are warned this many days before the configured version sunsets.
WARN_DAYS = 60

_NAME = re.compile(r"^(\d{4})(\d{2})(?:\.(\d{2}))?$")


@dataclass(frozen=True)
class Version:
    """One monthly version. `released` is False for a month LinkedIn skipped.

    `sunset` is the day LinkedIn stops answering it; `sunset_documented` says whether a LinkedIn
    page gives that day, or whether it is the earliest the versioning policy allows (release
    month + 12, on the 15th, LinkedIn's usual day), to be replaced once LinkedIn publishes it.
    """

    name: str
    released: bool
    sunset: date | None
    source: str
    sunset_documented: bool = True
    note: str = ""

    @property
    def release_month(self) -> date:
        return date(int(self.name[:4]), int(self.name[4:6]), 1)

    def active_on(self, day: date) -> bool:
        return self.released and self.release_month <= day and (self.sunset is None or day < self.sunset)


def _policy_sunset(name: str) -> date:
    """The earliest sunset LinkedIn's policy allows: a year after the release month."""
    return date(int(name[:4]) + 1, int(name[4:6]), 15)


def _v(name: str, sunset: date, source: str, note: str = "") -> Version:
    return Version(name, True, sunset, source, True, note)


def _policy(name: str, source: str, note: str = "") -> Version:
    return Version(name, True, _policy_sunset(name), source, False, note or "sunset not yet published")


CALENDAR: tuple[Version, ...] = (
    _v("202411", date(2025, 11, 17), MIGRATIONS),
    Version(
        "202412",
        False,
        None,
        CHANGES,
        note="never released: 202511's notes list the sunsets of 202411 then 202501",
    ),
    _v("202501", date(2026, 1, 15), CHANGES, "listed in 202601's breaking changes"),
    _v("202502", date(2026, 2, 16), CHANGES, "listed in 202602's breaking changes"),
    _v("202503", date(2026, 3, 16), CHANGES, "listed in 202603's breaking changes"),
    _v("202504", date(2026, 4, 15), CHANGES, "listed in 202604's breaking changes"),
    _v("202505", date(2026, 5, 15), CHANGES, "listed in 202604's breaking changes"),
    _v("202506", date(2026, 6, 15), CHANGES, "listed in 202604's breaking changes"),
    Version(
        "202507",
        True,
        date(2026, 7, 15),
        VERSIONING,
        False,
        "the versioning page says it has been sunset; the day is the policy's",
    ),
    _v("202508", date(2026, 8, 17), CHANGES, "banner of the August 2026 notes"),
    _policy("202509", CHANGES),
    _v("202510", date(2026, 10, 15), MESSAGE_ADS, "also on the migrations page"),
    _v("202511", date(2026, 11, 16), MIGRATIONS),
    Version(
        "202512", False, None, MIGRATIONS, note="never released: the migrations page goes 202511 → 202601"
    ),
    _v("202601", date(2027, 1, 15), MIGRATIONS),
    _v("202602", date(2027, 2, 15), MIGRATIONS),
    _v("202603", date(2027, 3, 16), MIGRATIONS),
    _policy("202604", CHANGES),
    _policy("202605", CHANGES),
    _policy("202606", CHANGES),
    _policy("202607", CHANGES),
    _policy("202608", CHANGES, "the latest version LinkedIn lists (August 2026)"),
)

_BY_NAME = {v.name: v for v in CALENDAR}


def base_name(header: str) -> str | None:
    """`202608` for `202608` or a patch release `202608.01`; None for anything else."""
    match = _NAME.match(header.strip())
    return match.group(1) + match.group(2) if match else None


def find(header: str) -> Version | None:
    name = base_name(header)
    return _BY_NAME.get(name) if name else None


def is_active(header: str, on: date) -> bool:
    """Whether LinkedIn answers this `LinkedIn-Version` header on that day."""
    version = find(header)
    return version is not None and version.active_on(on)


def active(on: date) -> list[Version]:
    return [v for v in CALENDAR if v.active_on(on)]


def newest_active(on: date) -> Version | None:
    found = active(on)
    return found[-1] if found else None


def days_to_sunset(header: str, on: date) -> int | None:
    version = find(header)
    if version is None or version.sunset is None:
        return None
    return (version.sunset - on).days


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class Standing:
    """What an admin should know about the configured version today."""

    version: str
    ok: bool  # LinkedIn answers it today
    warn: bool  # it sunsets within WARN_DAYS (or already has, or is unknown)
    message: str
    replacement: str  # the version to set instead, "" when none is needed


def standing(header: str, on: date) -> Standing:
    """Whether the configured version works today and how long it has; the advice in words."""
    newest = newest_active(on)
    better = newest.name if newest else ""
    version = find(header)
    if version is None or not version.released:
        return Standing(
            header,
            False,
            True,
            f"LinkedIn never released API version {header or '(none)'}; every call is refused (426). "
            f"Set LINKEDIN_API_VERSION={better} and restart.",
            better,
        )
    if not version.active_on(on):
        when = _day(version.sunset) if version.sunset else ""
        if version.release_month > on:
            text = f"API version {header} is not released yet; every call is refused (426)."
        else:
            text = f"LinkedIn retired API version {header} on {when}; every call is refused (426)."
        return Standing(header, False, True, f"{text} Set LINKEDIN_API_VERSION={better} and restart.", better)
    days = (version.sunset - on).days if version.sunset else None
    when = _day(version.sunset) if version.sunset else "a date LinkedIn has not published"
    estimate = "" if version.sunset_documented else " (LinkedIn's earliest date under its one-year policy)"
    if days is not None and days <= WARN_DAYS:
        replacement = better if better != version.name else ""
        advice = f" Set LINKEDIN_API_VERSION={replacement} and restart." if replacement else ""
        return Standing(
            header,
            True,
            True,
            f"LinkedIn retires API version {header} on {when}{estimate}, in {days} day{'s' if days != 1 else ''}."
            + advice,
            replacement,
        )
    return Standing(
        header, True, False, f"API version {header} is supported until {when}{estimate}, in {days} days.", ""
    )
