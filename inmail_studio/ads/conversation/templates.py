"""Starting points for conversation ads, written to the scripting advice the product grew from.

Each follows the guide's shape: an opening question → 2 to 4 answers that
segment intent (one of them a polite exit) → tailored follow-ups → a conversion
point (a website or a lead gen form). Messages refer to each other by a local
key; `conversation_services.conversation_create` turns them into rows.
Lead gen form messages start without a form URN: the marketer picks their own
form, and the validator says so until they do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from inmail_studio.ads.models import ButtonAction, MessageKind


@dataclass(frozen=True)
class ButtonSpec:
    text: str
    action: str
    target: str = ""  # local key of the message it leads to
    url: str = ""


@dataclass(frozen=True)
class MessageSpec:
    key: str
    name: str
    body: str = ""
    kind: str = MessageKind.TEXT
    buttons: tuple[ButtonSpec, ...] = ()


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    summary: str
    subject: str
    lead_gen: bool
    messages: tuple[MessageSpec, ...] = field(default_factory=tuple)


M, W, F, E = ButtonAction.MESSAGE, ButtonAction.WEBSITE, ButtonAction.LEAD_FORM, ButtonAction.END

QUALIFY_BY_ROLE = Template(
    key="qualify-by-role",
    title="Qualify by role",
    summary="Ask which role the member has, then follow up with what matters to that role.",
    subject="%FIRSTNAME%, a quick question about your role",
    lead_gen=True,
    messages=(
        MessageSpec(
            "open",
            "Opening question",
            "<p>Hi %FIRSTNAME%,</p><p>We help teams like yours at %COMPANYNAME% work faster. "
            "To send you something useful: which best describes your role?</p>",
            buttons=(
                ButtonSpec("Marketing leader", M, "marketing"),
                ButtonSpec("Sales leader", M, "sales"),
                ButtonSpec("Operations or IT", M, "ops"),
                ButtonSpec("Not interested", E),
            ),
        ),
        MessageSpec(
            "marketing",
            "Marketing follow-up",
            "<p>Marketing leaders tell us attribution is their hardest problem. Our 2026 benchmark shows "
            "how 300 B2B teams solved it.</p>",
            buttons=(
                ButtonSpec("Get the benchmark", W, url="https://example.com/benchmark"),
                ButtonSpec("Talk to an expert", F, "form"),
            ),
        ),
        MessageSpec(
            "sales",
            "Sales follow-up",
            "<p>Sales leaders use us to shorten cycles by a third. Want to see how?</p>",
            buttons=(
                ButtonSpec("Read the case study", W, url="https://example.com/case-study"),
                ButtonSpec("Talk to an expert", F, "form"),
            ),
        ),
        MessageSpec(
            "ops",
            "Operations follow-up",
            "<p>For operations and IT: we connect to the tools you already run, with SSO and audit logs.</p>",
            buttons=(
                ButtonSpec("See integrations", W, url="https://example.com/integrations"),
                ButtonSpec("Talk to an expert", F, "form"),
            ),
        ),
        MessageSpec("form", "Expert call form", kind=MessageKind.FORM),
    ),
)

EVENT_INVITATION = Template(
    key="event-invitation",
    title="Event invitation",
    summary="Invite the member to an event; answer questions about it; offer the recording to those who can't come.",
    subject="%FIRSTNAME%, join us on 12 March?",
    lead_gen=False,
    messages=(
        MessageSpec(
            "open",
            "Invitation",
            "<p>Hi %FIRSTNAME%,</p><p>We're hosting a live session for %JOBTITLE%s on <b>12 March</b>: "
            "three practitioners, 45 minutes, no slides. Would you like to join?</p>",
            buttons=(
                ButtonSpec("Yes, save my seat", M, "register"),
                ButtonSpec("Tell me more", M, "agenda"),
                ButtonSpec("Can't make it", M, "recording"),
                ButtonSpec("Not interested", E),
            ),
        ),
        MessageSpec(
            "register",
            "Registration",
            "<p>Great! Registration takes 30 seconds; you'll get a calendar invite right away.</p>",
            buttons=(
                ButtonSpec("Register now", W, url="https://example.com/event/register"),
                ButtonSpec("Not now, thanks", E),
            ),
        ),
        MessageSpec(
            "agenda",
            "Agenda",
            "<p>The agenda:</p><ul><li>What changed in 2026</li><li>Two live teardowns</li>"
            "<li>Your questions</li></ul>",
            buttons=(
                ButtonSpec("Save my seat", M, "register"),
                ButtonSpec("See the speakers", W, url="https://example.com/event/speakers"),
                ButtonSpec("Not for me", E),
            ),
        ),
        MessageSpec(
            "recording",
            "Recording offer",
            "<p>No problem. Shall we send you the recording afterwards?</p>",
            buttons=(
                ButtonSpec("Send me the recording", W, url="https://example.com/event/recording"),
                ButtonSpec("No thanks", E),
            ),
        ),
    ),
)

DEMO_REQUEST = Template(
    key="demo-request",
    title="Demo request",
    summary="Find out whether the member is evaluating now, and offer a demo or a buyer's guide.",
    subject="%FIRSTNAME%, evaluating new tools this quarter?",
    lead_gen=True,
    messages=(
        MessageSpec(
            "open",
            "Evaluation question",
            "<p>Hi %FIRSTNAME%,</p><p>Are you currently evaluating solutions for your team at %COMPANYNAME%?</p>",
            buttons=(
                ButtonSpec("Yes, actively", M, "demo"),
                ButtonSpec("Just researching", M, "guide"),
                ButtonSpec("Not interested", E),
            ),
        ),
        MessageSpec(
            "demo",
            "Demo offer",
            "<p>Then a 20-minute demo, tailored to %COMPANYNAME%, is the fastest way to see if we fit.</p>",
            buttons=(
                ButtonSpec("Book a demo", F, "form"),
                ButtonSpec("See pricing first", W, url="https://example.com/pricing"),
            ),
        ),
        MessageSpec(
            "guide",
            "Buyer's guide",
            "<p>Our buyer's guide lists the 12 questions to ask any vendor, us included.</p>",
            buttons=(
                ButtonSpec("Get the guide", W, url="https://example.com/buyers-guide"),
                ButtonSpec("Book a demo anyway", F, "form"),
            ),
        ),
        MessageSpec("form", "Demo request form", kind=MessageKind.FORM),
    ),
)

BLANK = Template(
    key="blank",
    title="Blank",
    summary="One opening message with a polite exit; build the rest yourself.",
    subject="",
    lead_gen=False,
    messages=(
        MessageSpec(
            "open",
            "Opening message",
            "<p>Hi %FIRSTNAME%,</p>",
            buttons=(ButtonSpec("Not interested", E),),
        ),
    ),
)

TEMPLATES: dict[str, Template] = {t.key: t for t in (QUALIFY_BY_ROLE, EVENT_INVITATION, DEMO_REQUEST, BLANK)}
