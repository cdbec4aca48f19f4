from __future__ import annotations

from inmail_studio.accounts.models import User

from .conftest import client_for, make_user


def test_a_user_without_a_workspace_is_told_to_ask_for_an_invitation(db: None) -> None:
    loner: User = make_user("loner")
    response = client_for(loner).get("/ads/")
    assert response.status_code == 404
    assert b"You are not a member of any workspace yet" in response.content


def test_other_404s_do_not_reveal_what_was_looked_up(author: User) -> None:
    response = client_for(author).get("/ads/999999/")
    assert response.status_code == 404
    assert b"This page doesn" in response.content
    assert b"matches the given query" not in response.content
