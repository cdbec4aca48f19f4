"""The one HTML sanitizer (DESIGN.md, invariant 1).

Every body passes through `sanitize_body` when it is saved, when it is
previewed, when it is rendered and when it is synced. The allowlist is
LinkedIn's editor subset: paragraphs, line breaks, bold, italic, underline,
lists and http(s) links. Everything else is dropped: tags are removed (their
text stays, except for elements whose content is code or markup, which goes
with them), attributes other than a link's href are removed, and links to any
other scheme lose their href (and then are no link at all: their text stays).

The cost is linear in the size of the input, whatever its shape (issue 11): the
body is parsed once, by bleach, and everything else happens on that one parse's
token stream, never by a regular expression run over the text again and again.
html5lib's tree builder (bleach's parser) checks the stack of open elements at
every tag, and appends every run of text to the text before it; both grow with
the input when tags are nested without end or text arrives in tiny pieces, which
made a 64 KB body of `<ul><li>` cost eleven seconds. So, before the tree builder
sees them, the tokens are shaped:

- the content of script-like elements is dropped, up to their end tag (or to the
  end of the body, as a browser would treat an unclosed `<script>`);
- nesting is capped at `MAX_DEPTH` open elements of the tree being built (deeper start
  tags are dropped, their text stays), so every check of the stack costs at most that;
- attributes the allowlist would remove anyway are removed at once, so html5lib's
  list of formatting elements to reopen stays short (it keeps at most three alike), and
  with it the elements it reopens on top of that depth;
- adjacent pieces of text are joined into one, so text is appended once (comments, which
  the allowlist removes, and parse errors, which only feed html5lib's error list, go first).

`bench/bench_sanitizer.py` times hostile 256 KB bodies of several shapes;
`tests/security/test_sanitizer_cost.py` checks the structure that keeps it linear.
A raw body over `limits.BODY_RAW` is refused (`BodyTooLarge`) before anything parses it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import bleach
from bleach import html5lib_shim as _html5lib_shim
from bleach._vendor.html5lib.constants import tokenTypes
from bleach._vendor.html5lib.filters import base as _filters
from django.core.exceptions import ValidationError

from . import limits

# bleach's own parser classes (its documented extension point is a filter; the tokenizer has no stubs).
html5lib_shim: Any = _html5lib_shim
Filter: Any = _filters.Filter

ALLOWED_TAGS = frozenset({"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "a"})
ALLOWED_ATTRIBUTES = {"a": ["href"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https"})

# Elements whose content is not prose: dropped whole, content included (bleach alone
# would keep the text of `<script>alert(1)</script>`).
DROP_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "noscript",
        "textarea",
        "title",
        "xmp",
        "noembed",
        "noframes",
        "select",
    }
)
# LinkedIn's subset nests a few levels (a list in a list, bold in italic); far beyond that is an attack.
MAX_DEPTH = 48
_VOID = frozenset({"br"})

_START, _END, _EMPTY = tokenTypes["StartTag"], tokenTypes["EndTag"], tokenTypes["EmptyTag"]
_CHARACTERS, _SPACES = tokenTypes["Characters"], tokenTypes["SpaceCharacters"]
_TEXT = frozenset({_CHARACTERS, _SPACES})
# Tokens the sanitizer would drop anyway (comments) or that only feed html5lib's error list.
_UNUSED = frozenset({tokenTypes["Comment"], tokenTypes["Doctype"], tokenTypes["ParseError"]})


class _ShapingTokenizer(html5lib_shim.BleachHTMLTokenizer):
    """bleach's tokenizer, with the token stream shaped (see the module docstring) on its way out."""

    def emitCurrentToken(self) -> None:
        token = self.currentToken
        tag = (token["type"], str(token["name"]).lower()) if token["type"] in (_START, _END, _EMPTY) else None
        super().emitCurrentToken()
        if tag is not None and self.currentToken is not token:
            # bleach turned a tag outside the allowlist into (empty) text; remember which tag it was.
            self.currentToken["stripped"] = (*tag, bool(token.get("selfClosing")))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        dropping: list[str] = []  # the script-like elements we are inside, innermost last
        text: list[str] = []
        text_kind = _SPACES
        for token in super().__iter__():
            kind = token["type"]
            stripped = token.get("stripped")
            if dropping:
                if stripped and stripped[1] == dropping[-1]:
                    if stripped[0] == _END:
                        dropping.pop()
                    elif stripped[0] == _START and not stripped[2]:
                        dropping.append(stripped[1])
                continue
            if stripped and stripped[0] == _START and stripped[1] in DROP_WITH_CONTENT and not stripped[2]:
                dropping.append(stripped[1])
                continue
            if kind in _UNUSED:
                continue
            if kind in _TEXT:
                if token["data"] == "\u0000":
                    continue  # html5lib's tree builder ignores a NUL (it arrives alone); joined, it would not
                text.append(token["data"])
                if kind == _CHARACTERS:
                    text_kind = _CHARACTERS
                continue
            if text:
                yield {"type": text_kind, "data": "".join(text)}
                text, text_kind = [], _SPACES
            if kind in (_START, _EMPTY):
                # The parser has taken every token before this one: its stack is the real depth here.
                if token["name"] not in _VOID and len(self.parser.tree.openElements) >= MAX_DEPTH:
                    continue
                token["data"] = _allowed_attributes(token["name"], token["data"])
            yield token
        if text:
            yield {"type": text_kind, "data": "".join(text)}


