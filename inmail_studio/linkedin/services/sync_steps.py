"""The idempotent steps of a sync, in order per kind of ad; each skips what LinkedIn already holds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.utils import timezone

from inmail_studio.accounts.models import Workspace
from inmail_studio.ads.models import Ad, Kind
from inmail_studio.linkedin import payloads, restli
from inmail_studio.linkedin.client import (
    LinkedIn,
    Rejected,
    Transient,
)
from inmail_studio.linkedin.models import (
    AdLinkedIn,
    ConversationStatus,
    LinkedInConnection,
    LinkedInConversation,
    SyncAttempt,
)
from inmail_studio.linkedin.payloads.conversation_messages import (
    TreeNotSyncable,
    first_message_ref,
    message_payloads,
    resolve,
)
from inmail_studio.linkedin.services.connection import _account_path
from inmail_studio.linkedin.services.outbox import _Ledger


@contextmanager
def undone_unless_lost(undo: Callable[[], object]) -> Iterator[None]:
    """Around a create whose progress was marked before the call: when LinkedIn answered with a refusal
    or an error (nothing was created), `undo` takes the mark back; when the answer was lost (the request
    left, no answer came), the mark stays, so the next try knows LinkedIn may hold what it created.
    The error goes on up either way."""
    try:
        yield
    except Transient as error:
        if not error.answer_lost:
            undo()
        raise
    except Rejected:
        undo()
        raise


@dataclass
class SyncContext:
    attempt: SyncAttempt
    ad: Ad
    link: AdLinkedIn
    snapshot: dict[str, Any]
    workspace: Workspace
    api: LinkedIn
    ledger: _Ledger
    # The ad's LinkedInConversation rows, newest first, read once per run (`_conversations`); the
    # steps change these objects as they write them, so they stay what the table holds.
    conversations: list[LinkedInConversation] | None = None
    # The inMailContent was created by this run: its URN was only ever answered to this run (and the
    # lease keeps every other run out), so no creative can refer to it yet.
    content_is_new: bool = False


def _step_banner(ctx: SyncContext) -> None:
    """Upload the banner first (initializeUpload, then PUT), unless this very image is on LinkedIn already."""
    banner = ctx.snapshot.get("banner")
    if not banner or ctx.link.image_sha256 == banner["sha256"]:
        return
    from inmail_studio.ads.models import Image

    image = Image.objects.get(pk=banner["id"])
    account = ctx.workspace.ad_account_urn
    owner = image_owner(ctx.api, account, ctx.workspace.pk)
    answer = ctx.api.action(
        "images",
        "initializeUpload",
        payloads.image_upload(owner=owner, account_urn=account, name=image_name(image)),
    )
    with image.file.open("rb") as handle:
        data = handle.read()
    ctx.api.upload(
        answer["uploadUrl"], data, content_type="image/jpeg" if image.format == "JPEG" else "image/png"
    )
    ctx.link.image_urn, ctx.link.image_sha256 = str(answer["image"]), banner["sha256"]
    ctx.ledger.save(ctx.link, ["image_urn", "image_sha256"])


def image_owner(api: LinkedIn, account_urn: str, workspace_id: int) -> str:
    """Who owns an ad's image (contract R14): the organization the ad account belongs to (its
    `reference`, R08), else the connected member; the account goes in mediaLibraryMetadata."""
    account = api.get("adAccounts", restli.numeric_id(account_urn))
    reference = str((account or {}).get("reference") or "")
    if reference.startswith(("urn:li:organization:", "urn:li:person:")):
        return reference
    connection = LinkedInConnection.objects.filter(workspace_id=workspace_id).first()
    if connection is not None and connection.member_urn:
        return connection.member_urn
    raise Rejected(
        422,
        "NO_IMAGE_OWNER",
        "LinkedIn names no organization for this ad account and the connected member is unknown; "
        "a workspace admin must reconnect LinkedIn (with openid) before a banner can be uploaded.",
    )


def image_name(image: Any) -> str:
    """The asset name shown in LinkedIn's media library: the name the file was uploaded under."""
    return (str(image.original_name or "") or f"banner-{image.sha256[:12]}")[:200]


def _step_content(ctx: SyncContext) -> None:
    """Create the inMailContent, or bring the existing one to this revision by PARTIAL_UPDATE.

    inMailContents has no finder, so a create whose answer was lost can't be found again:
    it is recorded in the ledger as orphaned (nothing references it) and created anew.
    """
    image_urn = ctx.link.image_urn if ctx.snapshot.get("banner") else None
    account = ctx.workspace.ad_account_urn
    if ctx.link.content_urn:
        ctx.api.partial_update(
            "inMailContents",
            ctx.link.content_urn,
            payloads.content_update(ctx.snapshot, account_urn=account, image_urn=image_urn),
        )
        return
    _create_content(ctx, payloads.content(ctx.snapshot, account_urn=account, image_urn=image_urn))


