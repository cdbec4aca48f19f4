"""Share links: signed, expiring, revocable, one revision only, nothing else of the workspace."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from inmail_studio.accounts.models import User
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import Ad, State
from inmail_studio.review import services
from inmail_studio.review.models import AuditEvent, ShareKind, ShareLink
from tests.conftest import client_for


def _link(ad: Ad, user: User, kind: str = ShareKind.PREVIEW) -> services.SharedLink:
    return services.share_link_create(ad_id=ad.pk, creator=user, recipient="Maria from Legal", kind=kind)


def _url(token: str) -> str:
    return f"/review/s/{token}/"


def test_a_share_link_shows_the_revision_preview_and_nothing_else_of_the_workspace(
    ad: Ad, author: User
) -> None:
    ad.workspace.name = "Zebra Holdings Internal"  # a name the ad's own content doesn't mention
    ad.workspace.save()
    shared = _link(ad, author)
    response = client_for(None).get(_url(shared.token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "a seat for our Q4 webinar?" in html  # the subject, inside the preview document
    assert ad.name not in html  # the internal ad name
    assert ad.workspace.name not in html
    assert author.display_name not in html
    assert "/ads/" not in html and "/review/ads/" not in html
    assert response["Referrer-Policy"] == "same-origin"  # never off-site; a real Origin on its own posts
    assert "no-store" in response["Cache-Control"]


def test_an_expired_link_is_refused(ad: Ad, author: User) -> None:
    shared = _link(ad, author)
    ShareLink.objects.filter(pk=shared.link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client_for(None).get(_url(shared.token))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_revoked_link_is_refused(ad: Ad, author: User) -> None:
    shared = _link(ad, author)
    assert client_for(author).post(f"/review/share-links/{shared.link.pk}/revoke/").status_code == 302
    response = client_for(None).get(_url(shared.token))
    assert response.status_code == 410
    assert "revoked" in response.content.decode()
    assert AuditEvent.objects.filter(ad=ad, action="share_link_revoked").exists()


def test_a_tampered_signature_is_refused(ad: Ad, author: User) -> None:
    shared = _link(ad, author)
    tampered = shared.token[:-3] + ("AAA" if not shared.token.endswith("AAA") else "BBB")
    assert client_for(None).get(_url(tampered)).status_code == 404
    forged = signing.dumps({"l": shared.link.pk, "r": "0" * 64}, salt="another salt")
    assert client_for(None).get(_url(forged)).status_code == 404


def test_a_token_for_one_revision_is_refused_on_another(ad: Ad, author: User) -> None:
    first = _link(ad, author)
    ad_services.ad_update(ad_id=ad.pk, editor=author, fields={"subject": "Second revision"})
    second = _link(ad, author)
    # A correctly signed token naming the first link with the second revision's hash.
    mixed = signing.Signer(salt="inmail_studio.review.share").sign_object(
        {"l": first.link.pk, "r": second.link.revision.content_hash}, compress=True
    )
    response = client_for(None).get(_url(mixed))
    assert response.status_code == 404
    # And the first link keeps showing the first revision, not the draft as it is now.
    html = client_for(None).get(_url(first.token)).content.decode()
    assert "Second revision" not in html


def test_a_signoff_naming_another_revision_is_refused(ad: Ad, author: User) -> None:
    shared = _link(ad, author, ShareKind.SIGNOFF)
    response = client_for(None).post(_url(shared.token), {"verdict": "approved", "revision": "f" * 64})
    assert response.status_code == 409
    assert not AuditEvent.objects.filter(action="stakeholder_approved").exists()


def test_a_preview_link_cannot_sign_off(ad: Ad, author: User) -> None:
    shared = _link(ad, author)
    response = client_for(None).post(
        _url(shared.token),
        {"verdict": "approved", "revision": shared.link.revision.content_hash},
    )
    assert response.status_code == 403
    assert "Approve" not in client_for(None).get(_url(shared.token)).content.decode()


def test_a_stakeholder_signoff_is_recorded_in_the_timeline_under_the_links_recipient(
    ad: Ad, author: User
) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    shared = _link(ad, author, ShareKind.SIGNOFF)
    response = client_for(None).post(
        _url(shared.token),
        {"verdict": "approved", "revision": shared.link.revision.content_hash},
    )
    assert response.status_code == 200
    assert "Your sign-off is recorded" in response.content.decode()
    event = AuditEvent.objects.get(action="stakeholder_approved")
    assert (event.stakeholder_name, event.actor, event.revision_hash, event.share_link) == (
        "Maria from Legal",
        None,
        shared.link.revision.content_hash,
        shared.link,
    )
    ad.refresh_from_db()
    assert ad.state == State.IN_REVIEW  # a sign-off doesn't replace the approver's decision
    timeline = client_for(author).get(f"/review/ads/{ad.pk}/timeline/").content.decode()
    assert f"Maria from Legal (via share link #{shared.link.pk})" in timeline


def test_a_stakeholder_asking_for_changes_sends_the_ad_back(ad: Ad, author: User) -> None:
    services.submit(ad_id=ad.pk, actor=author)
    shared = _link(ad, author, ShareKind.SIGNOFF)
    missing = client_for(None).post(
        _url(shared.token),
        {"verdict": "changes_requested", "revision": shared.link.revision.content_hash},
    )
    assert missing.status_code == 422
    assert "Say what needs to change" in missing.content.decode()
    client_for(None).post(
        _url(shared.token),
        {
            "verdict": "changes_requested",
            "comment": "Add the legal footer.",
            "revision": shared.link.revision.content_hash,
        },
    )
    ad.refresh_from_db()
    assert ad.state == State.CHANGES_REQUESTED


@pytest.mark.parametrize("persona", ["viewer", "outsider"])
def test_only_members_who_write_or_review_can_create_links(
    ad: Ad, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    response = client_for(user).post(f"/review/ads/{ad.pk}/share/", {"recipient": "X", "days": "7"})
    assert response.status_code == (404 if persona == "outsider" else 403)
    assert not ShareLink.objects.exists()


def test_a_link_expires_after_seven_days_by_default(ad: Ad, author: User) -> None:
    client_for(author).post(
        f"/review/ads/{ad.pk}/share/", {"recipient": "Dana", "kind": "preview", "days": "7"}
    )
    link = ShareLink.objects.get()
    assert timedelta(days=6, hours=23) < link.expires_at - timezone.now() <= timedelta(days=7)


def test_a_link_has_the_same_address_every_time_it_is_shown(
    ad: Ad, author: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """People copy the address from the Share page; it must not change from one visit to the next."""
    shared = _link(ad, author)
    later = time.time() + 90  # the page is opened again a minute and a half later
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    again = services.share_token(ShareLink.objects.get(pk=shared.link.pk))
    assert again == shared.token
