"""Two admins pressing "Refresh from LinkedIn" at once: real threads, real PostgreSQL, the sandbox over HTTP.

The senders import used to look a sender up, then create it: two refreshes at once both found
nothing and the second create hit the unique constraint (a 500). It is an upsert now.
"""

from __future__ import annotations

import threading

from django.db import connection

from inmail_studio.accounts.models import Membership, Role, User, Workspace
from inmail_studio.ads.models import Sender
from inmail_studio.linkedin.models import LinkedInConnection
from tests.conftest import client_for


def test_two_admins_refreshing_senders_at_once_never_hit_a_unique_violation(
    connected: LinkedInConnection, workspace: Workspace, admin_user: User, author: User
) -> None:
    Membership.objects.filter(user=author, workspace=workspace).update(role=Role.ADMIN)
    expected = set(Sender.objects.filter(workspace=workspace).values_list("urn", flat=True))
    assert expected
    for _ in range(4):
        Sender.objects.filter(workspace=workspace).delete()
        assert _refresh_at_once([admin_user, author]) == [302, 302]
        urns = list(Sender.objects.filter(workspace=workspace).values_list("urn", flat=True))
        assert sorted(urns) == sorted(expected)  # each sender once


def _refresh_at_once(users: list[User]) -> list[int]:
    start = threading.Barrier(len(users))
    answers: list[int] = []

    def refresh(user: User) -> None:
        client = client_for(user)
        start.wait()
        try:
            answers.append(client.post("/linkedin/refresh/").status_code)
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=refresh, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers
