"""The editor page: starting, saving and failing to save a draft, without losing a keystroke."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads.models import Ad, Persona, Sender, State

from .conftest import GOOD_AD, client_for

pytestmark = pytest.mark.django_db


def _form(sender: Sender | None, **changes: Any) -> dict[str, Any]:
    return {
        **GOOD_AD,
        "sender": sender.pk if sender else "",
        "cta_kind": "landing_page",
        "lead_form_urn": "",
        "banner": "",
        **changes,
    }


def _field_html(html: str, name: str) -> str:
    """The markup of one field's box in the editor, from its id to the next field's."""
    start = html.index(f'id="field-{name}"')
    following = html.find('id="field-', start + 1)
    return html[start : following if following != -1 else len(html)]


def test_the_new_ad_page_has_the_form_the_preview_and_sensible_defaults(author: User, sender: Sender) -> None:
    response = client_for(author).get(reverse("ads:new"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="ad-form"' in html
    assert 'iframe class="preview-frame"' in html
    assert 'sandbox="allow-same-origin"' in html
    assert 'value="Learn more"' in html
    assert "Fallbacks (no profile data)" in html
    assert "VP Marketing, SaaS" in html  # the built-in sample members


def test_creating_an_ad_saves_it_with_revision_one_and_opens_it(author: User, sender: Sender) -> None:
    client = client_for(author)
    response = client.post(reverse("ads:new"), _form(sender))
    ad = Ad.objects.get(name=GOOD_AD["name"])
    assert response.status_code == 302
    assert response["Location"] == reverse("ads:edit", args=[ad.pk])
    assert ad.author == author
    assert ad.state == State.DRAFT
    assert ad.current_revision is not None and ad.current_revision.number == 1
    html = client.get(response["Location"]).content.decode()
    assert "saved as revision 1" in html


def test_the_saved_body_is_sanitized(author: User, sender: Sender) -> None:
    client_for(author).post(
        reverse("ads:new"),
        _form(
            sender, body='<p style="color:red" onmouseover="x()">Hi <a href="javascript:alert(1)">x</a></p>'
        ),
    )
    ad = Ad.objects.get()
    assert ad.body == "<p>Hi x</p>"
    assert ad.revisions.get().snapshot["body"] == "<p>Hi x</p>"


def test_editing_saves_a_new_revision_and_says_so(ad: Ad, author: User) -> None:
    client = client_for(author)
    response = client.post(reverse("ads:edit", args=[ad.pk]), _form(ad.sender, subject="Fresh subject"))
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "Saved as revision 2." in html
    ad.refresh_from_db()
    assert ad.subject == "Fresh subject"


def test_saving_without_changes_says_there_was_nothing_to_save(ad: Ad, author: User) -> None:
    client = client_for(author)
    response = client.post(reverse("ads:edit", args=[ad.pk]), _form(ad.sender), follow=True)
    assert "No changes to save." in response.content.decode()
    assert ad.revisions.count() == 1


def test_a_subject_over_the_limit_is_refused_with_422_next_to_the_field(author: User, sender: Sender) -> None:
    subject = "S" * 67
    body = "<p>Everything I typed, <b>bold</b> too.</p>"
    response = client_for(author).post(
        reverse("ads:new"), _form(sender, subject=subject, body=body, footer="My footer")
    )
    assert response.status_code == 422
    assert not Ad.objects.exists()
    html = response.content.decode()
    field = _field_html(html, "subject")
    assert "Subject has 67 characters; LinkedIn allows 60." in field
    assert 'class="errorlist"' in field
    assert "field-invalid" in html[html.rindex("<div", 0, html.index('id="field-subject"')) :][:200]
    # Nothing typed is lost.
    assert f'value="{subject}"' in field
    assert f'value="{GOOD_AD["name"]}"' in _field_html(html, "name")
    assert "&lt;p&gt;Everything I typed, &lt;b&gt;bold&lt;/b&gt; too.&lt;/p&gt;" in _field_html(html, "body")
    assert "My footer" in _field_html(html, "footer")
    assert f'value="{sender.pk}" selected' in _field_html(html, "sender")
    assert "everything you typed is still here" in html


def test_a_failed_edit_keeps_the_typed_values_and_the_stored_ad_unchanged(ad: Ad, author: User) -> None:
    body = "<p>" + "x" * 1501 + "</p>"
    response = client_for(author).post(
        reverse("ads:edit", args=[ad.pk]),
        _form(ad.sender, body=body, cta_text="A button text that is too long"),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Body has 1,501 characters; LinkedIn allows 1,500." in _field_html(html, "body")
    assert "Call-to-action text has 30 characters; LinkedIn allows 20." in _field_html(html, "cta_text")
    assert 'value="A button text that is too long"' in html
    ad.refresh_from_db()
    assert ad.body == GOOD_AD["body"]
    assert ad.revisions.count() == 1


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"name": ""}, "name", "This field is required."),
        (
            {"landing_page_url": "ftp://example.com"},
            "landing_page_url",
            "must start with http:// or https://",
        ),
        ({"landing_page_url": "https://"}, "landing_page_url", "is not a valid web address"),
        (
            {"cta_kind": "lead_form", "lead_form_urn": "4242", "landing_page_url": ""},
            "lead_form_urn",
            "Expected a LinkedIn URN like urn:li:adForm:123.",
        ),
        (
            {"body": "".join(f'<a href="https://e.com/{i}">l{i}</a>' for i in range(4))},
            "body",
            "Body has 4 links; LinkedIn allows 3.",
        ),
    ],
)
def test_bad_input_is_explained_next_to_its_field(
    author: User, sender: Sender, changes: dict[str, str], field: str, message: str
) -> None:
    response = client_for(author).post(reverse("ads:new"), _form(sender, **changes))
    assert response.status_code == 422
    assert message in _field_html(response.content.decode(), field)


def test_a_sender_from_another_workspace_cannot_be_chosen(
    author: User, sender: Sender, other_workspace: Workspace
) -> None:
    foreign = Sender.objects.create(workspace=other_workspace, urn="urn:li:person:spy", name="Spy")
    response = client_for(author).post(reverse("ads:new"), _form(foreign))
    assert response.status_code == 422
    assert "Select a valid choice" in _field_html(response.content.decode(), "sender")
    assert not Ad.objects.exists()


def test_an_ad_in_review_is_shown_locked_and_a_save_is_refused(ad: Ad, author: User) -> None:
    Ad.objects.filter(pk=ad.pk).update(state=State.IN_REVIEW)
    client = client_for(author)
    html = client.get(reverse("ads:edit", args=[ad.pk])).content.decode()
    assert "locked for editing" in html
    assert "data-save" not in html
    response = client.post(reverse("ads:edit", args=[ad.pk]), _form(ad.sender, subject="Sneaky"), follow=True)
    assert "locked; withdraw it to edit" in response.content.decode()
    ad.refresh_from_db()
    assert ad.subject == GOOD_AD["subject"]


def test_a_live_ad_cannot_be_edited(ad: Ad, author: User) -> None:
    Ad.objects.filter(pk=ad.pk).update(state=State.LIVE)
    response = client_for(author).post(
        reverse("ads:edit", args=[ad.pk]), _form(ad.sender, subject="Sneaky"), follow=True
    )
    assert "live and can no longer be edited" in response.content.decode()


def test_the_editor_links_to_history_and_shows_the_current_revision(ad: Ad, author: User) -> None:
    html = client_for(author).get(reverse("ads:edit", args=[ad.pk])).content.decode()
    assert reverse("ads:history", args=[ad.pk]) in html
    assert "Revision 1" in html
    assert "Alice Author" in html


def test_counters_under_the_fields_show_the_saved_values(make_ad: Callable[..., Ad], author: User) -> None:
    ad = make_ad(subject="S" * 57)
    html = client_for(author).get(reverse("ads:edit", args=[ad.pk])).content.decode()
    meta = re.search(r'<div id="meta-subject".*?</div>', html, re.DOTALL)
    assert meta is not None
    assert "counter-warning" in meta.group(0)
    assert "57" in meta.group(0)


# ---- sample members (personas) ----


def _personas_post(workspace: Workspace, **extra: str) -> dict[str, str]:
    personas = list(Persona.objects.filter(workspace=workspace))
    data = {
        "form-TOTAL_FORMS": str(len(personas) + 1),
        "form-INITIAL_FORMS": str(len(personas)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    fields = ["label", "first_name", "last_name", "company", "job_title", "industry"]
    for i, persona in enumerate(personas):
        data[f"form-{i}-id"] = str(persona.pk)
        for name in fields:
            data[f"form-{i}-{name}"] = getattr(persona, name)
    for name in fields:
        data[f"form-{len(personas)}-{name}"] = ""
    data.update(extra)
    return data


def test_the_sample_members_page_lists_the_built_in_personas(author: User, workspace: Workspace) -> None:
    html = client_for(author).get(reverse("ads:personas")).content.decode()
    assert "VP Marketing, SaaS" in html
    assert "Save sample members" in html


def test_an_author_adds_renames_and_removes_sample_members(author: User, workspace: Workspace) -> None:
    data = _personas_post(
        workspace,
        **{
            "form-0-first_name": "Prisha",
            "form-1-DELETE": "on",
            "form-3-label": "CFO, Retail",
            "form-3-first_name": "Jo",
            "form-3-company": "Shopco",
        },
    )
    response = client_for(author).post(reverse("ads:personas"), data, follow=True)
    assert "Sample members saved." in response.content.decode()
    labels = list(Persona.objects.filter(workspace=workspace).values_list("label", "first_name"))
    assert ("VP Marketing, SaaS", "Prisha") in labels
    assert ("CFO, Retail", "Jo") in labels
    assert not any(label == "IT Director, Manufacturing" for label, _ in labels)


def test_a_sample_member_without_a_label_is_refused(author: User, workspace: Workspace) -> None:
    data = _personas_post(workspace, **{"form-3-first_name": "Nameless"})
    response = client_for(author).post(reverse("ads:personas"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "were not saved" in html
    assert "This field is required." in html
    assert 'value="Nameless"' in html


@pytest.mark.parametrize("persona", ["approver", "viewer"])
def test_readers_cannot_change_sample_members(
    request: pytest.FixtureRequest, workspace: Workspace, persona: str
) -> None:
    user = request.getfixturevalue(persona)
    data = _personas_post(workspace, **{"form-0-first_name": "Hacked"})
    assert client_for(user).post(reverse("ads:personas"), data).status_code == 403
    assert not Persona.objects.filter(first_name="Hacked").exists()


def test_another_workspaces_sample_member_cannot_be_edited_through_the_formset(
    author: User, workspace: Workspace, other_workspace: Workspace
) -> None:
    foreign = Persona.objects.filter(workspace=other_workspace).first()
    assert foreign is not None
    data = _personas_post(workspace, **{"form-0-id": str(foreign.pk), "form-0-first_name": "Hijacked"})
    client_for(author).post(reverse("ads:personas"), data)
    foreign.refresh_from_db()
    assert foreign.first_name != "Hijacked"
    assert foreign.workspace == other_workspace
