"""Revisions: every save is an immutable snapshot with a content hash; history and compare show them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from inmail_studio.accounts.models import User
from inmail_studio.ads import services, snapshots
from inmail_studio.ads.models import Ad, Revision, content_hash

from .conftest import client_for

pytestmark = pytest.mark.django_db


def test_creating_an_ad_stores_revision_one_with_the_hash_of_its_snapshot(ad: Ad, author: User) -> None:
    [revision] = ad.revisions.all()
    assert revision.number == 1
    assert revision.author == author
    assert revision.snapshot == snapshots.of_ad(ad)
    assert revision.content_hash == content_hash(revision.snapshot)
    assert len(revision.content_hash) == 64
    ad.refresh_from_db()
    assert ad.current_revision == revision


def test_each_changed_save_adds_the_next_revision_and_keeps_the_old_one(ad: Ad, author: User) -> None:
    first = ad.current_revision
    assert first is not None
    result = services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "A better subject"})
    assert result.revision is not None
    assert result.revision.number == 2
    assert result.revision.snapshot["subject"] == "A better subject"
    assert result.revision.content_hash != first.content_hash
    first.refresh_from_db()
    assert first.snapshot["subject"] == "%FIRSTNAME%, a seat for our Q4 webinar?"
    ad.refresh_from_db()
    assert ad.current_revision == result.revision


def test_a_save_without_changes_writes_no_revision(ad: Ad, author: User) -> None:
    result = services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": ad.subject})
    assert result.revision is None
    assert ad.revisions.count() == 1


def test_going_back_to_earlier_content_is_a_new_revision_with_the_earlier_hash(ad: Ad, author: User) -> None:
    original = ad.subject
    services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Changed"})
    back = services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": original}).revision
    assert back is not None
    assert back.number == 3
    assert back.content_hash == Revision.objects.get(ad=ad, number=1).content_hash


def test_a_saved_revision_refuses_to_be_saved_again(ad: Ad) -> None:
    revision = ad.revisions.get()
    revision.snapshot = {**revision.snapshot, "subject": "tampered"}
    with pytest.raises(TypeError, match="immutable"):
        revision.save()
    revision.refresh_from_db()
    assert revision.snapshot["subject"] != "tampered"


def test_a_revision_refuses_to_be_deleted_alone_or_in_bulk(ad: Ad) -> None:
    revision = ad.revisions.get()
    with pytest.raises(TypeError, match="immutable"):
        revision.delete()
    with pytest.raises(TypeError, match="immutable"):
        Revision.objects.filter(ad=ad).delete()
    assert Revision.objects.filter(ad=ad).count() == 1


def test_revisions_refuse_bulk_updates(ad: Ad) -> None:
    with pytest.raises(TypeError, match="immutable"):
        Revision.objects.filter(ad=ad).update(snapshot={})


def test_the_hash_does_not_depend_on_key_order() -> None:
    assert content_hash({"a": 1, "b": [1, 2]}) == content_hash({"b": [1, 2], "a": 1})
    assert content_hash({"a": 1}) != content_hash({"a": 2})


def test_the_snapshot_holds_the_sanitized_body_never_the_raw_one(
    make_ad: Callable[..., Ad],
) -> None:
    ad = make_ad(body='<p onclick="x()">Hi<script>alert(1)</script></p>')
    snapshot = ad.revisions.get().snapshot
    assert snapshot["body"] == "<p>Hi</p>"


def test_history_lists_every_revision_newest_first_with_author_and_hash(
    ad: Ad, author: User, approver: User
) -> None:
    services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Second"})
    services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Third"})
    response = client_for(approver).get(reverse("ads:history", args=[ad.pk]))
    assert response.status_code == 200
    numbers = [r.number for r in response.context["revisions"]]
    assert numbers == [3, 2, 1]
    html = response.content.decode()
    assert "Alice Author" in html
    for revision in ad.revisions.all():
        assert revision.content_hash[:10] in html
    assert "?a=2&amp;b=3" in html


def test_compare_shows_which_fields_changed_between_two_revisions(ad: Ad, author: User) -> None:
    services.ad_update(
        ad_id=ad.pk, editor=author, fields={"subject": "New subject line", "cta_text": "Register"}
    )
    response = client_for(author).get(reverse("ads:compare", args=[ad.pk]), {"a": 1, "b": 2})
    assert response.status_code == 200
    changes = {c.field: c for c in response.context["changes"]}
    assert {f for f, c in changes.items() if c.changed} == {"subject", "cta_text"}
    assert changes["cta_text"].before == "Save my seat"
    assert changes["cta_text"].after == "Register"
    assert response.context["changed_count"] == 2
    html = response.content.decode()
    assert "2 fields changed" in html
    assert "<ins>Register</ins>" in html
    assert "<del>Save my seat</del>" in html or "<del>Save" in html


def test_compare_defaults_to_the_latest_two_and_ignores_unknown_numbers(ad: Ad, author: User) -> None:
    services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Two"})
    services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Three"})
    response = client_for(author).get(reverse("ads:compare", args=[ad.pk]), {"a": "99", "b": "x"})
    assert (response.context["before"].number, response.context["after"].number) == (2, 3)


def test_compare_escapes_what_it_shows(make_ad: Callable[..., Ad], author: User) -> None:
    ad = make_ad(name="<b>bold name</b>")
    services.ad_update(ad_id=ad.pk, editor=author, fields={"name": "<i>other</i>"})
    html = client_for(author).get(reverse("ads:compare", args=[ad.pk])).content.decode()
    assert "<i>other</i>" not in html
    assert "&lt;i&gt;other&lt;/i&gt;" in html