def _create_content(ctx: SyncContext, body: dict[str, Any]) -> str:
    """Create the inMailContent, keeping track of creates whose answer may have been lost.

    The row is marked uncertain before the call; only a request that left and got no answer
    at all leaves the mark, so the next try notes the possible orphan in the ledger.
    """
    if ctx.link.content_create_uncertain:
        ctx.ledger.note(
            "An earlier create of this ad's message content lost its answer. LinkedIn may hold an "
            "unused copy (orphaned, never referenced by a creative); it is created again."
        )
    was = ctx.link.content_create_uncertain

    def mark(uncertain: bool) -> None:
        ctx.link.content_create_uncertain = uncertain
        ctx.ledger.save(ctx.link, ["content_create_uncertain"])

    mark(True)
    with undone_unless_lost(partial(mark, was)):
        urn = ctx.api.create("inMailContents", body, urn_type="adInMailContent")
    ctx.link.content_urn, ctx.link.content_create_uncertain = urn, False
    ctx.ledger.save(ctx.link, ["content_urn", "content_create_uncertain"])
    ctx.content_is_new = True
    return urn


def _find_creative(ctx: SyncContext, campaign_urn: str) -> str | None:
    elements = ctx.api.search(
        _account_path(ctx.workspace, "creatives"),
        "criteria",
        {"campaigns": [campaign_urn], "contentReferences": [ctx.link.content_urn]},
    )
    for element in elements:
        if (element.get("content") or {}).get("reference") == ctx.link.content_urn:
            return str(element["id"])
    return None


def _step_creative(ctx: SyncContext) -> None:
    """A DRAFT creative in the chosen campaign, never a second one: look it up before creating,
    unless this run has just created the content (no creative can refer to it yet: the lookup
    would be a third of the sync's calls to LinkedIn, answered empty every time)."""
    campaign = ctx.link.campaign_urn
    if ctx.link.creative_urn and ctx.link.creative_campaign_urn == campaign:
        return
    urn = None if ctx.content_is_new else _find_creative(ctx, campaign)
    if urn:
        ctx.ledger.note(f"Found the creative {urn} already in the campaign; not creating another.")
    else:
        urn = ctx.api.create(
            _account_path(ctx.workspace, "creatives"),
            payloads.creative(
                campaign_urn=campaign,
                content_urn=ctx.link.content_urn,
                name=payloads.creative_name(ad_id=ctx.ad.pk, ad_name=ctx.snapshot.get("name", "")),
                snapshot=ctx.snapshot,
            ),
            urn_type="sponsoredCreative",
        )
    ctx.link.creative_urn, ctx.link.creative_campaign_urn = urn, campaign
    ctx.ledger.save(ctx.link, ["creative_urn", "creative_campaign_urn"])


def _conversation_tree(ctx: SyncContext) -> tuple[dict[str, Any], str]:
    """The revision's tree and its hash, or a rejection a marketer can act on (never reaches LinkedIn)."""
    tree = ctx.snapshot.get("tree") or {}
    try:
        return tree, payloads.conversation_tree_hash(tree)
    except TreeNotSyncable as error:
        raise Rejected(
            422, "TREE_NOT_SYNCABLE", f"The conversation can't be sent to LinkedIn: {error}"
        ) from error


def _conversations(ctx: SyncContext) -> list[LinkedInConversation]:
    """The ad's conversation records, newest first: one query per run (the attempt's lease keeps any
    other run from writing them meanwhile)."""
    if ctx.conversations is None:
        ctx.conversations = list(LinkedInConversation.objects.filter(ad=ctx.ad).order_by("-pk"))
    return ctx.conversations


def _conversation_current(ctx: SyncContext, tree_hash: str) -> LinkedInConversation | None:
    """The conversation holding this very tree that the sync builds on (None before it is created)."""
    for record in _conversations(ctx):
        if record.tree_hash == tree_hash and record.urn and record.status != ConversationStatus.ORPHANED:
            return record
    return None


def _conversation_orphan(ctx: SyncContext, record: LinkedInConversation, why: str) -> None:
    ctx.ledger.note(why)
    record.status, record.note = ConversationStatus.ORPHANED, why
    ctx.ledger.save(record, ["status", "note"])


