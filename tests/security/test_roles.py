"""Roles: viewers write nothing; only approvers and admins approve or launch; only admins connect
LinkedIn; nobody approves their own revision. A missing role is a 403, never a 404 or a quiet 200."""

from __future__ import annotations

import pytest
from django.urls import reverse

from inmail_studio.accounts.models import Membership, Role, User, Workspace
from inmail_studio.ads.models import Ad, State
from inmail_studio.review import services as review_services
from inmail_studio.review.models import Decision
from tests.conftest import GOOD_AD, client_for

from .conftest import World, app_routes

# Every POST that changes something, with a body that would succeed for someone allowed to do it.
WRITES: dict[str, dict[str, object]] = {
    "ads:new": {**GOOD_AD, "cta_kind": "landing_page"},
    "ads:banner": {},
    "ads:personas": {"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"},
    "ads:edit": {**GOOD_AD, "cta_kind": "landing_page"},
    "ads:conversation_new": {"name": "Mine now", "template": "demo-request"},
    "ads:conversation": {"name": "Renamed", "subject": "Hi"},
    "ads:conversation_message_add": {"name": "More"},
    "ads:conversation_message": {"name": "Renamed", "kind": "text", "body": "<p>Hi</p>"},
    "ads:conversation_message_delete": {"inbound": "detach"},
    "ads:conversation_undo": {"edit": "1"},
    "ads:conversation_save": {},
    "review:decide": {"decision": "approve"},
    "review:comment": {"body": "Looks fine to me"},
    "review:submit": {},
    "review:withdraw": {},
    "review:duplicate": {},
    "review:share": {"recipient": "Legal", "kind": "preview", "days": "7"},
    "review:share_revoke": {},
    "linkedin:connect": {},
    "linkedin:account": {"account": "urn:li:sponsoredAccount:1"},
    "linkedin:refresh": {},
    "linkedin:disconnect": {},
    # Only read calls to LinkedIn, but with the workspace's connection: admins only, like a write.
    "linkedin:readiness": {},
    "linkedin:import": {},
    "linkedin:campaign": {"campaign": ""},
    "linkedin:retry": {},
    "linkedin:test_send": {},
    "linkedin:test_send_confirm": {},
    "linkedin:launch": {},
    "guidance:forecast": {"audience_size": "5000"},
    "guidance:variant_create": {"subject": "Variant subject"},
    "guidance:results": {},
    "guidance:variant_set": {"action": "approve"},
    "guidance:assumptions": {"reset": "1"},
    # The workspace admin's pages: admins only.
    "workspace:settings": {"name": "Renamed"},
    "workspace:members": {"email": "someone@example.org", "role": "author"},
    "workspace:member_role": {"role": "viewer"},
    "workspace:member_remove": {},
    "workspace:invitation_revoke": {},
    "workspace:senders": {"name": "New sender", "urn": "urn:li:person:new"},
    "workspace:sender_edit": {"name": "Renamed sender"},
    "workspace:sender_remove": {},
}
# POSTs that change nothing shared: previews, live checks, the user's own session, profile and bell.
HARMLESS_POSTS = {
    "ads:preview",
    "ads:preview_new",
    "ads:conversation_check",
    "ads:switch_workspace",
    "review:notifications",
    "accounts:settings",
    "accounts:logout",
    "accounts:login",
    "review:shared",  # the stakeholder's sign-off: the signed token is the authority (tests/security/test_share_links.py)
    "ads:presence",  # "I have this editor open": any member reading the ad, viewers included
    "workspace:join",  # accepting an invitation: the link's token is the authority (tests/workspace)
}
READS = {
    "home",
    "healthz",
    "readyz",
    "base",
    "ads:list",
    "ads:senders",
    "ads:history",
    "ads:compare",
    "ads:conversation_frame",
    "guidance:utm",  # the UTM builder: a pure function of what is typed, reads nothing stored
    "linkedin:lead_forms",  # the account's lead forms for the pickers: any member of the workspace reads them
    "ads:conversation_paths",
    "ads:conversation_changes",
    "review:queue",
    "review:mine",
    "review:detail",
    "review:timeline",
    "review:bell",
    "review:notification_open",
    "linkedin:connection",
    "linkedin:callback",
    "linkedin:panel",
    "linkedin:ledger",
    "linkedin:payload",
    "workspace:audit",
    "workspace:audit_export",
}


