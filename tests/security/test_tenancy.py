"""Tenancy (DESIGN.md invariant 7): another workspace's object is a 404, and ids in a form are checked too.

The first test walks every URL of the product that names an object by id, so a view added
later without a scoped lookup fails here without anyone having to remember to list it.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.conversation import services as conversation_services
from inmail_studio.ads.models import Ad, ConversationButton, ConversationMessage, Image, Persona, Sender
from inmail_studio.linkedin.models import AdLinkedIn, Campaign
from tests.conftest import GOOD_AD, client_for
from tests.test_banner import picture

from .conftest import World, app_routes

ID_ROUTES = [r for r in app_routes() if r.int_kwargs]


def test_the_sweep_sees_every_kind_of_id_the_app_takes() -> None:
    names = {r.name for r in ID_ROUTES}
    kinds = set().union(*(r.int_kwargs for r in ID_ROUTES))
    assert kinds == {"ad_id", "message_id", "link_id", "notification_id", "set_id"}
    assert {"ads:edit", "review:share_revoke", "guidance:variant_set", "linkedin:launch"} <= names


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda r: r.name)
def test_an_outsider_gets_404_for_every_object_of_another_workspace(
    route: object, method: str, world: World, outsider: User
) -> None:
    conversation = "conversation" in route.name  # type: ignore[attr-defined]
    url = reverse(route.name, kwargs=world.kwargs_for(set(route.int_kwargs), conversation=conversation))  # type: ignore[attr-defined]
    response = getattr(client_for(outsider), method)(url)
    # 405 says nothing about the object (the method is refused before any lookup).
    assert response.status_code in (404, 405), f"{method.upper()} {url} -> {response.status_code}"


@pytest.fixture
def foreign(other_workspace: Workspace, outsider: User) -> dict[str, object]:
    """Objects of the outsider's workspace whose ids a member of `workspace` might try to slip into a form."""
    sender = Sender.objects.create(
        workspace=other_workspace, urn="urn:li:person:spy", name="Other Sender", permission="approved"
    )
    banner = ad_services.banner_upload(
        workspace=other_workspace,
        uploader=outsider,
        upload=SimpleUploadedFile("b.png", picture(), content_type="image/png"),
    )
    persona = Persona.objects.create(workspace=other_workspace, label="Their persona", first_name="Secret")
    conversation = conversation_services.conversation_create(
        workspace=other_workspace, author=outsider, name="Theirs", template_key="demo-request"
    )
    campaign = Campaign.objects.create(
        workspace=other_workspace, urn="urn:li:sponsoredCampaign:999", name="Their campaign"
    )
    return {
        "sender": sender,
        "banner": banner,
        "persona": persona,
        "message": ConversationMessage.objects.filter(conversation__ad=conversation).first(),
        "campaign": campaign,
    }