def _step_conversation(ctx: SyncContext) -> None:
    """Create the sponsoredConversation for this tree, unless a conversation with this tree exists.

    A create whose answer was lost can't be looked up (no finder): the row it left is recorded
    as an orphan (LinkedIn may hold an empty, unused conversation) and a new one is created.
    An unfinished conversation of another tree is orphaned too: its messages can't be changed.
    """
    _, tree_hash = _conversation_tree(ctx)
    unfinished = (ConversationStatus.CREATING, ConversationStatus.BUILDING)
    for record in [r for r in _conversations(ctx) if r.status in unfinished]:
        if record.status == ConversationStatus.CREATING:
            _conversation_orphan(
                ctx,
                record,
                "An earlier create of the conversation lost its answer and LinkedIn offers no way to look "
                "conversations up. LinkedIn may hold an empty conversation from it (orphaned: no message, "
                "never referenced by an ad); a new conversation is created.",
            )
        elif record.tree_hash != tree_hash:
            _conversation_orphan(
                ctx,
                record,
                f"The conversation {record.urn} was left unfinished for an earlier revision; it stays on "
                "LinkedIn unused (conversations can't be deleted) and this revision gets its own.",
            )
    if _conversation_current(ctx, tree_hash) is not None:
        return
    record = LinkedInConversation.objects.create(ad=ctx.ad, attempt=ctx.attempt, tree_hash=tree_hash)
    with undone_unless_lost(record.delete):
        urn = ctx.api.create(
            "conversationAds",
            payloads.conversation(account_urn=ctx.workspace.ad_account_urn),
            urn_type="sponsoredConversation",
        )
    ctx.ledger.note(f"Created the conversation {urn}.")
    record.urn, record.status = urn, ConversationStatus.BUILDING
    ctx.ledger.save(record, ["urn", "status"])
    _conversations(ctx).insert(0, record)


def _messages_resource(conversation_urn: str) -> str:
    return f"conversationAds/{restli.key(conversation_urn)}/sponsoredMessageContents"


def _messages_on_linkedin(ctx: SyncContext, conversation_urn: str) -> list[dict[str, Any]]:
    """Every message of a conversation (GET_ALL, index paging; contract R33)."""
    return ctx.api.get_all(_messages_resource(conversation_urn))


def _message_urn(conversation_urn: str, value: str) -> str:
    """A message's URN from a batch answer's id, which may be the bare number M."""
    return f"urn:li:sponsoredMessageContent:({conversation_urn},{value})" if value.isdigit() else value


def _lost_and_found(
    on_linkedin: list[dict[str, Any]], body: dict[str, Any], urns: dict[str, str]
) -> str | None:
    """The URN of a message LinkedIn created from `body` whose answer was lost, if it exists.

    Identical messages (two "Thanks!" leaves) are interchangeable, so any match not yet claimed
    by another message of the tree will do.
    """
    wanted = payloads.message_identity(body)
    claimed = set(urns.values())
    for element in on_linkedin:
        urn = str(element.get("id", ""))
        if urn and urn not in claimed and payloads.message_identity(element) == wanted:
            return urn
    return None


def _step_messages(ctx: SyncContext) -> None:
    """Create the messages leaves first, in BATCH_CREATE calls (contract R31): each batch holds the
    messages whose buttons point only at messages LinkedIn already holds.

    The batch in flight is recorded (`pending_ref = "batch:N"`) before the call; when its answer
    was lost, the next try looks each of its messages up among the conversation's messages before
    creating what is still missing, so a retry never leaves duplicates.
    """
    tree, tree_hash = _conversation_tree(ctx)
    record = _conversation_current(ctx, tree_hash)
    if record is None:  # pragma: no cover - the conversation step ran just before
        raise Transient("The conversation isn't created yet.", sent=False)
    if record.status in (ConversationStatus.READY, ConversationStatus.REPLACED):
        return
    names = {m["id"]: m.get("name") or m["id"] for m in tree.get("messages", [])}
    urns: dict[str, str] = dict(record.messages)
    resource = _messages_resource(record.urn)
    # URNs learned from a batch are written with the next batch's marker, in one statement, before
    # that batch leaves; after the last batch, on their own.
    unsaved = False
    for number, batch in enumerate(payloads.message_batches(message_payloads(tree))):
        todo = [item for item in batch if item.ref not in urns]
        if not todo:
            continue
        marker = f"batch:{number}"
        if record.pending_ref == marker:
            on_linkedin = _messages_on_linkedin(ctx, record.urn)
            still = []
            for item in todo:
                found = _lost_and_found(on_linkedin, resolve(item.body, urns), urns)
                if found:
                    urns[item.ref] = found
                    ctx.ledger.note(
                        f"“{names.get(item.ref)}” was created before but its answer was lost; found it as "
                        f"{found}, not creating another."
                    )
                else:
                    still.append(item)
            record.messages = dict(urns)
            todo = still
            if not todo:
                record.pending_ref = ""
                ctx.ledger.save(record, ["messages", "pending_ref"])
                unsaved = False
                continue
        bodies = [resolve(item.body, urns) for item in todo]
        record.messages, record.pending_ref = dict(urns), marker
        ctx.ledger.save(record, ["messages", "pending_ref"])

        def unmark() -> None:
            record.pending_ref = ""
            ctx.ledger.save(record, ["pending_ref"])

        with undone_unless_lost(unmark):
            created = ctx.api.batch_create(resource, bodies)
        for item, value in zip(todo, created, strict=True):
            urns[item.ref] = _message_urn(record.urn, value)
            ctx.ledger.note(f"Created “{names.get(item.ref)}” ({item.ref}) as {urns[item.ref]}.")
        record.messages, record.pending_ref = dict(urns), ""
        unsaved = True
    if unsaved:
        ctx.ledger.save(record, ["messages", "pending_ref"])


