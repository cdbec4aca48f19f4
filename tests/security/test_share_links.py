"""Share links beyond tests/review/test_share_links.py: one revision and nothing else, for conversation
ads too, after edits, to signed-in strangers; tokens signed for anything else are refused."""

from __future__ import annotations

from django.core import signing
from django.test import Client
from django.urls import reverse

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.conversation import services as conversation_services
from inmail_studio.ads.models import Ad, ConversationMessage
from inmail_studio.review import services
from tests.conftest import client_for


def _shared(token: str, query: str = "", client: Client | None = None) -> str:
    response = (client or Client()).get(reverse("review:shared", args=[token]) + query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_link_keeps_showing_the_revision_it_was_made_for_after_the_draft_changes(
    ad: Ad, author: User
) -> None:
    shared = services.share_link_create(ad_id=ad.pk, creator=author, recipient="Legal")
    ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "A brand new unreleased subject"})
    html = _shared(shared.token)
    assert "a seat for our Q4 webinar?" in html
    assert "brand new unreleased" not in html


def test_a_conversation_link_walks_only_the_shared_revision_and_shows_nothing_of_the_workspace(
    workspace: Workspace, author: User
) -> None:
    workspace.name = "Zebra Holdings Internal"
    workspace.save()
    ad = conversation_services.conversation_create(
        workspace=workspace, author=author, name="Internal codename Falcon", template_key="demo-request"
    )
    shared = services.share_link_create(ad_id=ad.pk, creator=author, recipient="Legal")
    first = ConversationMessage.objects.filter(conversation__ad=ad).first()
    assert first is not None
    conversation_services.message_update(
        ad_id=ad.pk, editor=author, message_id=first.pk, name=first.name, kind="text",
        body="<p>Unreleased pricing: 40% off</p>", form_urn="",
    )  # fmt: skip
    for query in ("", "?frame=1", "?frame=1&path=b1.b2.b3"):
        html = _shared(shared.token, query)
        assert "Unreleased pricing" not in html
        assert "Falcon" not in html and "Zebra Holdings" not in html and author.display_name not in html
        assert "/ads/" not in html and "/review/ads/" not in html


def test_a_signed_in_stranger_sees_the_preview_but_nothing_of_the_sharing_workspace(
    ad: Ad, author: User, outsider: User
) -> None:
    ad.workspace.name = "Zebra Holdings Internal"
    ad.workspace.save()
    shared = services.share_link_create(ad_id=ad.pk, creator=author, recipient="Legal")
    html = _shared(shared.token, client=client_for(outsider))
    assert ad.workspace.name not in html and ad.name not in html
    assert f"/ads/{ad.pk}/" not in html


def test_a_token_signed_for_something_else_is_refused(ad: Ad, author: User) -> None:
    shared = services.share_link_create(ad_id=ad.pk, creator=author, recipient="Legal")
    payload = {"l": shared.link.pk, "r": ad.current_revision.content_hash}  # type: ignore[union-attr]
    for forged in (
        signing.dumps(payload),
        signing.dumps(payload, salt="inmail_studio.other"),
        shared.token[:-2],
    ):
        response = Client().get(reverse("review:shared", args=[forged]))
        assert response.status_code == 404
        assert b"a seat for our Q4 webinar" not in response.content


def test_share_pages_are_neither_cached_indexed_nor_leaked_in_a_referer(ad: Ad, author: User) -> None:
    shared = services.share_link_create(ad_id=ad.pk, creator=author, recipient="Legal")
    for token in (shared.token, "not-a-token"):
        response = Client().get(reverse("review:shared", args=[token]))
        assert response["Referrer-Policy"] == "same-origin"  # the token never leaves in a Referer
        assert "no-store" in response["Cache-Control"]
        assert "noindex" in response["X-Robots-Tag"]


def test_a_viewer_sees_the_links_but_not_their_tokens(ad: Ad, author: User, viewer: User) -> None:
    """A sign-off token lets its holder send the ad back to draft: a viewer, who may not act, never sees one."""
    shared = services.share_link_create(ad_id=ad.pk, creator=author, recipient="Legal", kind="signoff")
    html = client_for(viewer).get(reverse("review:share", args=[ad.pk])).content.decode()
    assert "Legal" in html
    assert shared.token not in html
    assert reverse("review:share_revoke", args=[shared.link.pk]) not in html
    author_html = client_for(author).get(reverse("review:share", args=[ad.pk])).content.decode()
    assert shared.token in author_html
