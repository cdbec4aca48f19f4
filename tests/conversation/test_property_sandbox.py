"""Property tests: the validator and the sandbox agree about random conversation trees.

Trees are pushed through the sync's own conversation steps (conversation, messages leaves
first, first message) to the sandbox over real HTTP (pytest-django's live server):

- a tree the validator accepts is accepted by the sandbox, and the member walks exactly the
  paths the marketer scripted;
- a tree the validator rejects is either accepted by the sandbox (the validator is stricter:
  unreachable messages, a missing exit, an empty-looking body) or rejected for a reason the
  validator named too; and a problem the sandbox does check, on a message that is sent, is
  always rejected.

A loop can't be created leaves first, so for a tree with one the loop-free part is created and
the buttons that close the loop are added by PARTIAL_UPDATE, where the sandbox checks for loops.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import limits
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.conversation.tree import messages_by_id, next_message_id
from inmail_studio.ads.conversation.validation import Problem, errors
from inmail_studio.ads.models import Kind
from inmail_studio.linkedin import payloads, services
from inmail_studio.linkedin.client import Rejected
from inmail_studio.linkedin.models import (
    AdLinkedIn,
    AttemptStatus,
    LinkedInConnection,
    LinkedInConversation,
    SyncAttempt,
)
from inmail_studio.linkedin.payloads.conversation_messages import message_body, message_payloads, resolve
from inmail_studio.sandbox import models as sandbox
from tests.linkedin.conftest import connected, sandbox_url  # noqa: F401 - fixtures: the live sandbox
from tests.linkedin.conversations import linkedin_tree, transcripts

# Modest: every example is a handful of real HTTP calls; both properties stay well under a minute.
PROPERTY = settings(
    max_examples=int(__import__("os").environ.get("PROPERTY_EXAMPLES", "30")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FORM = "urn:li:adForm:7"
GOOD_BODIES = (
    "<p>Hi %FIRSTNAME%, which best describes you?</p>",
    "<p>Here is the <b>agenda</b>.</p>",
    "<p>Thanks! 🎉</p>",
    "<ul><li>One</li><li>Two</li></ul>",
)
GOOD_TEXTS = ("Tell me more", "Marketing", "Sales", "Yes please", "Show me", "Later today")

# The sandbox's refusals, as the validator's problem codes naming the same reason.
# (code, a fragment of LinkedIn's message or "" for any) → validator codes
REASONS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("CYCLE_IN_CONVERSATION", "", frozenset({"cycle"})),
    ("TOO_MANY_OPTIONS", "", frozenset({"too_many_buttons"})),
    ("TOO_MANY_MESSAGES", "", frozenset({"too_many_messages"})),
    ("FIELD_VALUE_TOO_LONG", "bodySource.text", frozenset({"body_too_long", "too_many_emojis"})),
    ("FIELD_VALUE_TOO_LONG", "optionText", frozenset({"button_text_too_long"})),
    ("FIELD_VALUE_TOO_LONG", "landingPage", frozenset({"bad_url"})),
    ("INVALID_URL", "", frozenset({"bad_url"})),
    ("REQUIRED_FIELD_MISSING", "landingPage", frozenset({"bad_url", "no_target"})),
    ("REQUIRED_FIELD_MISSING", "optionText", frozenset({"button_without_text"})),
    ("REQUIRED_FIELD_MISSING", "text is required", frozenset({"empty_body"})),
    ("INVALID_VALUE_FOR_FIELD", "nextContent", frozenset({"no_target", "lead_gen_target_not_form"})),
    ("INVALID_VALUE_FOR_FIELD", "leadGenerationForm", frozenset({"form_without_urn"})),
)

# Validator errors the sandbox checks too: on a message that is sent, the sandbox must refuse them.
SANDBOX_CHECKED = frozenset(
    {
        "cycle",
        "too_many_buttons",
        "button_text_too_long",
        "body_too_long",
        "too_many_emojis",
        "bad_url",
        "lead_gen_target_not_form",
        "form_without_urn",
    }
)


def reasons_for(error: Rejected) -> frozenset[str]:
    for code, fragment, reasons in REASONS:
        if error.code == code and fragment in error.message:
            return reasons
    return frozenset()


# --- trees --------------------------------------------------------------------------------


def _button(bid: str, text: str, action: str, target: str | None = None, url: str = "") -> dict[str, Any]:
    return {"id": bid, "text": text, "action": action, "target": target, "url": url}


@st.composite
def valid_trees(draw: st.DrawFn, max_messages: int = 7) -> dict[str, Any]:
    """A tree with no validator error by construction: a DAG from m1, every message reached,
    forms only behind lead gen buttons, the first message with a polite exit."""
    n = draw(st.integers(1, max_messages))
    is_form = [False] + [draw(st.booleans()) and draw(st.booleans()) for _ in range(n - 1)]
    messages: list[dict[str, Any]] = []
    for i in range(n):
        messages.append(
            {
                "id": f"m{i + 1}",
                "name": f"Message {i + 1}",
                "kind": "form" if is_form[i] else "text",
                "body": "" if is_form[i] else draw(st.sampled_from(GOOD_BODIES)),
                "form_urn": FORM if is_form[i] else "",
                "buttons": [],
            }
        )
    counter = iter(range(1, 1000))

    def room(i: int) -> int:  # the first message keeps a slot for its exit
        return (4 if i == 0 else 5) - len(messages[i]["buttons"])

    def add(i: int, action: str, target: str | None = None, url: str = "") -> None:
        text = draw(st.sampled_from(GOOD_TEXTS))
        messages[i]["buttons"].append(_button(f"b{next(counter)}", text, action, target, url))

    kept = n
    for j in range(1, n):
        parents = [i for i in range(j) if not is_form[i] and room(i) > 0]
        if not parents:
            kept = j
            break
        add(draw(st.sampled_from(parents)), "lead_form" if is_form[j] else "message", f"m{j + 1}")
    messages = messages[:kept]
    for i in range(kept):
        if is_form[i]:
            continue
        for _ in range(draw(st.integers(0, 2))):
            if room(i) <= 0:
                break
            forward = [k for k in range(i + 1, kept) if not is_form[k]]
            kind = draw(st.sampled_from(["website", "message"] if forward else ["website"]))
            if kind == "website":
                add(i, "website", url=f"https://example.com/{draw(st.integers(1, 99))}")
            else:
                add(i, "message", f"m{draw(st.sampled_from(forward)) + 1}")
    messages[0]["buttons"].append(_button("b0", "No thanks", "end"))
    return {"lead_gen": any(m["kind"] == "form" for m in messages), "first": "m1", "messages": messages}


def chain(length: int) -> dict[str, Any]:
    """m1 → m2 → … → m<length>, one button each, the first with an exit: a conversation too long when
    `length` passes the limit (few random examples grow that far, so it is always tried)."""
    messages = [
        {
            "id": f"m{k}",
            "name": f"Step {k}",
            "kind": "text",
            "body": "<p>One more step.</p>",
            "form_urn": "",
            "buttons": [_button(f"b{k}", "Next", "message", f"m{k + 1}")] if k < length else [],
        }
        for k in range(1, length + 1)
    ]
    messages[0]["buttons"].append(_button("b0", "No thanks", "end"))
    return {"lead_gen": False, "first": "m1", "messages": messages}


MUTATIONS = (
    "loop",
    "six_buttons",
    "long_button_text",
    "empty_button_text",
    "long_body",
    "emojis",
    "empty_body",
    "bad_url",
    "lead_form_to_text",
    "form_without_urn",
    "too_many_messages",
    "no_target",
    "unreachable",
    "no_exit",
)


@st.composite
def mutated_trees(draw: st.DrawFn) -> dict[str, Any]:
    """A valid tree with one or two of the mistakes marketers make."""
    tree = copy.deepcopy(draw(valid_trees()))
    messages = tree["messages"]
    texts = [m for m in messages if m["kind"] == "text"]
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=2, unique=True)):
        note(f"mutation: {mutation}")
        message = draw(st.sampled_from(texts))
        buttons = message["buttons"]
        if mutation == "loop":
            target = draw(st.sampled_from(["m1", message["id"]]))
            buttons.append(_button("bx-loop", "Back to the start", "message", target))
        elif mutation == "six_buttons":
            while len(buttons) < 6:
                buttons.append(_button(f"bx{len(buttons)}", f"Option {len(buttons)}", "end"))
        elif mutation == "long_button_text" and buttons:
            draw(st.sampled_from(buttons))["text"] = "x" * (limits.BUTTON_TEXT.maximum + 1)
        elif mutation == "empty_button_text" and buttons:
            draw(st.sampled_from(buttons))["text"] = ""
        elif mutation == "long_body":
            message["body"] = "<p>" + "a" * limits.CONVERSATION_BODY.maximum + "</p>"
        elif mutation == "emojis":
            message["body"] = "<p>" + "🎉" * (limits.CONVERSATION_EMOJIS.maximum + 1) + "</p>"
        elif mutation == "empty_body":
            message["body"] = ""
        elif mutation == "bad_url":
            buttons.append(_button("bx-url", "Read more", "website", url="ftp://example.com/file"))
        elif mutation == "lead_form_to_text" and len(texts) > 1:
            later = [m for m in texts if int(m["id"][1:]) > int(message["id"][1:])]
            if later:
                buttons.append(_button("bx-form", "Sign up", "lead_form", draw(st.sampled_from(later))["id"]))
        elif mutation == "form_without_urn":
            for form in messages:
                if form["kind"] == "form":
                    form["form_urn"] = ""
        elif mutation == "too_many_messages":
            start = len(messages) + 1
            chain = [f"m{k}" for k in range(start, limits.MESSAGES_PER_CONVERSATION.maximum + 2)]
            buttons.append(_button("bx-chain", "Keep going", "message", chain[0]))
            for k, mid in enumerate(chain):
                nxt = chain[k + 1] if k + 1 < len(chain) else None
                messages.append(
                    {
                        "id": mid,
                        "name": mid,
                        "kind": "text",
                        "body": "<p>One more step.</p>",
                        "form_urn": "",
                        "buttons": [_button(f"bc{k}", "Next", "message", nxt)] if nxt else [],
                    }
                )
        elif mutation == "no_target" and buttons:
            linking = [b for b in buttons if b["action"] in ("message", "lead_form")]
            if linking:
                draw(st.sampled_from(linking))["target"] = None
        elif mutation == "unreachable":
            messages.append(
                {
                    "id": "m99",
                    "name": "Lost",
                    "kind": "text",
                    "body": "<p>Lost</p>",
                    "form_urn": "",
                    "buttons": [],
                }
            )
        elif mutation == "no_exit":
            messages[0]["buttons"] = [b for b in messages[0]["buttons"] if b["action"] != "end"]
    return tree


# --- pushing a tree to the sandbox through the sync's steps ----------------------------------


def _reachable(tree: dict[str, Any]) -> set[str]:
    by_id = messages_by_id(tree)
    seen, stack = {tree["first"]}, [tree["first"]]
    while stack:
        for button in by_id[stack.pop()]["buttons"]:
            target = next_message_id(button)
            if target in by_id and target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _without_loops(tree: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The tree with every button that closes a loop ending the conversation instead, and the
    messages those buttons are on (depth first from the first message, as LinkedIn walks it)."""
    stripped = copy.deepcopy(tree)
    by_id = messages_by_id(stripped)
    state: dict[str, int] = {}
    looping: list[str] = []
    stack: list[tuple[str, int]] = [(stripped["first"], 0)]
    state[stripped["first"]] = 1
    while stack:
        node, index = stack[-1]
        buttons = by_id[node]["buttons"]
        if index >= len(buttons):
            state[node] = 2
            stack.pop()
            continue
        stack[-1] = (node, index + 1)
        target = next_message_id(buttons[index])
        if target not in by_id:
            continue
        if state.get(target) == 1:
            buttons[index] = {**buttons[index], "action": "end", "target": None}
            looping.append(node)
        elif target not in state:
            state[target] = 1
            stack.append((target, 0))
    return stripped, list(dict.fromkeys(looping))