def _step_first_message(ctx: SyncContext) -> None:
    """Point the conversation at its first message (PARTIAL_UPDATE, harmless to repeat); it is then ready."""
    tree, tree_hash = _conversation_tree(ctx)
    record = _conversation_current(ctx, tree_hash)
    if record is None or record.status in (ConversationStatus.READY, ConversationStatus.REPLACED):
        return
    first_urn = record.messages[first_message_ref(tree)]
    if record.first_message_urn != first_urn:
        ctx.api.partial_update("conversationAds", record.urn, {"firstMessageContent": first_urn})
    record.first_message_urn, record.status = first_urn, ConversationStatus.READY
    ctx.ledger.save(record, ["first_message_urn", "status"])


def _step_conversation_content(ctx: SyncContext) -> None:
    """Create the inMailContent whose guidedReplies hold the conversation, or point the existing one at it.

    As for message ads, a create whose answer was lost can't be found again (no finder): it is
    recorded as orphaned and created anew. Once the content points at this conversation, any
    earlier one is recorded as replaced (it stays on LinkedIn, unused).
    """
    _, tree_hash = _conversation_tree(ctx)
    record = _conversation_current(ctx, tree_hash)
    if record is None:  # pragma: no cover - the conversation step ran just before
        raise Transient("The conversation isn't created yet.", sent=False)
    image_urn = ctx.link.image_urn if ctx.snapshot.get("banner") else None
    account = ctx.workspace.ad_account_urn
    if ctx.link.content_urn:
        ctx.api.partial_update(
            "inMailContents",
            ctx.link.content_urn,
            payloads.conversation_content_update(
                ctx.snapshot, account_urn=account, conversation_urn=record.urn, image_urn=image_urn
            ),
        )
    else:
        urn = _create_content(
            ctx,
            payloads.conversation_content(
                ctx.snapshot, account_urn=account, conversation_urn=record.urn, image_urn=image_urn
            ),
        )
        ctx.ledger.note(f"Created the message content {urn} for the conversation {record.urn}.")
    if record.status == ConversationStatus.REPLACED:  # an earlier tree came back: its conversation is reused
        record.status, record.replaced_at = ConversationStatus.READY, None
        ctx.ledger.save(record, ["status", "replaced_at"])
    earlier = [r for r in _conversations(ctx) if r.status == ConversationStatus.READY and r.pk != record.pk]
    for old in earlier:
        ctx.ledger.note(
            f"The ad now uses the conversation {record.urn}; the earlier {old.urn} stays on LinkedIn "
            "unused (LinkedIn can't delete conversations or messages)."
        )
        old.status, old.replaced_at = ConversationStatus.REPLACED, timezone.now()
        ctx.ledger.save(old, ["status", "replaced_at"])


# The steps of a sync, per kind of ad, in order. Each is idempotent given what AdLinkedIn records.
STEPS: dict[str, tuple[tuple[str, Callable[[SyncContext], None]], ...]] = {
    Kind.MESSAGE: (("banner", _step_banner), ("content", _step_content), ("creative", _step_creative)),
    Kind.CONVERSATION: (
        ("banner", _step_banner),
        ("conversation", _step_conversation),
        ("messages", _step_messages),
        ("first_message", _step_first_message),
        ("content", _step_conversation_content),
        ("creative", _step_creative),
    ),
}