def test_every_url_of_the_app_is_classified_as_a_write_a_harmless_post_or_a_read() -> None:
    """A new view must be added to one of the lists above, and so to the role sweep below."""
    names = {route.name for route in app_routes()}
    unclassified = names - set(WRITES) - HARMLESS_POSTS - READS
    assert not unclassified, f"classify these in tests/security/test_roles.py: {sorted(unclassified)}"


def _url(name: str, world: World) -> str:
    route = next(r for r in app_routes() if r.name == name)
    conversation = "conversation" in name and name != "ads:conversation_new"
    return reverse(name, kwargs=world.kwargs_for(set(route.int_kwargs), conversation=conversation))


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_viewer_is_refused_every_write_with_a_403(name: str, world: World, viewer: User) -> None:
    before = Ad.objects.count(), world.ad.state, world.link.revoked_at
    response = client_for(viewer).post(_url(name, world), WRITES[name])
    assert response.status_code == 403, f"{name} -> {response.status_code}"
    world.ad.refresh_from_db()
    world.link.refresh_from_db()
    assert (Ad.objects.count(), world.ad.state, world.link.revoked_at) == before


@pytest.mark.parametrize("name", ["ads:edit", "ads:new", "ads:conversation_message_add", "review:submit"])
def test_an_approver_does_not_write_ads(name: str, world: World, approver: User) -> None:
    response = client_for(approver).post(_url(name, world), WRITES[name])
    assert response.status_code == 403


def test_an_author_cannot_approve_even_someone_elses_ad(
    world: World, workspace: Workspace, author: User
) -> None:
    other_author = User.objects.create_user("carol", password="x")
    Membership.objects.create(user=other_author, workspace=workspace, role=Role.AUTHOR)
    response = client_for(other_author).post(
        reverse("review:decide", args=[world.ad.pk]),
        {"decision": "approve", "revision": world.ad.current_revision.content_hash},  # type: ignore[union-attr]
    )
    assert response.status_code == 403
    world.ad.refresh_from_db()
    assert world.ad.state == State.IN_REVIEW


def test_an_admin_cannot_approve_a_revision_they_wrote(
    workspace: Workspace, admin_user: User, make_ad: object
) -> None:
    from inmail_studio.ads import services as ad_services

    ad = make_ad()  # type: ignore[operator]
    ad_services.ad_update(ad_id=ad.pk, editor=admin_user, fields={"subject": "Admin's own words"})
    review_services.submit(ad_id=ad.pk, actor=admin_user)
    ad.refresh_from_db()
    response = client_for(admin_user).post(
        reverse("review:decide", args=[ad.pk]),
        {"decision": "approve", "revision": ad.current_revision.content_hash},
    )
    assert response.status_code == 403
    ad.refresh_from_db()
    assert ad.state == State.IN_REVIEW
    assert not Decision.objects.filter(ad=ad).exists()


def test_an_author_cannot_launch(world: World, author: User) -> None:
    response = client_for(author).post(reverse("linkedin:launch", args=[world.ad.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["author", "approver", "viewer"])
def test_only_an_admin_connects_linkedin(
    persona: str, request: pytest.FixtureRequest, admin_user: User
) -> None:
    user = request.getfixturevalue(persona)
    assert client_for(user).post(reverse("linkedin:connect")).status_code == 403
    response = client_for(admin_user).post(reverse("linkedin:connect"))
    assert response.status_code == 302
    assert "/oauth/v2/authorization" in response["Location"]
