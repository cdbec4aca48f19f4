"""The sandbox's demo data, matching `inmail_studio.ads.demo` (what `make run` shows).

Idempotent: what exists is kept, so `seed_demo` can run again at any time.
"""

from __future__ import annotations

from django.db import transaction

from inmail_studio.ads import demo

from .models import AccountRole, AdAccount, Campaign, LeadForm, Member, SenderPermission

DEMO_ACCOUNT_ID = int(demo.DEMO_ACCOUNT_URN.rsplit(":", 1)[-1])
DEMO_ACCOUNT_NAME = "Acme Cloud — EMEA"
# An account the demo members mostly have no role on: what a 403 looks like.
OTHER_ACCOUNT_ID = 508915999
OTHER_ACCOUNT_NAME = "Globex — Americas"

ADMINS = (
    (
        "ada-admin",
        "Ada",
        "Admin",
        "Marketing operations, Acme Cloud",
        AccountRole.Role.ACCOUNT_MANAGER,
        (91, 33, 182),
    ),
    (
        "maya-marketer",
        "Maya",
        "Marketer",
        "Demand generation manager, Acme Cloud",
        AccountRole.Role.CREATIVE_MANAGER,
        (190, 24, 93),
    ),
)

# The organizations the accounts belong to (adAccounts' `reference`; an ad image's owner).
DEMO_ORGANIZATION = "urn:li:organization:2414183"
OTHER_ORGANIZATION = "urn:li:organization:1035"
# adInMailMemberSenderPermissions' state for the demo senders' permission (contract R13).
PERMISSION_STATES = {
    "approved": SenderPermission.State.APPROVED,
    "pending": SenderPermission.State.REQUESTED,
    "revoked": SenderPermission.State.REVOKED,
    "declined": SenderPermission.State.DECLINED,
}
# Lead gen forms of the demo account: the demo's lead-gen ad opens 4242.
LEAD_FORMS = (
    (4242, "Demo request", LeadForm.State.PUBLISHED),
    (4243, "Webinar sign-up", LeadForm.State.PUBLISHED),
    (4244, "2025 survey", LeadForm.State.ARCHIVED),
)

CAMPAIGNS = (
    ("Q4 Finance Webinar", "SPONSORED_INMAIL", "ACTIVE"),
    ("IT Directors Demo", "SPONSORED_INMAIL", "ACTIVE"),
    ("Conversation pilot", "SPONSORED_MESSAGE", "DRAFT"),
)


def _member(
    slug: str, first: str, last: str, headline: str, colour: tuple[int, int, int]
) -> tuple[Member, bool]:
    member, created = Member.objects.get_or_create(
        slug=slug, defaults={"first_name": first, "last_name": last, "headline": headline}
    )
    if not member.photo:
        member.photo = demo.portrait_png(first[:1] + last[:1], colour)
        member.save(update_fields=["photo"])
    return member, created


@transaction.atomic
def seed() -> list[str]:
    """Create the sandbox's accounts, members, roles, sender permissions and campaigns. Returns what it did."""
    done: list[str] = []
    account, made = AdAccount.objects.get_or_create(
        pk=DEMO_ACCOUNT_ID, defaults={"name": DEMO_ACCOUNT_NAME, "reference": DEMO_ORGANIZATION}
    )
    if made:
        done.append(f"sandbox ad account {account.urn} {account.name}")
    other, made = AdAccount.objects.get_or_create(
        pk=OTHER_ACCOUNT_ID,
        defaults={"name": OTHER_ACCOUNT_NAME, "currency": "USD", "reference": OTHER_ORGANIZATION},
    )
    if made:
        done.append(f"sandbox ad account {other.urn} {other.name}")

    for urn, name, headline, permission, colour in demo.SENDERS:
        first, _, last = name.partition(" ")
        member, made = _member(urn.removeprefix("urn:li:person:"), first, last, headline, colour)
        SenderPermission.objects.get_or_create(
            account=account, member=member, defaults={"state": PERMISSION_STATES[permission]}
        )
        AccountRole.objects.get_or_create(
            account=account, member=member, defaults={"role": AccountRole.Role.VIEWER}
        )
        if made:
            done.append(f"sandbox member {member.name} ({permission.upper()} sender)")
    for slug, first, last, headline, role, colour in ADMINS:
        member, made = _member(slug, first, last, headline, colour)
        AccountRole.objects.get_or_create(account=account, member=member, defaults={"role": role})
        if made:
            done.append(f"sandbox member {member.name} ({role})")
    # Ada also manages the second account; Maya has no role there.
    AccountRole.objects.get_or_create(
        account=other,
        member=Member.objects.get(slug="ada-admin"),
        defaults={"role": AccountRole.Role.ACCOUNT_MANAGER},
    )

    for name, fmt, status in CAMPAIGNS:
        campaign, made = Campaign.objects.get_or_create(
            account=account, name=name, defaults={"format": fmt, "status": status}
        )
        if made:
            done.append(f"sandbox campaign {campaign.urn} {name}")
    Campaign.objects.get_or_create(
        account=other, name="Globex brand awareness", defaults={"status": "ACTIVE"}
    )
    for number, name, state in LEAD_FORMS:
        _, made = LeadForm.objects.get_or_create(
            pk=number, defaults={"account": account, "name": name, "state": state}
        )
        if made:
            done.append(f"sandbox lead gen form urn:li:adForm:{number} {name}")
    return done
