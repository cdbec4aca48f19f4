"""Conversation ads through review: the tree's errors block submission, reviewers read every path
and the tree diff, and a share link shows the conversation a stakeholder can walk."""

from __future__ import annotations

import re

import pytest
from django.db.models import F

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.models import Ad, ButtonAction, ConversationButton, ConversationMessage, Sender, State
from inmail_studio.review import services
from inmail_studio.review.models import ShareKind
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(workspace: Workspace, author: User, sender: Sender) -> Ad:
    """The "Event invitation" template with an approved sender: no errors, ready for review."""
    ad = cs.conversation_create(
        workspace=workspace, author=author, name="Spring event", template_key="event-invitation"
    )
    cs.conversation_settings_update(
        ad_id=ad.pk,
        editor=author,
        fields={"name": ad.name, "sender": sender, "subject": ad.subject, "footer": ""},
        lead_gen=False,
    )
    ad.refresh_from_db()
    return ad


def _message(ad: Ad, name: str) -> ConversationMessage:
    return ConversationMessage.objects.get(conversation__ad=ad, name=name)


def _button(ad: Ad, text: str) -> ConversationButton:
    return ConversationButton.objects.get(message__conversation__ad=ad, text=text)


def _detach(ad: Ad, author: User, text: str) -> None:
    """Leave a button that goes to a message without a target: an error of the validator."""
    button = _button(ad, text)
    cs.button_update(
        ad_id=ad.pk, editor=author, button_id=button.pk, text=text, action=ButtonAction.MESSAGE,
        target_id=None, url="",
    )  # fmt: skip


def _hash(ad: Ad) -> str:
    ad.refresh_from_db()
    return ad.current_revision.content_hash  # type: ignore[union-attr]


# ---------------------------------------------------------------- submission


def test_a_conversation_without_errors_is_submitted_without_message_ad_fields(
    conversation: Ad, author: User
) -> None:
    assert conversation.body == "" and conversation.cta_text == "" and conversation.landing_page_url == ""
    assert services.submission_problems(conversation) == []
    services.submit(ad_id=conversation.pk, actor=author)
    conversation.refresh_from_db()
    assert conversation.state == State.IN_REVIEW


def test_a_conversation_with_a_tree_error_cannot_be_submitted_and_the_author_is_told_why(
    conversation: Ad, author: User
) -> None:
    _detach(conversation, author, "Tell me more")
    with pytest.raises(services.NotReady) as refused:
        services.submit(ad_id=conversation.pk, actor=author)
    text = " ".join(refused.value.messages)
    assert "Conversation:" in text and "Tell me more" in text
    assert "landing page" not in text and "call-to-action" not in text and "message body" not in text
    conversation.refresh_from_db()
    assert conversation.state == State.DRAFT


def test_warnings_of_the_tree_do_not_block_submission(conversation: Ad, author: User) -> None:
    agenda = _message(conversation, "Agenda")
    cs.message_update(
        ad_id=conversation.pk, editor=author, message_id=agenda.pk, name="Agenda", kind="text",
        body="<p>" + "A long agenda. " * 50 + "</p>", form_urn="",
    )  # fmt: skip
    from inmail_studio.ads.conversation.validation import validate

    conversation.refresh_from_db()
    tree = conversation.current_revision.snapshot["tree"]  # type: ignore[union-attr]
    assert [p for p in validate(tree) if not p.is_error]  # a warning is there…
    services.submit(ad_id=conversation.pk, actor=author)  # …and it doesn't block
    conversation.refresh_from_db()
    assert conversation.state == State.IN_REVIEW


def test_the_conversation_footer_is_held_to_its_own_limit_not_the_message_ads(
    conversation: Ad, author: User, sender: Sender
) -> None:
    cs.conversation_settings_update(
        ad_id=conversation.pk,
        editor=author,
        fields={"name": conversation.name, "sender": sender, "subject": conversation.subject,
                "footer": "T&Cs apply. " * 1000},
        lead_gen=False,
    )  # fmt: skip
    conversation.refresh_from_db()
    assert len(conversation.footer) > 10_000
    assert services.submission_problems(conversation) == []


