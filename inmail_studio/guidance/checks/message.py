"""The checks of a message ad: subject, body, offer, sender and landing page."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urlsplit

from inmail_studio.ads import limits
from inmail_studio.ads.models import CtaKind, SenderPermission
from inmail_studio.guidance.checks.base import (
    _HOST,
    _LETTERS,
    _MACRO,
    _PERCENT_PROMISE,
    _PITCH,
    _SPAM,
    _WE,
    _WORD,
    _YOU,
    ADVICE,
    BODY_WORDS_ADVISED,
    BODY_WORDS_MINIMUM,
    CONTENT_OFFERS,
    HIGH_VALUE_OFFERS,
    PASS,
    PROBLEM,
    SHOUTING_SHARE,
    SUBJECT_ADVISED,
    UTM_REQUIRED,
    Check,
    CheckResult,
    Plan,
    _plural,
)
from inmail_studio.guidance.models import OfferType


def subject_length(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    subject = snapshot.get("subject") or ""
    n = limits.count_characters(subject)
    result = partial(
        CheckResult, "subject", "subject_length", f"Short subject (under {SUBJECT_ADVISED} characters)"
    )
    why = f"The subject decides whether the message is opened; under {SUBJECT_ADVISED} characters performs best."
    detail = _plural(n, "character")
    if not subject:
        return result(
            PROBLEM,
            "Without a subject the message can't be sent.",
            "Write a subject of a few words, e.g. “Question about your Q4 pipeline”.",
        )
    if n > limits.SUBJECT.maximum:
        return result(
            PROBLEM,
            limits.SUBJECT.message(n),
            f"Cut it below {limits.SUBJECT.maximum} characters; under {SUBJECT_ADVISED} is better.",
            detail,
        )
    if n >= SUBJECT_ADVISED:
        return result(
            ADVICE,
            why,
            f"Shorten it by {n - SUBJECT_ADVISED + 1} characters: drop filler words.",
            detail,
        )
    return result(PASS, why, "", detail)


def subject_personalised(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    subject = snapshot.get("subject") or ""
    result = partial(CheckResult, "subject", "subject_personalised", "Personalised subject")
    why = "A name, company or industry in the subject shows the message is meant for this member."
    if _MACRO.search(subject):
        return result(PASS, why)
    return result(
        ADVICE,
        why,
        "Add %COMPANYNAME%, %INDUSTRY% or %FIRSTNAME% to the subject.",
    )


def subject_direct(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    subject = snapshot.get("subject") or ""
    text = _MACRO.sub("", subject)
    result = partial(CheckResult, "subject", "subject_direct", "Direct, not clickbait")
    why = "Capitals, exclamation marks and spam words read as an advert and cost opens and trust."
    found: list[str] = []
    spam = sorted({m.group(0).lower() for m in _SPAM.finditer(text)})
    if _PERCENT_PROMISE.search(text):
        spam.append("100%")
    if spam:
        found.append("spam words: " + ", ".join(f"“{w}”" for w in spam))
    letters = _LETTERS.findall(text)
    capitals = sum(1 for c in letters if c.isupper())
    shouting = len(letters) >= 8 and capitals / len(letters) >= SHOUTING_SHARE
    if shouting:
        found.append("written in capitals")
    exclamations = text.count("!")
    if exclamations >= 2:
        found.append(f"{exclamations} exclamation marks")
    if not found:
        return result(PASS, why)
    status = PROBLEM if spam or shouting else ADVICE
    return result(
        status,
        why,
        "Say plainly what it is about, e.g. “Question about %COMPANYNAME%'s hiring plans”.",
        "; ".join(found).capitalize(),
    )


def body_length(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    text = limits.visible_text(snapshot.get("body") or "")
    words = len(_WORD.findall(text))
    characters = limits.count_characters(text)
    result = partial(CheckResult, "body", "body_length", "Short and genuine")
    why = "Brief context, a clear value for the reader and one ask: long sales pitches go unread."
    detail = f"{_plural(words, 'word')} · {_plural(characters, 'character')}"
    if not text:
        return result(
            PROBLEM,
            "Without a body the message can't be sent.",
            "Write why you reach out, what is in it for them, and what to do next.",
        )
    if characters > limits.BODY.maximum:
        return result(
            PROBLEM,
            limits.BODY.message(characters),
            f"Cut it below {limits.BODY.maximum:,} characters.",
            detail,
        )
    if words > BODY_WORDS_ADVISED:
        return result(
            ADVICE,
            why,
            f"Aim for under {BODY_WORDS_ADVISED} words: keep one idea, cut the rest.",
            detail,
        )
    if words < BODY_WORDS_MINIMUM:
        return result(
            ADVICE,
            "Too short to say why you write, what they get and what to do.",
            "Add a line of context and the value for the reader.",
            detail,
        )
    return result(PASS, why, "", detail)


def body_links(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    n = len(limits.link_texts(snapshot.get("body") or ""))
    result = partial(CheckResult, "body", "body_links", "One call to action")
    why = "Links in the body compete with the button; one clear ask converts best."
    detail = _plural(n, "link")
    if n > limits.BODY_LINKS.maximum:
        return result(
            PROBLEM,
            limits.BODY_LINKS.message(n),
            "Remove links until the button is the only ask.",
            detail,
        )
    if n > 1:
        return result(ADVICE, why, "Keep at most one link in the body, or none.", detail)
    return result(PASS, why, "", detail)


def body_second_person(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    text = limits.visible_text(snapshot.get("body") or "")
    result = partial(CheckResult, "body", "body_second_person", "Speaks to the reader")
    why = "“You” and “your” keep the message about the member, not about you."
    if _YOU.search(text) or "%FIRSTNAME%" in text:
        return result(PASS, why)
    return result(
        ADVICE,
        why,
        "Address the reader: say what they get (“you'll see…”, “your team…”).",
    )


def body_pitch(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    text = limits.visible_text(snapshot.get("body") or "")
    result = partial(CheckResult, "body", "body_pitch", "Not a generic sales pitch")
    why = "The guide: generic sales pitches in inboxes damage brand perception."
    signals: list[str] = []
    phrases = sorted({m.group(0).lower() for m in _PITCH.finditer(text)})
    if phrases:
        signals.append(", ".join(f"“{p}”" for p in phrases))
    we, you = len(_WE.findall(text)), len(_YOU.findall(text))
    self_focused = we >= 4 and we > 2 * you
    if self_focused:
        signals.append(f"“we/our” {we}× against “you/your” {you}×")
    if not signals:
        return result(PASS, why)
    status = PROBLEM if len(phrases) + self_focused >= 2 else ADVICE
    return result(
        status,
        why,
        "Lead with the reader's problem and a specific offer; drop the superlatives.",
        "; ".join(signals),
    )


def call_to_action(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    text = snapshot.get("cta_text") or ""
    result = partial(CheckResult, "body", "call_to_action", "Clear button")
    why = "The button is the one thing you ask the member to do."
    if not text:
        return result(
            PROBLEM,
            "Without button text there is nothing to click.",
            "Say what happens: “Save my seat”, “Get the report”.",
        )
    n = limits.count_characters(text)
    if n > limits.CTA_TEXT.maximum:
        return result(
            PROBLEM,
            limits.CTA_TEXT.message(n),
            f"Use at most {limits.CTA_TEXT.maximum} characters.",
        )
    if snapshot.get("cta_kind") == CtaKind.LEAD_FORM and not snapshot.get("lead_form_urn"):
        return result(
            PROBLEM,
            "The button opens a lead gen form, but none is chosen.",
            "Enter the lead gen form's URN.",
        )
    return result(PASS, why)


def offer_value(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    result = partial(CheckResult, "offer", "offer_value", "High-value offer")
    why = "The guide: messaging suits high-value offers to narrow audiences; low-value content belongs in the feed."
    offer = plan.offer_type
    if offer not in OfferType.values:
        return result(ADVICE, why, "Choose what the ad offers under “Offer”.")
    detail = OfferType(offer).label
    if offer in HIGH_VALUE_OFFERS:
        return result(PASS, why, "", detail)
    if offer in CONTENT_OFFERS:
        return result(
            ADVICE,
            "Research and case studies work in the inbox when exclusive and relevant; otherwise "
            "they could run as Sponsored Content for less.",
            "Make it exclusive (new data, a peer's story in their industry), or pair it with an assessment.",
            detail,
        )
    return result(
        PROBLEM,
        "The guide: generic sales pitches in inboxes damage brand perception.",
        "Offer something worth a direct message: an invitation, a demo, an assessment.",
        detail,
    )


def audience_narrow(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    result = partial(CheckResult, "offer", "audience_narrow", "Narrow, qualified audience")
    why = "The guide: messaging works with narrow, qualified targeting; broad audiences waste budget."
    if plan.audience_size is None:
        return result(ADVICE, why, "Enter the audience size in the forecast.")
    detail = f"{plan.audience_size:,} members"
    if plan.audience_size <= plan.broad_audience:
        return result(PASS, why, "", detail)
    status = PROBLEM if plan.offer_type == OfferType.GENERIC else ADVICE
    return result(
        status,
        f"Over {plan.broad_audience:,} members is broad for messaging"
        + (": a generic pitch to them is cold mass outreach." if status == PROBLEM else "."),
        "Target specific job titles, company lists or retargeting audiences.",
        detail,
    )


def sender_person(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    sender = snapshot.get("sender")
    result = partial(CheckResult, "sender", "sender_person", "A real person who can answer")
    why = "Members reply to the sender: pick someone relevant to them who will answer."
    if not sender:
        return result(PROBLEM, "No sender is chosen.", "Choose a sender.")
    if str(sender.get("urn", "")).startswith("urn:li:organization:"):
        return result(
            ADVICE,
            "Message ads from a person are opened and answered more than those from a page.",
            "Send as a person on your team who can answer replies.",
            sender.get("name", ""),
        )
    return result(PASS, why, "", sender.get("name", ""))


def sender_profile(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    sender = snapshot.get("sender") or {}
    result = partial(CheckResult, "sender", "sender_profile", "Complete sender profile")
    why = "A photo and a headline make the sender credible at a glance."
    missing = [name for name, key in (("photo", "photo"), ("headline", "headline")) if not sender.get(key)]
    if not missing:
        return result(PASS, why)
    return result(
        ADVICE,
        why,
        f"Add the sender's {' and '.join(missing)} on the Senders page.",
        "No " + " or ".join(missing),
    )


def sender_permission(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    result = partial(CheckResult, "sender", "sender_permission", "Sender's permission approved")
    why = "LinkedIn only sends as a member who has approved it for this ad account."
    permission = plan.sender_permission
    if permission == SenderPermission.APPROVED:
        return result(PASS, why)
    if permission == SenderPermission.PENDING:
        return result(
            PROBLEM,
            why,
            "Ask the sender to accept the request in LinkedIn Campaign Manager.",
            "Pending",
        )
    if permission == SenderPermission.REVOKED:
        return result(
            PROBLEM,
            why,
            "The sender withdrew permission: ask again or choose another sender.",
            "Revoked",
        )
    return result(
        PROBLEM,
        why,
        "Choose a sender from the Senders page.",
        "Unknown",
    )


def landing_https(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    url = snapshot.get("landing_page_url") or ""
    result = partial(CheckResult, "landing", "landing_https", "Secure landing page (https)")
    why = "Browsers warn on http pages; a warning right after the click loses the lead."
    if not url:
        return result(
            PROBLEM,
            "The button has nowhere to go.",
            "Enter the landing page URL.",
        )
    if urlsplit(url).scheme.lower() == "https":
        return result(PASS, why)
    return result(PROBLEM, why, "Use the page's https:// address.")


def landing_format(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    url = snapshot.get("landing_page_url") or ""
    result = partial(CheckResult, "landing", "landing_format", "Well-formed address")
    why = "A mistyped address sends every click to an error page."
    problem = ""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or any(c.isspace() for c in url):
        problem = "It contains spaces or can't be read as an address."
    elif parts.scheme.lower() not in limits.LANDING_PAGE_SCHEMES:
        problem = "It must start with https://."
    elif not _HOST.match(host):
        problem = f"“{host or url}” is not a domain name."
    elif limits.count_characters(url) > limits.LANDING_PAGE_URL.maximum:
        problem = limits.LANDING_PAGE_URL.message(limits.count_characters(url))
    if problem:
        return result(
            PROBLEM,
            why,
            "Copy the address from the browser's address bar.",
            problem,
        )
    return result(PASS, why)


def landing_utm(snapshot: Mapping[str, Any], plan: Plan) -> CheckResult:
    url = snapshot.get("landing_page_url") or ""
    result = partial(CheckResult, "landing", "landing_utm", "UTM tags for analytics")
    why = "Without UTM tags your analytics can't tell these visits and leads apart from others."
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        query = {}
    missing = [key for key in UTM_REQUIRED if not query.get(key)]
    if not missing:
        return result(PASS, why)
    return result(
        ADVICE,
        why,
        "Press “Add UTM tags” beside the landing page URL.",
        "Missing " + ", ".join(missing),
    )


LANDING_CHECKS: tuple[Check, ...] = (landing_https, landing_format, landing_utm)
