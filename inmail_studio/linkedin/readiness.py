"""Is this workspace ready for the real LinkedIn? A check an admin runs the day they connect it.

With the workspace's connection it makes only read calls (contract rows R04, R09, R10, R13,
R37) and reports, for each of these, whether it passes and what to do when it doesn't:

1. the API version is one LinkedIn answers, and how long until it sunsets;
2. the granted scopes cover every feature;
3. the member's role on the ad account allows creating creatives;
4. each sender's permission;
5. campaigns of the right format exist for message and conversation ads;
6. lead forms are readable, and every form the workspace's ads name is live.

Used by the admin page (`views.readiness`) and `python manage.py linkedin_check`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone

from inmail_studio.accounts.models import Workspace
from inmail_studio.ads.models import Ad, CtaKind, Kind, Sender, SenderPermission

from . import services, versions
from .client import SCOPES, LinkedIn, LinkedInError, OAuth, Rejected, Transient, VersionRefused
from .models import CAMPAIGN_FORMATS, FORMAT_NAMES, ConnectionStatus, LinkedInConnection

# Ad account roles that may create creatives (rw_ads is "restricted to ad accounts in which the
# member has one of" these; VIEWER may only read): LinkedIn's Message Ads and Account users pages.
CREATIVE_ROLES = ("ACCOUNT_BILLING_ADMIN", "ACCOUNT_MANAGER", "CAMPAIGN_MANAGER", "CREATIVE_MANAGER")
ROLE_NAMES = {
    "ACCOUNT_BILLING_ADMIN": "Billing admin",
    "ACCOUNT_MANAGER": "Account manager",
    "CAMPAIGN_MANAGER": "Campaign manager",
    "CREATIVE_MANAGER": "Creative manager",
    "VIEWER": "Viewer",
}
# Campaign statuses in which a campaign can still take a creative.
USABLE_CAMPAIGN_STATUSES = ("ACTIVE", "PAUSED", "DRAFT")


@dataclass(frozen=True)
class Check:
    """One line of the report. `ok` is None when the check could not run (an earlier one failed)."""

    key: str
    title: str
    ok: bool | None
    summary: str
    fix: str = ""
    items: tuple[str, ...] = ()
    warn: bool = False

    @property
    def state(self) -> str:
        if self.ok is None:
            return "skipped"
        if not self.ok:
            return "failed"
        return "warning" if self.warn else "passed"


@dataclass
class Report:
    workspace: Workspace
    checks: list[Check] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.ok is False]


TITLES = {
    "connection": "LinkedIn is connected",
    "version": "The API version is accepted",
    "scopes": "The granted permissions cover every feature",
    "role": "The member may create ads on the account",
    "senders": "Senders have approved",
    "campaigns": "Campaigns of the right format exist",
    "lead_forms": "Lead forms are readable",
}
ORDER = tuple(TITLES)


def _check(key: str, ok: bool | None, summary: str, **more: Any) -> Check:
    return Check(key, TITLES[key], ok, summary, **more)


def run(workspace: Workspace, *, today: date | None = None) -> Report:
    """Run every check with the workspace's connection (read calls only)."""
    today = today or timezone.now().date()
    report = Report(workspace)
    connection = LinkedInConnection.objects.filter(workspace=workspace).first()
    if connection is None or connection.status != ConnectionStatus.ACTIVE:
        report.checks.append(
            _check(
                "connection",
                False,
                "The workspace has no working LinkedIn connection."
                if connection is None
                else f"The connection is {connection.get_status_display().lower()}: {connection.status_detail}",
                fix="Press “Connect LinkedIn” on the LinkedIn page and sign in as a member who manages the ad account.",
            )
        )
        report.checks += [_check(key, None, "Not checked: LinkedIn isn't connected.") for key in ORDER[2:]]
        return report
    try:
        api = services.client_for(workspace)
    except services.NotConnected as error:
        report.checks.append(
            _check("connection", False, str(error), fix="Reconnect LinkedIn on the LinkedIn page.")
        )
        report.checks += [_check(key, None, "Not checked: LinkedIn isn't connected.") for key in ORDER[2:]]
        return report
    account = workspace.ad_account_urn
    roles, refusal = _roles(api)
    report.checks.append(_version(today, refusal))
    if isinstance(refusal, VersionRefused):
        report.checks += [
            _check(key, None, "Not checked: LinkedIn refuses the API version.") for key in ORDER[2:]
        ]
        return report
    report.checks.append(_scopes(connection))
    report.checks.append(_role(connection, account, roles, refusal))
    if not account:
        report.checks += [
            _check(
                key,
                None,
                "Not checked: no ad account is chosen yet.",
                fix="Choose the ad account on the LinkedIn page.",
            )
            for key in ORDER[4:]
        ]
        return report
    for key, check in (("senders", _senders), ("campaigns", _campaigns), ("lead_forms", _lead_forms)):
        report.checks.append(_guarded(key, lambda c=check: c(api, workspace)))  # type: ignore[misc]
    return report


