"""The walkable inbox preview (saved, or the unsaved edits), every path, and the tree's changes between revisions."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from inmail_studio.ads import limits, preview, selectors, snapshots
from inmail_studio.ads.conversation.tree import compare_trees, path_to, paths, tree_of
from inmail_studio.ads.models import (
    Ad,
    Conversation,
    Image,
    Kind,
    Sender,
)
from inmail_studio.ads.preview_choice import Session, preview_choice, preview_members
from inmail_studio.ads.sanitize import sanitize_body
from inmail_studio.http import HtmxHttpRequest, frameable_by_self, small_int
from inmail_studio.studio.conversation.access import conversation_ad
from inmail_studio.studio.conversation.editor import tree_with_form


def _unsaved_frame(request: HtmxHttpRequest, ad: Ad, conversation: Conversation) -> HttpResponse:
    """The inbox as the editor's forms hold it now, unsaved: the open message (`message`, its fields
    as the message form posts them) and the details being typed (subject, sender). Nothing is saved;
    the posted body is sanitized as a save would, and is bounded like the live check's."""
    data = request.POST
    tree = tree_of(conversation)
    message = conversation.messages.filter(pk=small_int(data.get("message")) or 0).first()
    ref = None
    if message is not None:
        ref = message.ref
        tree = tree_with_form(tree, message.ref, data)
        for item in tree["messages"]:
            if item["id"] == ref and item["body"]:
                item["body"] = sanitize_body(item["body"])
    sender = ad.sender
    if "sender" in data:
        sender = Sender.objects.filter(
            workspace_id=ad.workspace_id, pk=small_int(data.get("sender")) or 0
        ).first()
    subject = data.get("subject", ad.subject)[: limits.SUBJECT.maximum * 2]
    banner = ad.banner
    if "banner" in data:
        banner = Image.objects.filter(
            workspace_id=ad.workspace_id, pk=small_int(data.get("banner")) or 0
        ).first()
    snapshot = snapshots.build(
        kind=Kind.CONVERSATION, name=ad.name, sender=sender, subject=subject, footer=ad.footer,
        banner=banner, tree=tree,
    )  # fmt: skip
    member, device = preview_choice(
        request, preview_members(ad.workspace_id), default_device="mobile", from_post=True
    )
    walk_url = f"{reverse('ads:conversation_frame', args=[ad.pk])}?persona={member.key}&device={device}&path="
    path = path_to(tree, ref) if ref else []
    return HttpResponse(preview.render_document(snapshot, member, device, path=path, walk_url=walk_url))


@login_required
@frameable_by_self
@require_http_methods(["GET", "POST"])
def conversation_frame(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """The inbox document for the preview frame at one step of a walk (`?path=b1.b4`).

    Reply buttons in it are plain links back to this view with one more button on the
    path, so the walk works inside a sandboxed frame where no script runs. POST draws the
    unsaved edits instead (the editor's live preview), at the open message.
    """
    ad, _, conversation = conversation_ad(request, ad_id)
    if request.method == "POST":
        return _unsaved_frame(request, ad, conversation)
    revision = ad.current_revision
    number = small_int(request.GET.get("rev"))
    if number is not None:
        revision = get_object_or_404(ad.revisions, number=number)
    if revision is None:
        raise Http404("No revision yet.")
    member, device = preview_choice(request, preview_members(ad.workspace_id), default_device="mobile")
    path = [p for p in request.GET.get("path", "").split(".") if p]
    base = reverse("ads:conversation_frame", args=[ad.pk])
    rev = f"rev={number}&" if number is not None else ""
    walk_url = f"{base}?{rev}persona={member.key}&device={device}&path="
    return HttpResponse(
        preview.render_document(revision.snapshot, member, device, path=path, walk_url=walk_url)
    )


@login_required
def conversation_paths(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """Every path of a revision as transcripts (the current one unless `?rev=`), as a page."""
    ad, membership, _ = conversation_ad(request, ad_id)
    revision = ad.current_revision
    number = small_int(request.GET.get("rev"))
    if number is not None:
        revision = get_object_or_404(ad.revisions, number=number)
    tree = revision.snapshot.get("tree", {}) if revision else {}
    frame_url = reverse("ads:conversation_frame", args=[ad.pk])
    if request.htmx:
        # The editor's "All paths" panel: walk links drive the editor's own preview frame.
        member, device = preview_choice(
            request, preview_members(ad.workspace_id), default_device="mobile", session=Session.REMEMBER
        )
        return render(
            request,
            "ads/conversation/_paths.html",
            {
                "paths": paths(tree),
                "frame_base": f"{frame_url}?persona={member.key}&device={device}&path=",
                "frame_name": "conv-preview",
            },
        )
    return render(
        request,
        "ads/conversation/paths.html",
        {
            "ad": ad,
            "revision": revision,
            "paths": paths(tree),
            "frame_base": f"{frame_url}?{'rev=' + str(number) + '&' if number else ''}path=",
            "membership": membership,
        },
    )


@login_required
def conversation_changes(request: HtmxHttpRequest, ad_id: int) -> HttpResponse:
    """Messages and buttons added, removed and changed between two revisions (`?a=&b=`)."""
    ad, _, _ = conversation_ad(request, ad_id)
    revisions = {r.number: r for r in selectors.revisions_of(ad)}
    if not revisions:
        return redirect("ads:history", ad.pk)
    newest = max(revisions)
    b = revisions.get(small_int(request.GET.get("b")) or newest) or revisions[newest]
    a = (
        revisions.get(small_int(request.GET.get("a")) or max(b.number - 1, min(revisions)))
        or revisions[min(revisions)]
    )
    return render(
        request,
        "ads/conversation/changes.html",
        {
            "ad": ad,
            "before": a,
            "after": b,
            "tree_changes": compare_trees(a.snapshot.get("tree"), b.snapshot.get("tree")),
            "revisions": sorted(revisions.values(), key=lambda r: -r.number),
        },
    )
