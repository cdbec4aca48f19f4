"""`manage.py seed_demo` loads a demo that shows off the product, and running it again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from inmail_studio.accounts.models import Membership, Role, User, Workspace
from inmail_studio.ads.models import Ad, Image, Persona, Revision, Sender

pytestmark = pytest.mark.django_db

MODELS = (User, Workspace, Membership, Sender, Image, Persona, Ad, Revision)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seeding_twice_leaves_the_same_data() -> None:
    first_output = _seed()
    after_first = _counts()
    second_output = _seed()
    assert _counts() == after_first
    assert "created" in first_output
    assert "already there" in second_output
    assert "Demo data ready." in second_output


def test_the_demo_has_three_users_three_senders_with_photos_and_a_handful_of_drafts() -> None:
    _seed()
    workspace = Workspace.objects.get(slug="acme-cloud")
    roles = dict(Membership.objects.filter(workspace=workspace).values_list("user__username", "role"))
    assert roles == {"marketer": Role.AUTHOR, "manager": Role.APPROVER, "admin": Role.ADMIN}
    senders = Sender.objects.filter(workspace=workspace)
    assert senders.count() == 3
    assert all(sender.photo for sender in senders)
    assert 4 <= Ad.objects.filter(workspace=workspace).count() <= 8
    assert Ad.objects.filter(banner__isnull=False).exists()
    assert Revision.objects.filter(number__gt=1).exists()  # a draft with history to compare


@pytest.mark.parametrize("username", ["marketer", "manager", "admin"])
def test_each_demo_user_signs_in_with_the_demo_password(username: str) -> None:
    _seed()
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": "demo"})
    assert response.status_code == 302
    assert client.get(reverse("ads:list")).status_code == 200


def test_seeding_again_keeps_what_people_changed() -> None:
    _seed()
    ad = Ad.objects.get(name="Untitled draft")
    Ad.objects.filter(pk=ad.pk).update(subject="My own subject")
    _seed()
    ad.refresh_from_db()
    assert ad.subject == "My own subject"
