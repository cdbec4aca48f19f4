"""What changed in a conversation's tree, said in words: on the history page, the Changes page and the review diff."""

from __future__ import annotations

import pytest

from inmail_studio.accounts.models import User
from inmail_studio.ads.conversation import services as cs
from inmail_studio.ads.conversation.tree import compare_trees, in_words
from inmail_studio.ads.models import Ad, ConversationMessage
from tests.conftest import client_for
from tests.conversation.editing import save_message, update_button

pytestmark = pytest.mark.django_db


def _message(ad: Ad, name: str) -> ConversationMessage:
    return ConversationMessage.objects.get(conversation__ad=ad, name=name)


def _tree(ad: Ad, number: int) -> dict:  # type: ignore[type-arg]
    return ad.revisions.get(number=number).snapshot["tree"]


def test_adding_relinking_renaming_and_deleting_are_said_as_a_person_would(
    conversation_ad: Ad, author: User
) -> None:
    ad = conversation_ad
    added = cs.message_add(ad_id=ad.pk, editor=author, name="Pricing").message
    assert added is not None
    cs.conversation_save(ad_id=ad.pk, editor=author)  # adding waits for a save to become a revision
    assert in_words(compare_trees(_tree(ad, 1), _tree(ad, 2))) == ["Added message “Pricing”"]

    opening = _message(ad, "Invitation")
    button = opening.buttons.order_by("position").first()
    assert button is not None
    update_button(ad_id=ad.pk, editor=author, button_id=button.pk, target_id=added.pk)
    assert in_words(compare_trees(_tree(ad, 2), _tree(ad, 3))) == [
        f"Relinked “{button.text}” (on “Invitation”) to “Pricing”"
    ]

    save_message(ad_id=ad.pk, editor=author, message_id=added.pk, name="Pricing call", body="<p>Prices?</p>")
    assert in_words(compare_trees(_tree(ad, 3), _tree(ad, 4))) == [
        "Renamed message “Pricing” to “Pricing call”",
        "reworded “Pricing call”",
    ]

    cs.message_delete(ad_id=ad.pk, editor=author, message_id=added.pk)
    cs.conversation_save(ad_id=ad.pk, editor=author)
    words = in_words(compare_trees(_tree(ad, 4), _tree(ad, 5)))
    assert words == [f"Unlinked “{button.text}” (on “Invitation”)", "removed message “Pricing call”"]

    # The history page says it beside each revision; the Changes page above its table.
    history = client_for(author).get(f"/ads/{ad.pk}/history/").content.decode()
    assert "Added message “Pricing”." in history
    assert f"Relinked “{button.text}” (on “Invitation”) to “Pricing”." in history
    changes = client_for(author).get(f"/ads/{ad.pk}/conversation/changes/").content.decode()
    assert 'data-testid="tree-diff-words"' in changes and "removed message “Pricing call”" in changes


def test_a_long_list_of_changes_is_cut_short(conversation_ad: Ad) -> None:
    words = in_words(compare_trees(None, conversation_ad.current_revision.snapshot["tree"]), limit=2)  # type: ignore[union-attr]
    assert len(words) == 3 and words[-1].startswith("and ") and words[-1].endswith("more changes")
