"""Variants: "Create variant" copies an ad into a set (A, B, C…), the set is reviewed together
(approve all, or each) through the review workflow's own approve, and compared side by side."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services as ad_services
from inmail_studio.ads.models import Ad, State
from inmail_studio.guidance import services
from inmail_studio.guidance.models import AdPlan, Variant, VariantSet
from inmail_studio.review import services as review_services
from inmail_studio.review.models import Decision
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def submit(ad: Ad, user: User) -> str:
    review_services.submit(ad_id=ad.pk, actor=user)
    ad.refresh_from_db()
    assert ad.current_revision is not None
    return ad.current_revision.content_hash


def test_creating_a_variant_makes_the_ad_variant_a_and_the_copy_variant_b(ad: Ad, author: User) -> None:
    copy = services.variant_create(ad_id=ad.pk, author=author, subject="%FIRSTNAME%, your Q4 seat is waiting")
    assert Variant.objects.get(ad=ad).label == "A"
    assert copy.variant.label == "B"
    assert copy.variant.variant_set_id == ad.variant.variant_set_id
    assert copy.name == "Q4 webinar invite · variant B"
    assert copy.subject == "%FIRSTNAME%, your Q4 seat is waiting"
    assert copy.body == ad.body and copy.sender_id == ad.sender_id
    assert copy.state == State.DRAFT and copy.author_id == author.pk


def test_further_variants_take_the_next_letters_in_the_same_set(ad: Ad, author: User) -> None:
    b = services.variant_create(ad_id=ad.pk, author=author)
    c = services.variant_create(ad_id=b.pk, author=author)
    assert [v.label for v in Variant.objects.order_by("label")] == ["A", "B", "C"]
    assert VariantSet.objects.count() == 1
    assert c.variant.variant_set_id == ad.variant.variant_set_id


def test_a_variant_carries_the_plan_with_its_letter_as_utm_content(ad: Ad, author: User) -> None:
    ad_services.ad_update(
        ad_id=ad.pk,
        editor=author,
        fields={"landing_page_url": "https://example.com/webinar?utm_source=linkedin&utm_content=a"},
    )
    services.plan_update(ad=ad, editor=author, offer_type="webinar", audience_size=5000, forecast=True)
    copy = services.variant_create(ad_id=ad.pk, author=author)
    plan = AdPlan.objects.get(ad=copy)
    assert (plan.offer_type, plan.audience_size, plan.utm_variant) == ("webinar", 5000, "b")
    assert copy.landing_page_url == "https://example.com/webinar?utm_source=linkedin&utm_content=b"


def test_a_too_long_subject_refuses_the_variant_and_creates_nothing(ad: Ad, author: User) -> None:
    response = client_for(author).post(
        reverse("guidance:variant_create", args=[ad.pk]), {"subject": "x" * 61}
    )
    assert response.status_code == 422
    assert "60" in response.content.decode()
    assert Ad.objects.count() == 1 and not VariantSet.objects.exists()


def test_create_variant_page_redirects_to_the_new_variants_editor(ad: Ad, author: User) -> None:
    response = client_for(author).post(
        reverse("guidance:variant_create", args=[ad.pk]), {"subject": "Another subject"}
    )
    copy = Ad.objects.exclude(pk=ad.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("ads:edit", args=[copy.pk])


def test_viewers_cannot_create_variants_and_outsiders_see_no_ad(ad: Ad, viewer: User, outsider: User) -> None:
    url = reverse("guidance:variant_create", args=[ad.pk])
    assert client_for(viewer).post(url, {"subject": "x"}).status_code == 403
    assert client_for(outsider).post(url, {"subject": "x"}).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
    with pytest.raises(PermissionDenied):
        services.variant_create(ad_id=ad.pk, author=viewer)
    assert Ad.objects.count() == 1


def test_approve_all_approves_every_variant_in_review_through_the_workflow(
    ad: Ad, author: User, approver: User
) -> None:
    b = services.variant_create(ad_id=ad.pk, author=author, subject="Another subject")
    hashes = {ad.pk: submit(ad, author), b.pk: submit(b, author)}
    approved = services.variant_set_approve(
        set_id=ad.variant.variant_set_id, approver=approver, revisions=hashes
    )
    assert {a.pk for a in approved} == {ad.pk, b.pk}
    for one in (ad, b):
        one.refresh_from_db()
        assert one.state == State.APPROVED
        decision = Decision.objects.get(ad=one)
        assert decision.approver_id == approver.pk
        assert decision.revision.content_hash == hashes[one.pk]


def test_approve_all_through_the_set_page_pins_the_revisions_shown(
    ad: Ad, author: User, approver: User
) -> None:
    b = services.variant_create(ad_id=ad.pk, author=author, subject="Another subject")
    submit(ad, author), submit(b, author)
    client = client_for(approver)
    url = reverse("guidance:variant_set", args=[ad.variant.variant_set_id])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Approve all in set (2)" in html
    assert html.count('class="preview-frame"') == 2  # the two previews side by side
    fields = {"action": "approve", "ad": [str(ad.pk), str(b.pk)]}
    for one in (ad, b):
        one.refresh_from_db()
        fields[f"revision-{one.pk}"] = one.current_revision.content_hash  # type: ignore[union-attr]
    response = client.post(url, fields)
    assert response.status_code == 302
    assert set(Ad.objects.values_list("state", flat=True)) == {State.APPROVED}


def test_each_variant_can_be_approved_on_its_own(ad: Ad, author: User, approver: User) -> None:
    b = services.variant_create(ad_id=ad.pk, author=author, subject="Another subject")
    submit(ad, author)
    b_hash = submit(b, author)
    services.variant_set_approve(set_id=b.variant.variant_set_id, approver=approver, revisions={b.pk: b_hash})
    ad.refresh_from_db(), b.refresh_from_db()
    assert (ad.state, b.state) == (State.IN_REVIEW, State.APPROVED)


def test_an_approver_who_wrote_a_variant_cannot_approve_the_set_and_nothing_is_approved(
    ad: Ad, author: User, admin_user: User, approver: User
) -> None:
    # The admin (who may write and approve) writes variant B; approving "all" must refuse B and,
    # all or none, leave A in review too.
    b = services.variant_create(ad_id=ad.pk, author=admin_user, subject="The admin's own subject")
    hashes = {ad.pk: submit(ad, author), b.pk: submit(b, admin_user)}
    with pytest.raises(services.VariantRefused) as refused:
        services.variant_set_approve(set_id=ad.variant.variant_set_id, approver=admin_user, revisions=hashes)
    assert refused.value.messages == ["Variant B: You wrote this revision, so someone else has to review it."]
    assert set(Ad.objects.values_list("state", flat=True)) == {State.IN_REVIEW}
    assert not Decision.objects.exists()
    # Another approver can approve both.
    services.variant_set_approve(set_id=ad.variant.variant_set_id, approver=approver, revisions=hashes)
    assert set(Ad.objects.values_list("state", flat=True)) == {State.APPROVED}


def test_the_set_page_does_not_offer_an_author_their_own_variant(
    ad: Ad, author: User, admin_user: User
) -> None:
    b = services.variant_create(ad_id=ad.pk, author=admin_user, subject="The admin's own subject")
    submit(ad, author), submit(b, admin_user)
    html = (
        client_for(admin_user)
        .get(reverse("guidance:variant_set", args=[ad.variant.variant_set_id]))
        .content.decode()
    )
    assert "Approve all in set (1)" in html
    assert 'data-approve="A"' in html and 'data-approve="B"' not in html
    assert "another approver decides" in html


def test_a_stale_revision_refuses_the_approval(ad: Ad, author: User, approver: User) -> None:
    b = services.variant_create(ad_id=ad.pk, author=author, subject="Another subject")
    hashes = {ad.pk: submit(ad, author), b.pk: "0" * 64}
    submit(b, author)
    with pytest.raises(services.VariantRefused) as refused:
        services.variant_set_approve(set_id=ad.variant.variant_set_id, approver=approver, revisions=hashes)
    assert refused.value.messages[0].startswith("Variant B: The draft changed after you opened it")
    assert not Decision.objects.exists()


def test_authors_and_viewers_cannot_approve_the_set(ad: Ad, author: User, viewer: User) -> None:
    services.variant_create(ad_id=ad.pk, author=author, subject="Another subject")
    url = reverse("guidance:variant_set", args=[ad.variant.variant_set_id])
    for user in (author, viewer):
        response = client_for(user).post(url, {"action": "approve", "ad": [str(ad.pk)]})
        assert response.status_code == 403


def test_the_set_page_shows_what_each_variant_changes_against_a(
    ad: Ad, author: User, viewer: User, outsider: User
) -> None:
    b = services.variant_create(ad_id=ad.pk, author=author, subject="A sharper subject")
    c = services.variant_create(ad_id=ad.pk, author=author)
    ad_services.ad_update(
        ad_id=c.pk, editor=author, fields={"body": "<p>Hi %FIRSTNAME%, a shorter body.</p>"}
    )
    url = reverse("guidance:variant_set", args=[b.variant.variant_set_id])
    html = client_for(viewer).get(url).content.decode()
    assert "<ins>A sharper subject</ins>" in html
    assert "<ins>a shorter body.</ins>" in html
    assert html.count('class="preview-frame"') == 3
    assert client_for(outsider).get(url).status_code == 404


def test_a_variant_identical_to_a_is_flagged(ad: Ad, author: User, viewer: User) -> None:
    b = services.variant_create(ad_id=ad.pk, author=author)
    html = (
        client_for(viewer)
        .get(reverse("guidance:variant_set", args=[b.variant.variant_set_id]))
        .content.decode()
    )
    assert "Variant B says the same as variant A" in html


def test_the_editor_offers_create_variant_and_links_the_set(ad: Ad, author: User, viewer: User) -> None:
    html = client_for(author).get(reverse("ads:edit", args=[ad.pk])).content.decode()
    assert reverse("guidance:variant_create", args=[ad.pk]) in html
    b = services.variant_create(ad_id=ad.pk, author=author, subject="Another subject")
    html = client_for(viewer).get(reverse("ads:edit", args=[b.pk])).content.decode()
    assert "Variant B" in html and reverse("guidance:variant_set", args=[b.variant.variant_set_id]) in html
    assert "data-create-variant" not in html


def test_a_conversation_ad_variant_copies_its_tree(
    workspace: Workspace, author: User, make_ad: Callable[..., Ad]
) -> None:
    from inmail_studio.ads.conversation import services as conversation_services

    source = conversation_services.conversation_create(
        workspace=workspace, author=author, name="Talk to us", template_key="event-invitation"
    )
    copy = services.variant_create(ad_id=source.pk, author=author, subject="Shall we talk?")
    assert copy.kind == "conversation" and copy.subject == "Shall we talk?"
    assert copy.conversation.messages.count() == source.conversation.messages.count()


def test_the_review_page_of_a_variant_leads_to_the_set(ad: Ad, author: User, approver: User) -> None:
    b = services.variant_create(ad_id=ad.pk, author=author, subject="Another subject")
    submit(b, author)
    html = client_for(approver).get(reverse("review:detail", args=[b.pk])).content.decode()
    assert "This ad is variant B of" in html
    assert reverse("guidance:variant_set", args=[b.variant.variant_set_id]) in html
