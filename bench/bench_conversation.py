"""Conversation ads at their largest: 25 messages with 5 buttons each.

Measures (targets from issue 5):
- validation plus the editor page, p95 < 80 ms;
- enumerating every path of the tree, p95 < 10 ms.

`bench/run.py` sets up Django against a benchmark database and calls `run()`.
"""

from __future__ import annotations

import time

from django.test import Client

from bench.run import percentile, report, summary, timed
from inmail_studio.accounts.models import Membership, Role, User, Workspace
from inmail_studio.ads import limits
from inmail_studio.ads.conversation import services as conversation_services
from inmail_studio.ads.conversation.tree import paths, tree_of
from inmail_studio.ads.conversation.validation import validate
from inmail_studio.ads.models import (
    Ad,
    ButtonAction,
    Conversation,
    ConversationButton,
    ConversationMessage,
    Kind,
)

ROUNDS = 100
EDITOR_P95_MS = 80.0
PATHS_P95_MS = 10.0


def largest_tree(author: User, workspace: Workspace, name: str = "Bench tree") -> Ad:
    """LinkedIn's largest conversation, 25 messages of 5 buttons: message i's first two buttons lead on
    to 2i+1 and 2i+2 where they exist, the rest leave (the editor's browser test opens the same tree)."""
    count = limits.MESSAGES_PER_CONVERSATION.maximum
    per = limits.BUTTONS_PER_MESSAGE.maximum
    ad = Ad.objects.create(workspace=workspace, author=author, kind=Kind.CONVERSATION, name=name)
    conversation = Conversation.objects.create(ad=ad)
    messages = ConversationMessage.objects.bulk_create(
        ConversationMessage(
            conversation=conversation, position=i, name=f"Step {i}",
            body=f"<p>Hi %FIRSTNAME%, question {i}: which fits <b>you</b> best?</p>",
        )
        for i in range(count)
    )  # fmt: skip
    buttons = []
    for i, message in enumerate(messages):
        for j in range(per):
            target = i * 2 + 1 + j if j < 2 else None
            if target is not None and target < count:
                buttons.append(
                    ConversationButton(
                        message=message,
                        position=j,
                        text=f"Answer {j}",
                        action=ButtonAction.MESSAGE,
                        target=messages[target],
                    )
                )
            elif j == per - 1:
                buttons.append(
                    ConversationButton(message=message, position=j, text="No thanks", action=ButtonAction.END)
                )
            else:
                buttons.append(
                    ConversationButton(
                        message=message,
                        position=j,
                        text=f"Visit {j}",
                        action=ButtonAction.WEBSITE,
                        url=f"https://example.com/{i}/{j}",
                    )
                )
    ConversationButton.objects.bulk_create(buttons)
    conversation.first_message = messages[0]
    conversation.save(update_fields=["first_message"])
    conversation_services.services.ad_content_saved(ad=ad, editor=author)
    return ad


def run() -> bool:
    workspace = Workspace.objects.create(name="Bench", slug=f"bench-conv-{time.time_ns()}")
    author = User.objects.create_user(username=f"bench-conv-{time.time_ns()}", password="bench")
    Membership.objects.create(user=author, workspace=workspace, role=Role.AUTHOR)
    ad = largest_tree(author, workspace)
    tree = tree_of(Conversation.objects.get(ad=ad))
    assert len(tree["messages"]) == 25 and all(len(m["buttons"]) == 5 for m in tree["messages"])

    client = Client()
    client.force_login(author)
    url = f"/ads/{ad.pk}/conversation/"

    def editor() -> None:
        # What a marketer waits for: the tree read and validated, the editor page rendered (it validates too).
        validate(tree_of(Conversation.objects.get(ad=ad)))
        response = client.get(url)
        assert response.status_code == 200

    editor_ms = timed(editor, repeat=ROUNDS, warmup=5)
    validate_ms = timed(lambda: validate(tree), repeat=300)
    paths_ms = timed(lambda: paths(tree), repeat=300)
    listed = paths(tree)

    ok = report(
        "validation + editor page, 25 x 5",
        summary(editor_ms),
        ok=percentile(editor_ms, 0.95) < EDITOR_P95_MS,
        target=f"p95 < {EDITOR_P95_MS:.0f} ms",
    )
    report("validation alone", summary(validate_ms))
    ok &= report(
        f"all paths ({len(listed)} paths)",
        summary(paths_ms),
        ok=percentile(paths_ms, 0.95) < PATHS_P95_MS,
        target=f"p95 < {PATHS_P95_MS:.0f} ms",
    )
    return ok
