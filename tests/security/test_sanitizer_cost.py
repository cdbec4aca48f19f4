"""The sanitizer's cost grows with the size of the body, never with its square, whatever its shape.

A regular expression repeated until nothing changed, then html5lib's scans of an ever deeper stack
of open elements and its appends to an ever longer text, made 256 KB of unclosed or nested tags
cost tens of seconds (issue 11). These tests check the structure that keeps it linear, without a
clock: a raw body over the limit is refused before anything parses it; a body is parsed once; the
tree builder never holds more than a bounded stack and never gets text in pieces; and the Python
lines executed for a body four times larger are (about) four times as many, not sixteen.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from inmail_studio.ads import limits, sanitize
from inmail_studio.ads.sanitize import BodyTooLarge, sanitize_body


def hostile(shape: str, size: int) -> str:
    """A body of about `size` characters of one hostile shape."""
    unit = HOSTILE[shape]
    return unit * max(1, size // len(unit))


HOSTILE: dict[str, str] = {
    "unclosed script": "<script>",
    "unclosed style and paragraphs": "<style><p>",
    "nested bold": "<b>",
    "nested bold with attributes": '<b id="x" class="y">',
    "nested lists": "<ul><li>",
    "unclosed paragraphs": "<p>x",
    "paragraphs closing bold": "<p><b>x</p>y",
    "bold closed across italic": "<b><i></b>",
    "nested links": '<a href="https://example.com/">',
    "comments": "<!--x-->",
    "unclosed comment": "<!--aaaaaaaa",
    "less-than signs": "<",
    "ampersands": "a&",
    "spaces and ampersands": " &",
    "nested svg": "<svg><math>",
    "broken tags": "<scr<script>ipt>",
    "many links": '<a href="https://example.com/">x</a>',
}


@pytest.fixture(autouse=True)
def _no_memo() -> Iterator[None]:
    sanitize.memo.clear()
    yield
    sanitize.memo.clear()


def test_a_raw_body_over_the_limit_is_refused_before_it_is_parsed() -> None:
    body = hostile("nested lists", limits.BODY_RAW.maximum) + "<p>one more</p>"
    assert len(body) > limits.BODY_RAW.maximum
    before = sanitize._ShapingParser.parses
    with pytest.raises(BodyTooLarge) as refused:
        sanitize_body(body)
    assert sanitize._ShapingParser.parses == before
    assert "InMail Studio allows 20,000" in refused.value.messages[0]


def test_a_body_at_the_limit_is_still_sanitized() -> None:
    body = ("<p>" + "x" * 96 + "</p>") * (limits.BODY_RAW.maximum // 103)
    assert len(body) <= limits.BODY_RAW.maximum
    assert sanitize_body(body).startswith("<p>xxx")


def test_a_body_is_parsed_once_and_then_remembered() -> None:
    body = "<p>Hi <script>alert(1)</script><b>there</b></p>"
    before = sanitize._ShapingParser.parses
    first = sanitize_body(body)
    assert sanitize._ShapingParser.parses == before + 1
    assert sanitize_body(body) == first
    assert sanitize._ShapingParser.parses == before + 1


def test_the_sanitizer_uses_no_regular_expression() -> None:
    """The old pre-pass ran a regex until nothing changed; the module now has none to run."""
    import re

    assert not [name for name, value in vars(sanitize).items() if isinstance(value, re.Pattern)]


class _Observed:
    """What html5lib's tree builder receives: the deepest stack it held, and text tokens back to back."""

    def __init__(self) -> None:
        self.deepest = 0
        self.adjacent_text = 0


def _observing(monkeypatch: pytest.MonkeyPatch) -> _Observed:
    observed = _Observed()
    shaped = sanitize._ShapingTokenizer.__iter__
    text_types = {"Characters", "SpaceCharacters"}
    from bleach._vendor.html5lib.constants import tokenTypes

    text_codes = {tokenTypes[t] for t in text_types}

    def watch(self: Any) -> Iterator[dict[str, Any]]:
        previous_was_text = False
        for token in shaped(self):
            is_text = token["type"] in text_codes
            observed.adjacent_text += is_text and previous_was_text
            previous_was_text = is_text
            yield token
            observed.deepest = max(observed.deepest, len(self.parser.tree.openElements))

    monkeypatch.setattr(sanitize._ShapingTokenizer, "__iter__", watch)
    return observed


@pytest.mark.parametrize("shape", sorted(HOSTILE))
def test_the_tree_builder_never_holds_a_deep_stack_or_text_in_pieces(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    observed = _observing(monkeypatch)
    sanitize._clean(hostile(shape, 16_000))
    # MAX_DEPTH elements from tags, plus the few formatting elements html5lib reopens on top.
    assert observed.deepest <= sanitize.MAX_DEPTH + 20, observed.deepest
    assert observed.adjacent_text == 0


def _lines(call: Callable[[], object]) -> int:
    """Python lines executed by `call`: deterministic, unlike a clock, and blind to nothing in Python."""
    count = 0

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        nonlocal count
        if event == "line":
            count += 1
        return tracer

    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(None)
    return count


@pytest.mark.parametrize("shape", sorted(HOSTILE))
def test_four_times_the_body_costs_about_four_times_the_work(shape: str) -> None:
    small, large = hostile(shape, 1_500), hostile(shape, 6_000)
    ratio = _lines(lambda: sanitize._clean(large)) / _lines(lambda: sanitize._clean(small))
    # Linear work gives 4; the old sanitizer gave up to 13 on nested lists.
    assert ratio < 4.6, f"{shape}: {ratio:.2f}"


@pytest.mark.parametrize(
    "markup",
    [
        "<p>" * 200 + "deep",
        "<ul><li>" * 200 + "deep",
        "<b><i><u>" * 100 + "deep",
    ],
)
def test_markup_nested_past_the_depth_bound_keeps_its_text_and_stays_well_formed(markup: str) -> None:
    cleaned = sanitize_body(markup)
    assert "deep" in cleaned
    assert sanitize_body(cleaned) == cleaned