def _guarded(key: str, check: Callable[[], Check]) -> Check:
    """A check that failed to reach LinkedIn says so, as a failure with LinkedIn's reason."""
    try:
        return check()
    except Rejected as error:
        return _check(key, False, f"LinkedIn refused to answer: {error.explain()}", fix=_fix_for(error))
    except Transient as error:
        return _check(key, False, error.explain(), fix="Run the check again in a minute.")


def _fix_for(error: Rejected) -> str:
    if error.status == 403:
        return (
            "Reconnect LinkedIn as a member with a role on the ad account, granting every permission asked."
        )
    return "Run the check again; if it keeps failing, the message above says what LinkedIn objects to."


def _roles(api: LinkedIn) -> tuple[list[dict[str, Any]], LinkedInError | None]:
    """The member's roles (R09); the call also tells whether LinkedIn answers the version at all."""
    try:
        return api.finder("adAccountUsers", "authenticatedUser"), None
    except (Rejected, Transient) as error:
        return [], error


def _version(today: date, refusal: LinkedInError | None) -> Check:
    configured = settings.LINKEDIN_API_VERSION
    standing = versions.standing(configured, today)
    if isinstance(refusal, VersionRefused):
        return _check(
            "version",
            False,
            f"LinkedIn refused API version {configured} (426).",
            fix=refusal.explain(),
        )
    if not standing.ok:
        return _check(
            "version", False, standing.message, fix=f"Set LINKEDIN_API_VERSION={standing.replacement}."
        )
    days = versions.days_to_sunset(configured, today)
    summary = f"LinkedIn answers version {configured}. " + standing.message
    fix = (
        f"Set LINKEDIN_API_VERSION={standing.replacement} before then."
        if standing.warn and standing.replacement
        else ""
    )
    return _check(
        "version",
        True,
        summary,
        fix=fix,
        warn=standing.warn or (days is not None and days <= versions.WARN_DAYS),
    )


def _scopes(connection: LinkedInConnection) -> Check:
    """What LinkedIn says the token carries (R04), against what every feature needs (client.SCOPES)."""
    granted = set(connection.scopes.replace(",", " ").split())
    source = "as granted when connecting"
    try:
        answer = OAuth().introspect(token=connection.access_token)
    except (Rejected, Transient):
        answer = {}
    if answer:
        if answer.get("active") is False:
            return _check(
                "scopes",
                False,
                f"LinkedIn says the token is {answer.get('status', 'inactive')}.",
                fix="Reconnect LinkedIn on the LinkedIn page.",
            )
        granted = set(str(answer.get("scope", "")).replace(",", " ").split())
        source = "as LinkedIn reports the token"
    missing = [s for s in SCOPES if s not in granted]
    items = tuple(
        f"{scope}: {'granted' if scope in granted else 'missing'} — {services.FEATURE_SCOPES[scope][1]}"
        for scope in SCOPES
    )
    if missing:
        return _check(
            "scopes",
            False,
            f"Missing {', '.join(missing)} ({source}), so these won't work: "
            + "; ".join(services.FEATURE_SCOPES[s][1] for s in missing)
            + ".",
            fix=f"Press “Reconnect LinkedIn” and allow every permission LinkedIn asks for ({' '.join(SCOPES)}).",
            items=items,
        )
    return _check("scopes", True, f"Every permission the app uses is granted ({source}).", items=items)


def _role(
    connection: LinkedInConnection, account: str, roles: list[dict[str, Any]], refusal: LinkedInError | None
) -> Check:
    if refusal is not None:
        return _check(
            "role",
            False,
            f"LinkedIn didn't list the member's roles: {refusal.explain()}",
            fix=_fix_for(refusal) if isinstance(refusal, Rejected) else "Run the check again in a minute.",
        )
    if not account:
        return _check(
            "role", None, "No ad account is chosen yet.", fix="Choose the ad account on the LinkedIn page."
        )
    role = next((str(r.get("role", "")) for r in roles if r.get("account") == account), "")
    member = connection.member_name or connection.member_urn or "The connected member"
    if role in CREATIVE_ROLES:
        return _check("role", True, f"{member} is {ROLE_NAMES[role]} on {account}: ads can be created.")
    has = f"only {ROLE_NAMES.get(role, role)}" if role else "no role"
    return _check(
        "role",
        False,
        f"{member} has {has} on {account}; LinkedIn refuses them creating ads (403).",
        fix=(
            "In Campaign Manager › Account settings › Manage access, give this member the Creative manager role "
            "(or Campaign or Account manager), or reconnect LinkedIn as a member who has it."
        ),
    )


