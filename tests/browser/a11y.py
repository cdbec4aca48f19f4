"""axe-core (from npm, installed by `make test` through `npm ci`) and the width check, for Playwright pages.

axe is added as a context init script: it is evaluated by the browser itself before the page's own
scripts, so the page's Content-Security-Policy (which refuses inline script, rightly) doesn't have to
be switched off to test it, and a CSP violation stays a failure. `run_axe` then calls `axe.run` on
the top document; the preview frames are sandboxed without scripts and are documents of their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page

AXE = Path(__file__).resolve().parent.parent.parent / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2, A and AA, and axe's best practices: every rule a WCAG 2.2 AA audit asks for.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]


def add_axe(context: BrowserContext) -> None:
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: `make test` installs it (npm ci, scripts/browser.sh).")
    context.add_init_script(path=str(AXE))


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Every axe violation on the page (all impacts), as {id, impact, help, targets}."""
    result = page.evaluate(
        """async (tags) => {
          const r = await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, iframes: false});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            targets: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n').slice(1, 2).join('') + ' :: ' + n.html.slice(0, 160))}));
        }""",
        AXE_TAGS,
    )
    return list(result)


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