def _form(ad: Ad, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {**GOOD_AD, "sender": ad.sender_id, "cta_kind": "landing_page"}
    data.update(overrides)
    return data


def test_a_draft_cannot_be_saved_with_another_workspaces_sender(
    ad: Ad, author: User, foreign: dict[str, object]
) -> None:
    response = client_for(author).post(
        reverse("ads:edit", args=[ad.pk]),
        _form(ad, sender=foreign["sender"].pk),  # type: ignore[attr-defined]
    )
    assert response.status_code == 422
    ad.refresh_from_db()
    assert ad.sender_id != foreign["sender"].pk  # type: ignore[attr-defined]


def test_a_new_draft_cannot_take_another_workspaces_sender(author: User, foreign: dict[str, object]) -> None:
    response = client_for(author).post(
        reverse("ads:new"),
        {**GOOD_AD, "cta_kind": "landing_page", "sender": foreign["sender"].pk},  # type: ignore[attr-defined]
    )
    assert response.status_code == 422
    assert not Ad.objects.filter(sender=foreign["sender"]).exists()


def test_a_draft_cannot_show_another_workspaces_banner(
    ad: Ad, author: User, foreign: dict[str, object]
) -> None:
    response = client_for(author).post(
        reverse("ads:edit", args=[ad.pk]),
        _form(ad, banner=foreign["banner"].pk),  # type: ignore[attr-defined]
    )
    assert response.status_code == 422
    ad.refresh_from_db()
    assert ad.banner_id is None


def test_the_live_preview_ignores_another_workspaces_sender_banner_and_persona(
    ad: Ad, author: User, foreign: dict[str, object]
) -> None:
    banner: Image = foreign["banner"]  # type: ignore[assignment]
    response = client_for(author).post(
        reverse("ads:preview", args=[ad.pk]),
        _form(ad, sender=foreign["sender"].pk, banner=banner.pk, persona=str(foreign["persona"].pk)),  # type: ignore[attr-defined]
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Other Sender" not in html
    assert banner.file.url not in html
    assert "Secret" not in html and "Their persona" not in html


def test_sample_members_of_another_workspace_cannot_be_edited_or_deleted_through_the_formset(
    author: User, workspace: Workspace, foreign: dict[str, object]
) -> None:
    theirs: Persona = foreign["persona"]  # type: ignore[assignment]
    ad_services.personas_ensure(workspace=workspace)
    ours = list(Persona.objects.filter(workspace=workspace))
    data: dict[str, object] = {
        "form-TOTAL_FORMS": str(len(ours) + 1),
        "form-INITIAL_FORMS": str(len(ours) + 1),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for i, persona in enumerate([*ours, theirs]):
        data.update(
            {f"form-{i}-id": persona.pk, f"form-{i}-label": f"Renamed {i}", f"form-{i}-first_name": "Mallory"}
        )
    data[f"form-{len(ours)}-DELETE"] = "on"
    client_for(author).post(reverse("ads:personas"), data)
    theirs.refresh_from_db()
    assert (theirs.label, theirs.first_name) == ("Their persona", "Secret")


def test_conversation_settings_refuse_another_workspaces_sender(
    world: World, author: User, foreign: dict[str, object]
) -> None:
    ad = world.conversation
    response = client_for(author).post(
        reverse("ads:conversation", args=[ad.pk]),
        {"name": ad.name, "subject": "Hello", "sender": foreign["sender"].pk, "footer": ""},  # type: ignore[attr-defined]
    )
    assert response.status_code == 422
    ad.refresh_from_db()
    assert ad.sender_id != foreign["sender"].pk  # type: ignore[attr-defined]


def test_a_reply_button_cannot_point_at_another_conversations_message(
    world: World, author: User, foreign: dict[str, object]
) -> None:
    message = ConversationMessage.objects.get(pk=world.message_id)
    button = message.buttons.first()
    assert button is not None
    client_for(author).post(
        reverse("ads:conversation_message", args=[world.conversation.pk, message.pk]),
        {
            "name": message.name,
            "kind": message.kind,
            "body": message.body,
            f"button-{button.pk}-text": "Yes",
            f"button-{button.pk}-action": "message",
            f"button-{button.pk}-target": foreign["message"].pk,  # type: ignore[attr-defined]
        },
    )
    button.refresh_from_db()
    assert button.target_id != foreign["message"].pk  # type: ignore[attr-defined]


def test_deleting_a_message_cannot_relink_its_buttons_to_another_conversation(
    world: World, author: User, foreign: dict[str, object]
) -> None:
    conversation = world.conversation.conversation  # type: ignore[attr-defined]
    target = ConversationButton.objects.filter(
        message__conversation=conversation, target__isnull=False
    ).first()
    assert target is not None
    doomed = target.target
    response = client_for(author).post(
        reverse("ads:conversation_message_delete", args=[world.conversation.pk, doomed.pk]),
        {"inbound": "relink", "relink_to": foreign["message"].pk},  # type: ignore[attr-defined]
    )
    # A clear refusal, never a server error and never a button that leads into someone else's ad.
    assert response.status_code == 422
    assert "Choose" in response.content.decode()
    assert ConversationMessage.objects.filter(pk=doomed.pk).exists()
    assert (
        not ConversationButton.objects.filter(target=foreign["message"])
        .exclude(
            message__conversation=foreign["message"].conversation  # type: ignore[attr-defined]
        )
        .exists()
    )


def test_an_ad_cannot_be_put_in_another_workspaces_campaign(
    ad: Ad, author: User, foreign: dict[str, object]
) -> None:
    response = client_for(author).post(
        reverse("linkedin:campaign", args=[ad.pk]),
        {"campaign": foreign["campaign"].urn},  # type: ignore[attr-defined]
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert not AdLinkedIn.objects.filter(ad=ad, campaign_urn=foreign["campaign"].urn).exists()  # type: ignore[attr-defined]


def test_a_variant_set_approval_cannot_reach_an_ad_outside_the_set(
    world: World, approver: User, make_ad: object
) -> None:
    stray = make_ad(name="Not in the set")  # type: ignore[operator]
    from inmail_studio.review import services as review_services

    review_services.submit(ad_id=stray.pk, actor=stray.author)
    stray.refresh_from_db()
    response = client_for(approver).post(
        reverse("guidance:variant_set", args=[world.set_id]),
        {
            "action": "approve",
            "ad": [str(stray.pk)],
            f"revision-{stray.pk}": stray.current_revision.content_hash,
        },
    )
    assert response.status_code == 404
    stray.refresh_from_db()
    assert stray.state == "in_review"


def test_another_users_notification_is_a_404_even_in_the_same_workspace(world: World, author: User) -> None:
    response = client_for(author).get(reverse("review:notification_open", args=[world.notification.pk]))
    assert response.status_code == 404
    world.notification.refresh_from_db()
    assert world.notification.read_at is None


def test_switching_to_a_workspace_one_is_not_a_member_of_is_a_404(
    author: User, other_workspace: Workspace
) -> None:
    client = client_for(author)
    response = client.post(reverse("ads:switch_workspace"), {"workspace": other_workspace.pk})
    assert response.status_code == 404
    assert client.session.get("workspace_id") != other_workspace.pk
