"""The one rollback after a create: taken back when LinkedIn answered (nothing was created), kept when
the answer was lost (LinkedIn may hold it), and the error goes on up either way."""

from __future__ import annotations

import pytest

from inmail_studio.linkedin.client import Rejected, Transient
from inmail_studio.linkedin.services.sync_steps import undone_unless_lost


@pytest.mark.parametrize(
    ("error", "undone"),
    [
        (Rejected(422, "INVALID", "LinkedIn refused it."), True),
        (Transient("Throttled.", status=429), True),  # LinkedIn answered: it created nothing
        (Transient("Server error.", status=503), True),
        (Transient("Never left.", sent=False), True),  # the request didn't reach LinkedIn
        (Transient("Connection dropped."), False),  # left, no answer: LinkedIn may hold it
    ],
)
def test_the_mark_is_taken_back_unless_the_answer_was_lost(error: Exception, undone: bool) -> None:
    undos: list[str] = []
    with pytest.raises(type(error)) as raised, undone_unless_lost(lambda: undos.append("undone")):
        raise error
    assert raised.value is error
    assert undos == (["undone"] if undone else [])


def test_a_create_that_succeeds_keeps_its_mark_for_the_caller_to_settle() -> None:
    undos: list[str] = []
    with undone_unless_lost(lambda: undos.append("undone")):
        pass
    assert undos == []


def test_any_other_error_is_no_answer_from_linkedin_and_undoes_nothing() -> None:
    undos: list[str] = []
    with pytest.raises(KeyError), undone_unless_lost(lambda: undos.append("undone")):
        raise KeyError("a bug")
    assert undos == []