Push = Callable[[dict[str, Any]], Rejected | None]


@pytest.fixture
def push(
    connected: LinkedInConnection,  # noqa: F811
    workspace: Workspace,
    author: User,
) -> Iterator[Push]:
    """Send a tree to the sandbox as the sync does; None when LinkedIn accepted all of it."""
    ad = cs.conversation_create(workspace=workspace, author=author, name="Property", template_key="blank")
    assert ad.current_revision is not None and ad.kind == Kind.CONVERSATION
    link = AdLinkedIn.objects.create(ad=ad)
    attempt = SyncAttempt.objects.create(
        ad=ad,
        revision=ad.current_revision,
        revision_hash=ad.current_revision.content_hash,
        status=AttemptStatus.INFLIGHT,
    )
    ledger = services.outbox._Ledger(attempt)
    api = services.client_for(workspace, observer=ledger)
    steps = dict(services.STEPS[Kind.CONVERSATION])

    def build(tree: dict[str, Any]) -> services.SyncContext:
        ctx = services.SyncContext(
            attempt=attempt,
            ad=ad,
            link=link,
            snapshot={"tree": tree},
            workspace=workspace,
            api=api,
            ledger=ledger,
        )
        for name in ("conversation", "messages", "first_message"):
            ledger.enter(name)
            steps[name](ctx)
        return ctx

    def send(tree: dict[str, Any]) -> Rejected | None:
        try:
            build(tree)
            return None
        except Rejected as error:
            if error.code != "TREE_NOT_SYNCABLE":
                return error
        # A loop: create the loop-free part, then point the buttons back up as LinkedIn would see it.
        stripped, looping = _without_loops(tree)
        try:
            build(stripped)
        except Rejected as error:
            return error
        record = ad.linkedin_conversations.get(tree_hash=payloads.conversation_tree_hash(stripped))
        resource = f"conversationAds/{quote(record.urn, safe='')}/sponsoredMessageContents"
        by_id = messages_by_id(tree)
        for mid in looping:
            body = resolve(message_body(by_id[mid]), record.messages)
            try:
                api.partial_update(resource, record.messages[mid], {"nextAction": body["nextAction"]})
            except Rejected as error:
                return error
        return None

    yield send
    getattr(ledger, "flush", lambda: None)()