def test_submitting_through_the_editor_lists_the_trees_errors_in_the_conversation_editor(
    conversation: Ad, author: User
) -> None:
    _detach(conversation, author, "Tell me more")
    client = client_for(author)
    editor = client.get(f"/ads/{conversation.pk}/conversation/").content.decode()
    assert "Submit for review" in editor  # the review panel is in the conversation editor's head
    response = client.post(f"/review/ads/{conversation.pk}/submit/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/ads/{conversation.pk}/conversation/"
    assert "Not submitted yet" in html and "Conversation:" in html


def test_a_lead_gen_conversation_without_a_form_is_refused(
    conversation: Ad, author: User, sender: Sender
) -> None:
    cs.conversation_settings_update(
        ad_id=conversation.pk,
        editor=author,
        fields={"name": conversation.name, "sender": sender, "subject": conversation.subject, "footer": ""},
        lead_gen=True,
    )
    conversation.refresh_from_db()
    problems = services.submission_problems(conversation)
    assert any("lead gen form" in p for p in problems)


# ---------------------------------------------------------------- the review page


def test_the_review_page_shows_every_path_as_a_transcript_and_no_message_ad_fields(
    conversation: Ad, author: User, approver: User
) -> None:
    services.submit(ad_id=conversation.pk, actor=author)
    html = client_for(approver).get(f"/review/ads/{conversation.pk}/").content.decode()
    assert html.count('data-testid="path"') == 9
    assert "Tell me more" in html and "The agenda:" in html
    assert "Every message is new" in html
    for message_field in ("body", "cta_kind", "cta_text", "landing_page_url", "lead_form_urn", "banner"):
        assert f'data-field="{message_field}"' not in html
        assert f'name="field_{message_field}"' not in html
    assert 'data-field="subject"' in html
    # The preview walks the reviewed revision, and each path can be walked in it.
    frame = re.search(r'<iframe name="review-preview"[^>]* src="([^"]+)"', html)
    assert frame is not None
    src = frame.group(1).replace("&amp;", "&")
    assert f"rev={conversation.current_revision.number}" in src  # type: ignore[union-attr]
    assert 'target="review-preview"' in html
    walked = client_for(approver).get(src + _button(conversation, "Tell me more").ref)
    assert walked.status_code == 200 and "The agenda:" in walked.content.decode()


def test_the_review_page_diffs_the_tree_against_the_last_approved_revision(
    conversation: Ad, author: User, approver: User
) -> None:
    services.submit(ad_id=conversation.pk, actor=author)
    services.approve(ad_id=conversation.pk, approver=approver, revision_hash=_hash(conversation))
    approved = conversation.current_revision.number  # type: ignore[union-attr]
    agenda = _message(conversation, "Agenda")
    cs.message_update(
        ad_id=conversation.pk, editor=author, message_id=agenda.pk, name="Agenda", kind="text",
        body="<p>The new agenda.</p>", form_urn="",
    )  # fmt: skip
    speakers = cs.message_add(ad_id=conversation.pk, editor=author, name="Speakers").message
    assert speakers is not None
    cs.message_update(
        ad_id=conversation.pk, editor=author, message_id=speakers.pk, name="Speakers", kind="text",
        body="<p>Meet the three practitioners.</p>", form_urn="",
    )  # fmt: skip
    cs.button_update(
        ad_id=conversation.pk, editor=author, button_id=_button(conversation, "See the speakers").pk,
        text="See the speakers", action=ButtonAction.MESSAGE, target_id=_message(conversation, "Speakers").pk,
        url="",
    )  # fmt: skip
    services.submit(ad_id=conversation.pk, actor=author)
    html = client_for(approver).get(f"/review/ads/{conversation.pk}/").content.decode()
    assert f"Changes since r{approved}, the last approved revision" in html
    assert "0 fields changed, 3 changes to messages and buttons." in html
    diff = html[html.index('data-testid="tree-diff"') :]
    diff = diff[: diff.index("</table>")]
    assert "Agenda" in diff and "The new agenda." in diff
    assert "Speakers" in diff and "added" in diff
    assert "See the speakers" in diff and "Leads to" in diff


def test_the_review_page_of_a_conversation_runs_a_constant_number_of_queries(
    conversation: Ad, workspace: Workspace, author: User, approver: User, sender: Sender
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(ad: Ad) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client_for(approver).get(f"/review/ads/{ad.pk}/").status_code == 200
        return len(captured)

    services.submit(ad_id=conversation.pk, actor=author)
    few = queries(conversation)
    big = cs.conversation_create(
        workspace=workspace, author=author, name="Autumn event", template_key="event-invitation"
    )
    cs.conversation_settings_update(
        ad_id=big.pk, editor=author, fields={"name": "Autumn event", "sender": sender, "subject": big.subject,
                                             "footer": ""}, lead_gen=False,
    )  # fmt: skip
    opening = ConversationMessage.objects.get(conversation__ad=big, conversation__first_message__pk=F("pk"))
    for i in range(8):
        cs.message_update(
            ad_id=big.pk, editor=author, message_id=opening.pk, name=opening.name, kind="text",
            body=f"<p>Hi %FIRSTNAME%, what is your role? (take {i})</p>", form_urn="",
        )  # fmt: skip
        services.comment_add(
            ad_id=big.pk, author=approver, body=f"Note {i}", field="subject" if i % 2 else ""
        )
    services.submit(ad_id=big.pk, actor=author)
    assert queries(big) == few


# ---------------------------------------------------------------- share links


def test_a_share_link_shows_the_conversation_to_walk_and_every_path(conversation: Ad, author: User) -> None:
    shared = services.share_link_create(
        ad_id=conversation.pk, creator=author, recipient="Legal", kind=ShareKind.SIGNOFF
    )
    anonymous = client_for(None)
    page = anonymous.get(f"/review/s/{shared.token}/")
    html = page.content.decode()
    assert page.status_code == 200 and "Conversation ad preview" in html
    assert html.count('data-testid="path"') == 9 and 'target="shared-preview"' in html
    assert "Spring event" not in html  # the ad's name is the workspace's, not the stakeholder's
    frame = re.search(r'<iframe name="shared-preview"[^>]* src="([^"]+)"', html)
    assert frame is not None
    src = frame.group(1).replace("&amp;", "&")
    opening = anonymous.get(src)
    assert opening.status_code == 200 and 'data-testid="conversation"' in opening.content.decode()
    assert opening["Cache-Control"] == "private, no-store"
    walked = anonymous.get(src + _button(conversation, "Tell me more").ref).content.decode()
    assert "The agenda:" in walked and 'data-testid="reply"' in walked
    assert f'href="/review/s/{shared.token}/?frame=1' in walked  # its buttons walk on through the link


def test_a_revoked_share_link_refuses_the_conversation_frame_too(conversation: Ad, author: User) -> None:
    shared = services.share_link_create(ad_id=conversation.pk, creator=author, recipient="Legal")
    services.share_link_revoke(link_id=shared.link.pk, actor=author)
    response = client_for(None).get(f"/review/s/{shared.token}/?frame=1&path=")
    assert response.status_code == 410 and "conversation" not in response.content.decode()
