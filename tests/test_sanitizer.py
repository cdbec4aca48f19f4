from __future__ import annotations

import pytest

from inmail_studio.ads.sanitize import sanitize_body

ATTACKS = [
    "<script>alert(1)</script><p>hi</p>",
    '<p onclick="alert(1)">hi</p>',
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<p style="background:url(javascript:alert(1))">hi</p>',
    '<p hx-get="/admin" hx-trigger="load">hi</p>',
    '<p data-hx-post="/x" data-foo="bar">hi</p>',
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)><circle r=1></circle></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<iframe src="https://evil.example"></iframe>',
    "<scr<script>x</script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    "<!--<script>alert(1)</script>-->",
    '<style>@import "https://evil.example/x.css";</style>',
    '<form action="https://evil.example"><input name=x></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<a href="https://example.com" target="_blank" rel="opener" onmouseover="alert(1)">ok</a>',
    '<p><b><i><u>nested <a href="https://x.com">deep',
    "</p></b>stray closers<p>",
    "<template><img src=x onerror=alert(1)></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
]

FORBIDDEN = [
    "<script",
    "onerror",
    "onclick",
    "onload",
    "onmouseover",
    "javascript:",
    "data:",
    "vbscript:",
    "style=",
    "hx-",
    "data-",
    "<svg",
    "<math",
    "<iframe",
    "<img",
    "<form",
    "<input",
    "<object",
    "<embed",
    "<template",
    "<style",
    "target=",
    "rel=",
]


@pytest.mark.parametrize("markup", ATTACKS)
def test_sanitizer_removes_everything_outside_linkedins_subset(markup: str) -> None:
    cleaned = sanitize_body(markup).lower()
    for needle in FORBIDDEN:
        assert needle not in cleaned, (needle, cleaned)


@pytest.mark.parametrize("markup", ATTACKS)
def test_sanitizing_twice_equals_sanitizing_once(markup: str) -> None:
    once = sanitize_body(markup)
    assert sanitize_body(once) == once


def test_allowed_formatting_survives() -> None:
    markup = (
        "<p>Hi <b>bold</b> <strong>strong</strong> <i>it</i> <em>em</em> <u>under</u><br>"
        '<a href="https://example.com/x?a=1&amp;b=2">link</a></p><ul><li>one</li></ul><ol><li>two</li></ol>'
    )
    assert sanitize_body(markup) == markup


def test_a_refused_link_keeps_its_text() -> None:
    assert sanitize_body('<p><a href="javascript:alert(1)">read more</a></p>') == "<p>read more</p>"


def test_malformed_markup_is_closed_and_text_is_escaped() -> None:
    assert sanitize_body("<p><b>open") == "<p><b>open</b></p>"
    assert sanitize_body("5 < 6 & 7 > 3") == "5 &lt; 6 &amp; 7 &gt; 3"


def test_script_content_is_dropped_not_shown_as_text() -> None:
    assert "alert" not in sanitize_body("<p>a</p><script>alert(1)</script>")
