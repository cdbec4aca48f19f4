"""The sanitizer against hostile bodies: its cost grows with the size of a body, whatever its shape.

Targets (issue 11):
- one parse of a hostile 256 KB body, for each shape below (unclosed, nested, comments, stray
  "<" and "&"...), under 2 s, and the 256 KB body under 6x the 64 KB one (linear cost gives 4x,
  the old regex pre-pass and html5lib's deep stacks gave 16x, and over 20 s at 256 KB);
- the live preview (the path any member, a viewer included, reaches) of a hostile 256 KB body:
  refused before parsing, p95 under 50 ms;
- the live preview of a hostile body at the raw-body limit (20,000 characters), which is parsed:
  p95 under 250 ms.

The parse figures call the sanitizer's parse directly (`sanitize._clean`), past the raw-body
limit that `sanitize_body` enforces, to show the cost of the parse itself.
"""

from __future__ import annotations

import time

from django.test import Client
from django.urls import reverse

from bench.run import percentile, report, summary, timed
from inmail_studio.accounts.models import Membership, Role, User, Workspace
from inmail_studio.ads import limits, sanitize

KB = 1024
SHAPES: dict[str, str] = {
    "unclosed script": "<script>",
    "unclosed style + p": "<style><p>",
    "nested b": "<b>",
    "nested b, attributes": '<b id="x" class="y">',
    "nested ul li": "<ul><li>",
    "unclosed p": "<p>x",
    "p closing b": "<p><b>x</p>y",
    "b closed across i": "<b><i></b>",
    "nested a": '<a href="https://example.com/">',
    "comments": "<!--x-->",
    "stray <": "<",
    "a&": "a&",
    "many links": '<a href="https://example.com/">x</a>',
}
PARSE_TARGET_MS = 2000
RATIO_TARGET = 6.0
PREVIEW_REQUESTS = 60


def _body(unit: str, size: int) -> str:
    return unit * (size // len(unit))


def _parse_ms(body: str, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        sanitize.memo.clear()
        start = time.perf_counter()
        sanitize._clean(body)
        samples.append((time.perf_counter() - start) * 1000)
    return min(samples)


def _client() -> Client:
    workspace = Workspace.objects.create(name="Bench sanitizer", slug="bench-sanitizer")
    user = User.objects.create_user(username="bench-sanitizer", password="bench-only")
    Membership.objects.create(user=user, workspace=workspace, role=Role.VIEWER)
    client = Client()
    client.force_login(user)
    return client


def run() -> bool:
    ok = True
    print("  one parse of a hostile body (best of 5)")
    for name, unit in SHAPES.items():
        large = _parse_ms(_body(unit, 256 * KB))
        small = _parse_ms(_body(unit, 64 * KB))
        ratio = large / small if small else 0.0
        ok &= report(
            f"{name}: 256 KB",
            f"{large:8.1f} ms  ({ratio:4.1f}x the 64 KB body)",
            ok=large < PARSE_TARGET_MS and ratio < RATIO_TARGET,
            target=f"< {PARSE_TARGET_MS} ms, < {RATIO_TARGET:g}x",
        )

    client = _client()  # a viewer: the preview is open to every member
    url = reverse("ads:preview_new")
    hostile = _body("<ul><li>", 256 * KB)
    response = client.post(url, {"body": hostile})
    assert response.status_code == 200 and b"InMail Studio allows" in response.content, response.status_code
    samples = timed(lambda: client.post(url, {"body": hostile}), repeat=PREVIEW_REQUESTS, warmup=3)
    ok &= report(
        "live preview, hostile 256 KB body (refused)",
        summary(samples),
        ok=percentile(samples, 0.95) < 50,
        target="p95 < 50 ms",
    )

    at_limit = _body("<p>x", limits.BODY_RAW.maximum)

    def preview_at_limit() -> object:
        sanitize.memo.clear()
        return client.post(url, {"body": at_limit})

    samples = timed(preview_at_limit, repeat=PREVIEW_REQUESTS, warmup=3)
    ok &= report(
        "live preview, hostile body at the 20,000 limit",
        summary(samples),
        ok=percentile(samples, 0.95) < 250,
        target="p95 < 250 ms",
    )
    return ok