def _allowed_attributes(name: str, data: Any) -> Any:
    allowed = ALLOWED_ATTRIBUTES.get(name)
    if not data or allowed is None:
        return html5lib_shim.attributeMap()
    return html5lib_shim.attributeMap((key, value) for key, value in data.items() if key in allowed)


class _ShapingParser(html5lib_shim.BleachHTMLParser):
    """bleach's parser with the shaping tokenizer (bleach's `_parse`, with our tokenizer class)."""

    parses = 0  # how many bodies were parsed (the tests check a body is parsed once)

    def _parse(
        self,
        stream: Any,
        innerHTML: bool = False,
        container: str = "div",
        scripting: bool = True,
        **kwargs: Any,
    ) -> None:
        type(self).parses += 1
        self.innerHTMLMode = innerHTML
        self.container = container
        self.scripting = scripting
        self.tokenizer = _ShapingTokenizer(
            stream=stream, consume_entities=self.consume_entities, parser=self, **kwargs
        )
        self.reset()
        try:
            self.mainLoop()
        except html5lib_shim.ReparseException:
            self.reset()
            self.mainLoop()


class _UnlinkRefused(Filter):
    """A link whose href was refused is no link at all: drop the bare `<a>` and its end, keep its text.

    Links don't nest (html5lib closes an open `a` at the next one), so one flag is enough.
    """

    def __iter__(self) -> Iterator[dict[str, Any]]:
        bare = False
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "a":
                bare = not token["data"]
                if bare:
                    continue
            elif token["type"] == "EndTag" and token["name"] == "a" and bare:
                bare = False
                continue
            yield token


class _Cleaner(bleach.Cleaner):
    def __init__(self) -> None:
        super().__init__(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[_UnlinkRefused],
        )
        self.parser = _ShapingParser(
            tags=self.tags, strip=True, consume_entities=False, namespaceHTMLElements=False
        )


# bleach's cleaner keeps parser state, so each thread has its own.
_local = threading.local()


def _cleaner() -> _Cleaner:
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = _Cleaner()
    return cleaner


class BoundedMemo:
    """A least-recently-used memo of strings, bounded by their total size in bytes (keys and values),
    not by their number: a count bound lets a few huge bodies hold gigabytes (issue 11)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _cost(key: str, value: str) -> int:
        return len(key.encode()) + len(value.encode())

    def get(self, key: str) -> str | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: str, value: str) -> None:
        cost = self._cost(key, value)
        if cost > self.max_bytes // 8:  # one body never takes over the memo
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self.size += cost
            while self.size > self.max_bytes:
                old_key, old_value = self._items.popitem(last=False)
                self.size -= self._cost(old_key, old_value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0


# The last bodies sanitized: a conversation's 25 unchanged bodies are cleaned once, not on every
# editor request, and the invariant (clean on save, clean again on render) costs nothing the second time.
MEMO_MAX_BYTES = 4 * 1024 * 1024
memo = BoundedMemo(MEMO_MAX_BYTES)


class BodyTooLarge(ValidationError):
    """The raw body is far longer than any body LinkedIn takes; it was not parsed."""


def sanitize_body(html: str) -> str:
    """Return `html` reduced to LinkedIn's allowed subset. Idempotent: sanitizing twice changes nothing.

    Raises `BodyTooLarge` (a ValidationError, so a form shows it next to the field) for a raw body
    over `limits.BODY_RAW`, before parsing it. A pure function of its input, so it is memoized.
    """
    if not html:
        return ""
    refusal = limits.raw_body_error(html)
    if refusal:
        raise BodyTooLarge(refusal, code="body_raw_too_long")
    cached = memo.get(html)
    if cached is not None:
        return cached
    cleaned = _clean(html)
    memo.put(html, cleaned)
    return cleaned


def _clean(html: str) -> str:
    """One parse of `html` through bleach, whatever its length (`sanitize_body` bounds that)."""
    return _cleaner().clean(html).strip()
