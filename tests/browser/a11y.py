"""axe-core (from npm, installed by `make test` through `npm ci`), the width check, and a wait for a
page's own requests, for Playwright pages.

`run_axe` evaluates axe in the top document just before it runs it, once per document, through
Playwright (the DevTools protocol), so the page's Content-Security-Policy (which refuses inline
script, rightly) doesn't have to be switched off to test it, and a CSP violation stays a failure.
Only the documents axe looks at pay for parsing it: not the sign-in steps, the redirects, or the
preview frames (sandboxed without scripts, documents of their own; axe runs with `iframes: false`).
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

AXE = Path(__file__).resolve().parent.parent.parent / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2, A and AA, and axe's best practices: every rule a WCAG 2.2 AA audit asks for.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]


def add_axe(context: BrowserContext) -> None:
    """Make sure axe is there before a test starts (`run_axe` puts it into each page it checks), and
    track the page's requests for `wait_until_quiet`."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: `make test` installs it (npm ci, scripts/browser.sh).")
    context.add_init_script(script=QUIET_TRACKER)


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Every axe violation on the page (all impacts), as {id, impact, help, targets}."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source() + "\n;0")
    result = page.evaluate(
        """async (tags) => {
          const r = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, iframes: false});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n').slice(1, 2).join('') + ' :: ' + n.html.slice(0, 160))}));
        }""",
        AXE_TAGS,
    )
    return list(result)


@functools.cache
def _axe_source() -> str:
    return AXE.read_text()


# Counts the htmx requests in flight and notes when the last one settled (its swapped-in content is
# processed by then, so a request that content fires on `load` is already counted).
QUIET_TRACKER = """(() => {
  const q = window.__requests = {pending: 0, last: performance.now()};
  const seen = () => { q.last = performance.now(); };
  document.addEventListener('htmx:beforeRequest', () => { q.pending++; seen(); });
  document.addEventListener('htmx:afterRequest', () => { q.pending = Math.max(0, q.pending - 1); seen(); });
  document.addEventListener('htmx:afterSettle', seen);
})();"""


def wait_until_quiet(page: Page, *, timeout: float = 3_000) -> None:
    """Wait until the page has loaded, its htmx requests (those `load` fires, and what they bring in)
    have landed and settled, and its images are in. Playwright's "networkidle" waits 500 ms of silence
    for the same; a page whose panel polls every second is looked at as it is after `timeout` ms."""
    page.wait_for_load_state("load")
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            """() => { const q = window.__requests;
              return document.readyState === 'complete' && (!q || (q.pending === 0 && performance.now() - q.last > 50))
                && Array.from(document.images).every(i => i.complete); }""",
            timeout=timeout,
            polling=25,
        )


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def widest(page: Page) -> list[str]:
    """The elements that stick out past the window's right edge, for a readable failure."""
    return list(
        page.evaluate(
            """() => { const w = window.innerWidth; const out = [];
              for (const el of document.body.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.right > w + 1 && r.width > 0) {
                  out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                    ' right=' + Math.round(r.right));
                }
                if (out.length >= 6) break;
              }
              return out; }"""
        )
    )
