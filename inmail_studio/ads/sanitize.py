"""The one HTML sanitizer (DESIGN.md, invariant 1).

Every body passes through `sanitize_body` when it is saved, when it is
previewed, when it is rendered and when it is synced. The allowlist is
LinkedIn's editor subset: paragraphs, line breaks, bold, italic, underline,
lists and http(s) links. Everything else is dropped: tags are removed (their
text stays, except for elements whose content is code or markup, which goes
with them), attributes other than a link's href are removed, and links to any
other scheme lose their href.
"""

from __future__ import annotations

import functools
import re

import bleach

ALLOWED_TAGS = frozenset({"p", "br", "b", "strong", "i", "em", "u", "ul", "ol", "li", "a"})
ALLOWED_ATTRIBUTES = {"a": ["href"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https"})

# Elements whose content is not prose: drop them whole, content included, before
# bleach sees them (bleach would keep the text of `<script>alert(1)</script>`).
_DROP_WITH_CONTENT = (
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
)
_DROP_RE = re.compile(
    r"<(" + "|".join(_DROP_WITH_CONTENT) + r")\b[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)

_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
)

_EMPTY_LINK = re.compile(r"<a>(.*?)</a>", re.DOTALL)


@functools.lru_cache(maxsize=1024)
def sanitize_body(html: str) -> str:
    """Return `html` reduced to LinkedIn's allowed subset. Idempotent: sanitizing twice changes nothing.

    A pure function of its input, so it is memoized: a conversation's 25 unchanged bodies are
    cleaned once, not on every editor request, and the invariant (clean on save, clean again
    on render) costs nothing the second time.
    """
    if not html:
        return ""
    previous = None
    cleaned = html
    # Dropping one element can join the halves of another (`<scr<script></script>ipt>`);
    # repeat until nothing changes, then let bleach parse what is left.
    while previous != cleaned:
        previous = cleaned
        cleaned = _DROP_RE.sub("", cleaned)
    cleaned = _cleaner.clean(cleaned)
    # A link whose href was refused is no link at all: keep its text.
    cleaned = _EMPTY_LINK.sub(r"\1", cleaned)
    return cleaned.strip()
