"""HTML typed by users reaches pages only through the one sanitizer or escaped.

Two halves: every place in the code that marks a string safe is one we reviewed (so a new
`|safe` fails here until someone looks at it), and markup planted in every field a user
controls comes out inert on every page that shows it, to members and to anonymous stakeholders.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.conversation import services as conversation_services
from inmail_studio.ads.models import Ad, ConversationMessage, Persona, Sender
from inmail_studio.review import services as review_services
from tests.conftest import GOOD_AD, client_for

ROOT = Path(__file__).resolve().parents[2]
SAFE_MARKERS = re.compile(
    r"mark_safe|SafeString|SafeData|format_html|\|\s*safe\b|safeseq|autoescape\s+off|is_safe\s*=|needs_autoescape"
)
# Each reviewed: what is marked safe there and why it is safe.
REVIEWED = {
    # The preview body: sanitize_body() then macros.fill_html(), which escapes the member's values.
    ("inmail_studio/ads/preview.py", "from django.utils.safestring import SafeString"),
    ("inmail_studio/ads/preview.py", '"body": SafeString(body),'),
    (
        "inmail_studio/ads/preview.py",
        'return {"id": message["id"], "body": SafeString(body), "is_form": is_form}',
    ),
    # The word diff: every word passes django.utils.html.escape before <del>/<ins> wrap it.
    ("inmail_studio/ads/snapshots.py", "from django.utils.safestring import SafeString, mark_safe"),
    ("inmail_studio/ads/snapshots.py", "def inline_diff(self) -> SafeString:"),
    ("inmail_studio/ads/snapshots.py", 'return mark_safe(" ".join(out))'),
}


def test_every_string_marked_safe_is_one_that_was_reviewed() -> None:
    found = set()
    for folder, pattern in (("inmail_studio", "*.py"), ("templates", "*.html"), ("inmail_studio", "*.html")):
        for path in (ROOT / folder).rglob(pattern):
            if "migrations" in path.parts:
                continue
            for line in path.read_text().splitlines():
                if SAFE_MARKERS.search(line):
                    found.add((str(path.relative_to(ROOT)), line.strip()))
    assert found - REVIEWED == set(), "review these (sanitize_body or escape) and add them to REVIEWED"


SCRIPT = "<script>x()</script>"
IMG = '<img src=x onerror="x()">'
RAW = ("<script>x()", "<img src=x", 'onerror="x()"')


def _inert(html: str) -> None:
    for raw in RAW:
        assert raw not in html, f"{raw!r} reached the page unescaped"


@pytest.fixture
def planted(workspace: Workspace, author: User, approver: User, sender: Sender) -> dict[str, object]:
    """Markup in every field a user (or LinkedIn, for senders) controls, saved through the real services."""
    User.objects.filter(pk=author.pk).update(first_name=SCRIPT, last_name=IMG)
    author.refresh_from_db()
    Sender.objects.filter(pk=sender.pk).update(name=f"Dana {SCRIPT}", headline=IMG)
    Persona.objects.create(
        workspace=workspace, label=f"P {SCRIPT}", first_name=IMG, company=SCRIPT, position=0
    )
    ad = ad_services.ad_create(
        workspace=workspace,
        author=author,
        fields={
            **GOOD_AD,
            "sender": sender,
            "name": f"Ad {SCRIPT}",
            "subject": f"Hi %FIRSTNAME% {IMG}"[:60],
            "body": f'<p>Hi %FIRSTNAME% {SCRIPT}{IMG}<a href="javascript:x()">x</a></p>',
            "footer": f"Footer {SCRIPT}",
            "cta_text": "<b>Go</b>",
        },
    )
    ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"footer": f"Footer {IMG}"})
    review_services.submit(ad_id=ad.pk, actor=author, comment=f"Please {SCRIPT}")
    review_services.comment_add(ad_id=ad.pk, author=approver, body=IMG, field="subject")
    shared = review_services.share_link_create(ad_id=ad.pk, creator=author, recipient=SCRIPT, kind="signoff")
    ad.refresh_from_db()
    review_services.stakeholder_decide(
        token=shared.token,
        verdict="approved",  # the ad stays in review, so the approver's queue lists it
        revision_hash=ad.current_revision.content_hash,  # type: ignore[union-attr]
        comment=SCRIPT,
    )
    conversation = conversation_services.conversation_create(
        workspace=workspace, author=author, name=f"C {SCRIPT}", template_key="demo-request"
    )
    message = ConversationMessage.objects.filter(conversation__ad=conversation).first()
    assert message is not None
    buttons = [
        conversation_services.ButtonInput(
            id=b.pk, text=f"B {SCRIPT}"[:25], action=b.action, target_id=b.target_id, url=""
        )
        for b in message.buttons.all()
    ]
    conversation_services.message_save(
        ad_id=conversation.pk, editor=author, message_id=message.pk, name=f"M {SCRIPT}"[:60],
        kind="text", body=f"<p>{SCRIPT}{IMG}</p>", form_urn="", buttons=buttons,
    )  # fmt: skip
    return {"ad": ad, "token": shared.token, "conversation": conversation, "message": message}


# (persona, page) pairs that show nothing planted at all: an approver has no drafts of their own,
# and the LinkedIn page shows an approver nothing a user typed.
SHOWS_NOTHING_PLANTED = {("approver", "review:mine"), ("approver", "linkedin:connection")}
MEMBER_PAGES = [
    ("ads:list", None),
    ("ads:edit", "ad"),
    ("ads:history", "ad"),
    ("ads:compare", "ad"),
    ("ads:personas", None),
    ("ads:senders", None),
    ("review:queue", None),
    ("review:mine", None),
    ("review:detail", "ad"),
    ("review:timeline", "ad"),
    ("review:share", "ad"),
    ("review:notifications", None),
    ("linkedin:connection", None),
    ("linkedin:payload", "ad"),
    ("guidance:forecast", "ad"),
    ("ads:conversation", "conversation"),
    ("ads:conversation_frame", "conversation"),
    ("ads:conversation_paths", "conversation"),
    ("ads:conversation_changes", "conversation"),
]


@pytest.mark.parametrize(("name", "target"), MEMBER_PAGES, ids=[n for n, _ in MEMBER_PAGES])
@pytest.mark.parametrize("persona", ["author", "approver"])
def test_markup_from_users_is_inert_on_every_page(
    name: str, target: str | None, persona: str, planted: dict[str, object], request: pytest.FixtureRequest
) -> None:
    args = [planted[target].pk] if target else []  # type: ignore[attr-defined]
    response = client_for(request.getfixturevalue(persona)).get(reverse(name, args=args))
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    _inert(html)
    if (
        persona,
        name,
    ) not in SHOWS_NOTHING_PLANTED:  # the payload is there, escaped: the test aims at something
        assert "&lt;script&gt;x()" in html or "&lt;img src=x" in html


def test_the_live_preview_renders_typed_markup_inert(planted: dict[str, object], author: User) -> None:
    ad: Ad = planted["ad"]  # type: ignore[assignment]
    response = client_for(author).post(
        reverse("ads:preview", args=[ad.pk]),
        {**GOOD_AD, "body": f"<p>{SCRIPT}{IMG}</p>", "subject": IMG, "footer": SCRIPT, "cta_text": SCRIPT,
         "landing_page_url": "javascript:x()"},
    )  # fmt: skip
    assert response.status_code == 200
    _inert(response.content.decode())


@pytest.mark.parametrize("frame", [False, True])
def test_the_stakeholders_page_renders_markup_inert(planted: dict[str, object], frame: bool) -> None:
    url = reverse("review:shared", args=[planted["token"]]) + ("?frame=1" if frame else "")
    response = Client().get(url)
    assert response.status_code == 200
    _inert(response.content.decode())
