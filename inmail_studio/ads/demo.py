"""Demo data for `make run`: three users, a workspace, senders with photos and drafts that show off the product.

Images are drawn here with Pillow, so the demo needs no files from anywhere.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from inmail_studio.accounts.models import Membership, Role, User, Workspace

from . import services
from .models import Ad, CtaKind, Sender, SenderPermission

DEMO_PASSWORD = "demo"  # noqa: S105 - development only; `make run` prints it
DEMO_ACCOUNT_URN = "urn:li:sponsoredAccount:508915158"

USERS = (
    ("marketer", "Maya", "Marketer", Role.AUTHOR),
    ("manager", "Noah", "Manager", Role.APPROVER),
    ("admin", "Ada", "Admin", Role.ADMIN),
)

SENDERS = (
    (
        "urn:li:person:dana-whitfield",
        "Dana Whitfield",
        "VP Marketing at Acme Cloud · Helping finance teams close faster",
        SenderPermission.APPROVED,
        (59, 70, 196),
    ),
    (
        "urn:li:person:marcus-lee",
        "Marcus Lee",
        "Head of Solutions Engineering, Acme Cloud",
        SenderPermission.APPROVED,
        (21, 115, 71),
    ),
    (
        "urn:li:person:sofia-alvarez",
        "Sofia Alvarez",
        "Customer Advisory Board lead · Acme Cloud",
        SenderPermission.PENDING,
        (180, 83, 9),
    ),
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def portrait_png(initials: str, colour: tuple[int, int, int]) -> bytes:
    picture = PILImage.new("RGB", (200, 200), colour)
    draw = ImageDraw.Draw(picture)
    draw.ellipse((40, 28, 160, 148), fill=tuple(min(255, c + 60) for c in colour))
    draw.rectangle((20, 150, 180, 200), fill=tuple(min(255, c + 60) for c in colour))
    draw.text((100, 88), initials, fill="white", font=_font(54), anchor="mm")
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def banner_png(title: str, subtitle: str) -> bytes:
    picture = PILImage.new("RGB", (300, 250), (29, 35, 48))
    draw = ImageDraw.Draw(picture)
    for i in range(250):
        draw.line((0, i, 300, i), fill=(40 + i // 6, 48 + i // 8, 120 + i // 3))
    draw.rounded_rectangle((18, 150, 200, 190), radius=20, fill=(255, 255, 255))
    draw.text((109, 170), "Save your seat", fill=(29, 35, 48), font=_font(18), anchor="mm")
    draw.text((18, 40), title, fill="white", font=_font(30))
    draw.text((18, 100), subtitle, fill=(210, 215, 240), font=_font(16))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


DRAFTS: tuple[dict[str, Any], ...] = (
    {
        "name": "Q4 webinar invite — finance leaders",
        "sender": 0,
        "subject": "%FIRSTNAME%, a seat for the Q4 close webinar?",
        "body": (
            "<p>Hi %FIRSTNAME%,</p>"
            "<p>Finance teams at companies like %COMPANYNAME% tell us the quarter-end close still eats two weeks. "
            "On <b>12 December</b> our controller panel shows how three teams cut it to five days.</p>"
            "<ul><li>Live walkthrough of a 5-day close</li><li>Checklist you can reuse</li><li>Q&amp;A with the panel</li></ul>"
            "<p>Seats are limited to keep it interactive. Want one?</p>"
            "<p>Dana</p>"
        ),
        "cta_text": "Save my seat",
        "landing_page_url": "https://example.com/webinars/q4-close?utm_source=linkedin&utm_medium=sponsored_message",
        "footer": "You received this message because you work in finance. Acme Cloud, 1 Market St, San Francisco.",
        "banner": True,
        "edits": (
            {"subject": "%FIRSTNAME%, join our Q4 close webinar"},
            {"subject": "%FIRSTNAME%, a seat for the Q4 close webinar?"},
        ),
    },
    {
        "name": "Demo request — IT directors (lead form)",
        "sender": 1,
        "subject": "Question about %COMPANYNAME%'s data stack",
        "body": (
            "<p>Hi %FIRSTNAME%,</p><p>I lead solutions engineering at Acme Cloud. IT teams in %INDUSTRY% ask us how "
            "to retire nightly batch jobs without a rewrite.</p><p>If that's on your roadmap, I can show you a "
            "20-minute demo tailored to your stack.</p><p>Marcus</p>"
        ),
        "cta_kind": CtaKind.LEAD_FORM,
        "cta_text": "Book a demo",
        "lead_form_urn": "urn:li:adForm:4242",
        "footer": "",
    },
    {
        "name": "Customer advisory board — needs work",
        "sender": 2,
        "subject": "Hey %firstname% — exclusive invite inside!!! Act now",
        "body": (
            "<p>Hi %FIRSTNAME%,</p><p>We're inviting a few %JOBTITLE%s to our advisory board. "
            'Read <a href="https://example.com/cab">the charter</a>, see <a href="https://example.com/members">who\'s '
            'on it</a> and <a href="https://example.com/faq">the FAQ</a>. 🚀🚀🚀</p><p>%TITLE% reply if interested.</p>'
        ),
        "cta_text": "Apply now",
        "landing_page_url": "http://example.com/cab",
        "footer": "",
    },
    {
        "name": "Research report — State of FP&A 2027",
        "sender": 0,
        "subject": "The State of FP&A 2027 for %INDUSTRY%",
        "body": "<p>Hi %FIRSTNAME%,</p><p>We surveyed 600 FP&amp;A leaders on forecasting, headcount and AI. "
        "The %INDUSTRY% cut is ready for you.</p>",
        "cta_text": "Get the report",
        "landing_page_url": "https://example.com/reports/fpa-2027",
        "footer": "",
    },
    {
        "name": "Untitled draft",
        "sender": None,
        "subject": "",
        "body": "",
        "cta_text": "Learn more",
        "landing_page_url": "",
        "footer": "",
    },
)


@transaction.atomic
def seed() -> list[str]:
    """Create the demo data, or leave it as it is when it is there already. Returns what it did."""
    done: list[str] = []
    workspace, created = Workspace.objects.get_or_create(
        slug="acme-cloud",
        defaults={
            "name": "Acme Cloud",
            "ad_account_urn": DEMO_ACCOUNT_URN,
            "ad_account_name": "Acme Cloud — EMEA",
        },
    )
    done.append(f"workspace {workspace.name}: {'created' if created else 'already there'}")
    users = {}
    for username, first, last, role in USERS:
        user, made = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
        )
        if made:
            user.set_password(DEMO_PASSWORD)
            if role == Role.ADMIN:
                user.is_staff = user.is_superuser = True
            user.save()
        Membership.objects.get_or_create(user=user, workspace=workspace, defaults={"role": role})
        users[username] = user
    services.personas_ensure(workspace=workspace)

    senders = []
    for urn, name, headline, permission, colour in SENDERS:
        sender, made = Sender.objects.get_or_create(
            workspace=workspace,
            urn=urn,
            defaults={"name": name, "headline": headline, "permission": permission},
        )
        if made or not sender.photo:
            initials = "".join(part[0] for part in name.split()[:2])
            sender.photo.save(f"{urn.rsplit(':', 1)[-1]}.png", ContentFile(portrait_png(initials, colour)))
        senders.append(sender)

    author = users["marketer"]
    for spec in DRAFTS:
        if Ad.objects.filter(workspace=workspace, name=spec["name"]).exists():
            continue
        fields: dict[str, Any] = {
            key: spec[key]
            for key in (
                "name",
                "subject",
                "body",
                "cta_text",
                "landing_page_url",
                "footer",
                "lead_form_urn",
                "cta_kind",
            )
            if key in spec
        }
        sender_index = spec["sender"]
        fields["sender"] = senders[sender_index] if isinstance(sender_index, int) else None
        if spec.get("banner"):
            upload = SimpleUploadedFile(
                "q4-webinar.png", banner_png("Close in 5 days", "Live webinar · 12 Dec")
            )
            fields["banner"] = services.banner_upload(workspace=workspace, uploader=author, upload=upload)
        ad = services.ad_create(workspace=workspace, author=author, fields=fields)
        for edit in spec.get("edits", ()):
            services.ad_update(ad_id=ad.pk, editor=author, fields=edit)
        done.append(f"draft “{ad.name}”")
    return done