# --- the properties -----------------------------------------------------------------------


@PROPERTY
@given(tree=valid_trees())
@example(tree=chain(limits.MESSAGES_PER_CONVERSATION.maximum))
def test_a_tree_the_validator_accepts_is_accepted_by_the_sandbox_and_walks_the_same(
    push: Push, tree: dict[str, Any]
) -> None:
    assert errors(tree) == []
    event(f"{len(tree['messages'])} messages")
    assert push(tree) is None
    record = LinkedInConversation.objects.exclude(urn="").get(tree_hash=payloads.conversation_tree_hash(tree))
    conversation = sandbox.Conversation.objects.get(pk=int(record.urn.rsplit(":", 1)[-1]))
    assert conversation.first_message is not None
    assert conversation.messages.count() == len(message_payloads(tree))
    assert transcripts(linkedin_tree(conversation.urn)) == transcripts(tree)


def _checked_on_sent_messages(problems: list[Problem], tree: dict[str, Any]) -> list[Problem]:
    sent = _reachable(tree)
    found = [p for p in problems if p.code in SANDBOX_CHECKED and p.message_id in sent]
    if len(sent) > limits.MESSAGES_PER_CONVERSATION.maximum:
        found += [p for p in problems if p.code == "too_many_messages"]
    return found


@PROPERTY
@given(tree=mutated_trees())
@example(tree=chain(limits.MESSAGES_PER_CONVERSATION.maximum + 1))
def test_a_tree_the_validator_rejects_is_refused_by_the_sandbox_only_for_a_reason_it_named(
    push: Push, tree: dict[str, Any]
) -> None:
    problems = errors(tree)
    codes = {p.code for p in problems}
    note(f"validator: {sorted(codes)}")
    refusal = push(tree)
    event(f"sandbox: {refusal.code if refusal else 'accepted'}")
    if refusal is None:
        # Accepted: whatever the validator found, the sandbox doesn't check on what was sent.
        assert _checked_on_sent_messages(problems, tree) == []
    else:
        note(f"sandbox: {refusal.code} {refusal.message}")
        assert reasons_for(refusal), f"unmapped refusal {refusal.code}: {refusal.message}"
        assert reasons_for(refusal) & codes, (
            f"{refusal.code} ({refusal.message}) but the validator said {codes}"
        )
