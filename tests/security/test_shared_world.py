"""The sweeps' world is built once and kept for the tests that use it (conftest.py): each of them must
still find it as it was built, and no other test may find it at all. The tests run in this order."""

from __future__ import annotations

from django.utils import timezone

from inmail_studio.accounts.models import User
from inmail_studio.ads.models import Ad, State
from inmail_studio.review.models import ShareLink
from tests.conftest import GOOD_AD

from .conftest import World


def test_the_personas_are_the_worlds_own(world: World, author: User, ad: Ad) -> None:
    assert ad is world.ad
    assert ad.author_id == author.pk
    assert ad.state == State.IN_REVIEW


def test_a_test_may_change_the_world(world: World) -> None:
    Ad.objects.filter(pk=world.ad.pk).update(name="Changed by one test")
    world.ad.name = "Changed in memory"
    ShareLink.objects.filter(pk=world.link.pk).update(revoked_at=timezone.now())


def test_the_next_test_finds_the_world_as_it_was_built(world: World) -> None:
    assert Ad.objects.get(pk=world.ad.pk).name == GOOD_AD["name"]
    assert world.ad.name == GOOD_AD["name"]
    world.link.refresh_from_db()
    assert world.link.revoked_at is None


def test_a_test_without_the_world_finds_an_empty_database(db: None) -> None:
    assert not Ad.objects.exists()
    assert not User.objects.exists()