def _senders(api: LinkedIn, workspace: Workspace) -> Check:
    elements = services.sender_permissions(workspace, api)
    permissions = {
        str(e.get("member", "")): (services.permission_of(e), str(e.get("state", ""))) for e in elements
    }
    names = dict(Sender.objects.filter(workspace=workspace).values_list("urn", "name"))
    in_use = set(
        Ad.objects.filter(workspace=workspace, sender__isnull=False).values_list("sender__urn", flat=True)
    )
    items = []
    blocking = []
    for urn in sorted(set(permissions) | in_use, key=lambda u: names.get(u, u)):
        permission, state = permissions.get(urn, (SenderPermission.REVOKED, "not listed"))
        name = names.get(urn, urn)
        used = " (used by an ad)" if urn in in_use else ""
        items.append(f"{name}: {state.lower() or 'unknown'}{used}")
        if urn in in_use and permission != SenderPermission.APPROVED:
            blocking.append((name, permission))
    if not permissions and not in_use:
        return _check(
            "senders",
            False,
            "The ad account has no senders.",
            fix="In Campaign Manager, request sender permission from a 1st-degree connection; they accept by email.",
        )
    if blocking:
        who = ", ".join(name for name, _ in blocking)
        return _check(
            "senders",
            False,
            f"{who} can't send yet: LinkedIn refuses their ads (SINMAIL_SENDER_NOT_APPROVED).",
            fix=(
                "Ask each of them to accept the sender permission request in their LinkedIn email "
                "(or pick an approved sender), then press “Refresh from LinkedIn”."
            ),
            items=tuple(items),
        )
    waiting = [i for i in items if "requested" in i]
    return _check(
        "senders",
        True,
        "Every sender the ads use has approved." if in_use else "Senders are listed; no ad uses one yet.",
        items=tuple(items),
        warn=bool(waiting),
        fix="Senders still waiting must accept the request in their LinkedIn email." if waiting else "",
    )


def _campaigns(api: LinkedIn, workspace: Workspace) -> Check:
    elements = api.search(
        f"adAccounts/{workspace.ad_account_urn.rsplit(':', 1)[-1]}/adCampaigns",
        "search",
        {"search": {"type": {"values": ["SPONSORED_INMAILS"]}}},
    )
    usable = [e for e in elements if str(e.get("status", "")) in USABLE_CAMPAIGN_STATUSES]
    missing = []
    items = []
    for kind in (Kind.MESSAGE, Kind.CONVERSATION):
        fmt = CAMPAIGN_FORMATS[kind]
        found = [str(e.get("name", e.get("id"))) for e in usable if e.get("format") == fmt]
        items.append(f"{FORMAT_NAMES[fmt]} campaigns ({fmt}): {', '.join(found) if found else 'none'}")
        if not found:
            missing.append(FORMAT_NAMES[fmt])
    if missing:
        return _check(
            "campaigns",
            False,
            f"No usable {' or '.join(missing)} campaign on the account; ads of that kind can't be synced.",
            fix=(
                "In Campaign Manager, create a campaign with the Message ad or Conversation ad format "
                "(SPONSORED_INMAILS), then press “Refresh from LinkedIn”."
            ),
            items=tuple(items),
        )
    return _check(
        "campaigns", True, "Message and conversation ads each have a campaign to go in.", items=tuple(items)
    )


def _lead_forms(api: LinkedIn, workspace: Workspace) -> Check:
    elements = api.finder("leadForms", "owner", {"owner": {"sponsoredAccount": workspace.ad_account_urn}})
    forms = {
        f"urn:li:adForm:{e.get('id')}": (str(e.get("name", "")), str(e.get("state", ""))) for e in elements
    }
    named = _forms_named(workspace)
    items = [f"{name or urn}: {state.lower()}" for urn, (name, state) in sorted(forms.items())]
    broken = [(urn, ads) for urn, ads in sorted(named.items()) if forms.get(urn, ("", ""))[1] != "PUBLISHED"]
    if broken:
        lines = [
            f"{urn} ({forms[urn][1].lower() if urn in forms else 'not on the account'}) used by {', '.join(ads)}"
            for urn, ads in broken
        ]
        return _check(
            "lead_forms",
            False,
            f"{len(forms)} lead form{'s' if len(forms) != 1 else ''} readable, but ads name forms LinkedIn won't open: "
            + "; ".join(lines)
            + ".",
            fix="Point those ads at a published form of this account (Campaign Manager › Account assets › Lead gen forms).",
            items=tuple(items),
        )
    return _check(
        "lead_forms",
        True,
        f"{len(forms)} lead form{'s' if len(forms) != 1 else ''} readable"
        + (", and every form the ads name is published." if named else "."),
        items=tuple(items),
    )


def _forms_named(workspace: Workspace) -> dict[str, list[str]]:
    """Lead forms the workspace's ads name (message ads' lead form, conversation ads' form messages)."""
    from inmail_studio.ads.models import ConversationMessage

    named: dict[str, list[str]] = {}
    for name, urn in (
        Ad.objects.filter(workspace=workspace, cta_kind=CtaKind.LEAD_FORM)
        .exclude(lead_form_urn="")
        .values_list("name", "lead_form_urn")
    ):
        named.setdefault(urn, []).append(f"“{name}”")
    for name, urn in (
        ConversationMessage.objects.filter(conversation__ad__workspace=workspace)
        .exclude(form_urn="")
        .values_list("conversation__ad__name", "form_urn")
    ):
        named.setdefault(urn, []).append(f"“{name}”")
    return named
