"""Who may open which page: every page as author, approver, admin, viewer, outsider and anonymous.

Members of the ad's workspace can read everything in it; only authors and admins
write (a missing role is a 403); someone from another workspace gets a 404 for
the ad, as if it did not exist; anonymous visitors are sent to sign in.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad

from .conftest import GOOD_AD, client_for

pytestmark = pytest.mark.django_db

MEMBERS = ["author", "approver", "admin_user", "viewer"]
WRITERS = {"author", "admin_user"}
EVERYONE = [*MEMBERS, "outsider", "anonymous"]


def _user(request: pytest.FixtureRequest, persona: str) -> User | None:
    return None if persona == "anonymous" else request.getfixturevalue(persona)


def _form(ad: Ad, **changes: Any) -> dict[str, Any]:
    return {
        **GOOD_AD,
        "sender": ad.sender_id,
        "cta_kind": "landing_page",
        "lead_form_urn": "",
        "banner": "",
        **changes,
    }


def _assert_login_redirect(response: Any, path: str) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=" in response["Location"]


# ---- pages about one ad: members read them, outsiders get a 404 ----

AD_PAGES = ["ads:edit", "ads:history", "ads:compare"]


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("page", AD_PAGES)
def test_an_ads_pages_open_for_members_only(
    request: pytest.FixtureRequest, ad: Ad, outsider: User, persona: str, page: str
) -> None:
    user = _user(request, persona)
    url = reverse(page, args=[ad.pk])
    response = client_for(user).get(url)
    if persona == "anonymous":
        _assert_login_redirect(response, url)
    elif persona == "outsider":
        assert response.status_code == 404
        assert "Not found" in response.content.decode()
        assert ad.name not in response.content.decode()
    else:
        assert response.status_code == 200
        assert ad.name in response.content.decode()


@pytest.mark.parametrize("persona", EVERYONE)
def test_only_authors_and_admins_can_save_an_ad(
    request: pytest.FixtureRequest, ad: Ad, outsider: User, persona: str
) -> None:
    user = _user(request, persona)
    url = reverse("ads:edit", args=[ad.pk])
    response = client_for(user).post(url, _form(ad, subject="Changed by someone"))
    ad.refresh_from_db()
    if persona == "anonymous":
        _assert_login_redirect(response, url)
    elif persona == "outsider":
        assert response.status_code == 404
    elif persona in WRITERS:
        assert response.status_code == 302
        assert response["Location"] == url
        assert ad.subject == "Changed by someone"
        return
    else:
        assert response.status_code == 403
        assert "author role" in response.content.decode()
    assert ad.subject == GOOD_AD["subject"]
    assert ad.revisions.count() == 1


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_live_preview_of_an_ad_is_for_members_of_its_workspace(
    request: pytest.FixtureRequest, ad: Ad, outsider: User, persona: str
) -> None:
    user = _user(request, persona)
    url = reverse("ads:preview", args=[ad.pk])
    response = client_for(user).post(url, _form(ad))
    if persona == "anonymous":
        _assert_login_redirect(response, url)
    elif persona == "outsider":
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert 'id="preview"' in response.content.decode()


def test_the_editor_of_a_reader_shows_the_ad_disabled_without_a_save_button(ad: Ad, viewer: User) -> None:
    html = client_for(viewer).get(reverse("ads:edit", args=[ad.pk])).content.decode()
    assert "<fieldset disabled>" in html or "<fieldset disabled" in html
    assert "data-save" not in html
    assert "can't edit it" in html


# ---- workspace pages ----


@pytest.mark.parametrize("persona", EVERYONE)
def test_a_new_ad_is_started_by_authors_and_admins(
    request: pytest.FixtureRequest, workspace: Workspace, outsider: User, persona: str
) -> None:
    user = _user(request, persona)
    url = reverse("ads:new")
    response = client_for(user).get(url)
    if persona == "anonymous":
        _assert_login_redirect(response, url)
    elif persona in WRITERS or persona == "outsider":  # the outsider is an admin of their own workspace
        assert response.status_code == 200
        assert 'id="ad-form"' in response.content.decode()
    else:
        assert response.status_code == 403
        assert "Not allowed" in response.content.decode()


@pytest.mark.parametrize("persona", ["approver", "viewer"])
def test_readers_cannot_create_an_ad_by_posting(request: pytest.FixtureRequest, ad: Ad, persona: str) -> None:
    response = client_for(request.getfixturevalue(persona)).post(reverse("ads:new"), _form(ad, name="Sneaky"))
    assert response.status_code == 403
    assert not Ad.objects.filter(name="Sneaky").exists()


@pytest.mark.parametrize("persona", EVERYONE)
def test_the_drafts_list_shows_only_the_users_workspace(
    request: pytest.FixtureRequest, ad: Ad, outsider: User, persona: str
) -> None:
    user = _user(request, persona)
    url = reverse("ads:list")
    response = client_for(user).get(url)
    if persona == "anonymous":
        _assert_login_redirect(response, url)
        return
    assert response.status_code == 200
    html = response.content.decode()
    if persona == "outsider":
        assert ad.name not in html
        assert "No drafts yet" in html
    else:
        assert ad.name in html
        assert ("New message ad" in html) == (persona in WRITERS)


@pytest.mark.parametrize("persona", EVERYONE)
@pytest.mark.parametrize("page", ["ads:personas", "ads:senders", "accounts:settings"])
def test_workspace_and_account_pages_open_for_every_signed_in_user(
    request: pytest.FixtureRequest, workspace: Workspace, outsider: User, persona: str, page: str
) -> None:
    user = _user(request, persona)
    url = reverse(page)
    response = client_for(user).get(url)
    if persona == "anonymous":
        _assert_login_redirect(response, url)
    else:
        assert response.status_code == 200


def test_senders_lists_the_workspaces_senders_and_not_anothers(ad: Ad, author: User, outsider: User) -> None:
    assert "Dana Whitfield" in client_for(author).get(reverse("ads:senders")).content.decode()
    html = client_for(outsider).get(reverse("ads:senders")).content.decode()
    assert "Dana Whitfield" not in html
    assert "No senders yet" in html


@pytest.mark.parametrize("persona", EVERYONE)
def test_banners_are_uploaded_by_authors_and_admins_only(
    request: pytest.FixtureRequest, workspace: Workspace, outsider: User, persona: str
) -> None:
    user = _user(request, persona)
    url = reverse("ads:banner")
    response = client_for(user).post(url, {})
    if persona == "anonymous":
        _assert_login_redirect(response, url)
    elif persona in WRITERS or persona == "outsider":
        assert response.status_code == 422  # allowed in, but no file chosen
        assert "Choose a 300 × 250 JPG or PNG file." in response.content.decode()
    else:
        assert response.status_code == 403


# ---- methods, CSRF, signing in and out ----


@pytest.mark.parametrize(
    "name,args", [("ads:preview_new", []), ("ads:banner", []), ("ads:switch_workspace", [])]
)
def test_post_only_endpoints_refuse_get(author: User, name: str, args: list[int]) -> None:
    assert client_for(author).get(reverse(name, args=args)).status_code == 405


def test_a_save_without_the_csrf_token_is_refused(ad: Ad, author: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    response = client.post(reverse("ads:edit", args=[ad.pk]), _form(ad, subject="Forged"))
    assert response.status_code == 403
    ad.refresh_from_db()
    assert ad.subject == GOOD_AD["subject"]


def test_a_save_with_the_csrf_token_from_the_page_goes_through(ad: Ad, author: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    url = reverse("ads:edit", args=[ad.pk])
    client.get(url)
    token = client.cookies["csrftoken"].value
    response = client.post(url, _form(ad, subject="Honest", csrfmiddlewaretoken=token))
    assert response.status_code == 302
    ad.refresh_from_db()
    assert ad.subject == "Honest"


def test_the_live_preview_needs_the_csrf_header_htmx_sends(ad: Ad, author: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    url = reverse("ads:preview", args=[ad.pk])
    assert client.post(url, _form(ad)).status_code == 403
    client.get(reverse("ads:edit", args=[ad.pk]))
    token = client.cookies["csrftoken"].value
    assert (
        client.post(url, _form(ad), headers={"X-CSRFToken": token, "HX-Request": "true"}).status_code == 200
    )


def test_sign_in_page_signs_in_and_lands_on_the_drafts(author: User) -> None:
    from .conftest import PASSWORD

    client = Client()
    assert client.get(reverse("accounts:login")).status_code == 200
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    # Through "home", which sends authors to Drafts (approvers to their review queue).
    assert client.get(response["Location"])["Location"] == reverse("ads:list")
    assert client.get(reverse("ads:list")).status_code == 200


def test_a_wrong_password_stays_on_the_sign_in_page_with_a_message(author: User) -> None:
    response = Client().post(reverse("accounts:login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_sign_in_goes_back_to_the_page_asked_for(ad: Ad, author: User) -> None:
    from .conftest import PASSWORD

    target = reverse("ads:history", args=[ad.pk])
    response = Client().post(
        f"{reverse('accounts:login')}?next={target}",
        {"username": "alice", "password": PASSWORD, "next": target},
    )
    assert response["Location"] == target


def test_sign_out_is_a_post_and_ends_the_session(author: User) -> None:
    client = client_for(author)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("ads:list")).status_code == 302


# ---- switching workspace ----


def test_a_member_of_two_workspaces_switches_between_them(
    ad: Ad, author: User, other_workspace: Workspace
) -> None:
    from .conftest import join

    join(author, other_workspace, "viewer")
    client = client_for(author)
    html = client.get(reverse("ads:list")).content.decode()
    assert 'id="workspace-select"' in html
    assert ad.name in html
    response = client.post(reverse("ads:switch_workspace"), {"workspace": other_workspace.pk})
    assert response.status_code == 302
    html = client.get(reverse("ads:list")).content.decode()
    assert ad.name not in html
    assert "Now working in Globex." in html
    # In the other workspace, the author is only a viewer.
    assert client.get(reverse("ads:new")).status_code == 403


def test_switching_to_a_workspace_you_are_not_in_is_a_404(author: User, other_workspace: Workspace) -> None:
    client = client_for(author)
    assert client.post(reverse("ads:switch_workspace"), {"workspace": other_workspace.pk}).status_code == 404
    assert client.post(reverse("ads:switch_workspace"), {"workspace": "nope"}).status_code == 404


def test_switching_workspace_from_htmx_redirects_the_client(author: User, other_workspace: Workspace) -> None:
    from .conftest import join

    join(author, other_workspace, "author")
    response = client_for(author).post(
        reverse("ads:switch_workspace"), {"workspace": other_workspace.pk}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/ads/"


# ---- error pages ----


def test_the_404_page_looks_like_the_product_and_points_back(author: User) -> None:
    response = client_for(author).get("/ads/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Not found" in html
    assert "Back to your drafts" in html
    assert 'class="topbar"' in html


def test_the_403_page_says_what_role_is_missing(viewer: User) -> None:
    response = client_for(viewer).get(reverse("ads:new"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Not allowed" in html
    assert "You need the author role in this workspace to write ads." in html
    assert "Back to your drafts" in html


def test_a_signed_in_user_without_a_workspace_gets_a_404_not_a_crash(db: None) -> None:
    from .conftest import make_user

    lonely = make_user("lonely")
    response = client_for(lonely).get(reverse("ads:list"))
    assert response.status_code == 404
