"""The Message Ad studio: the live preview endpoint and the drafts list with 1,000 drafts.

Targets (issue 2):
- live preview of a 1,500-character body with 3 links and macros: p95 under 25 ms
  and under 3x the trivial view (/base/, which renders base.html) measured in the same run;
- drafts list with 1,000 drafts: a constant number of queries per page and p95 under 60 ms.
"""

from __future__ import annotations

import itertools
import statistics
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Subquery
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.run import percentile, report, summary, timed
from bench.world import author_world
from inmail_studio.accounts.models import User, Workspace
from inmail_studio.ads import services
from inmail_studio.ads.models import Ad, Persona, Revision, Sender, content_hash

PREVIEW_REQUESTS = 1000
LIST_REQUESTS = 400
DRAFTS = 1000


def _body() -> str:
    """A message body of exactly 1,500 visible characters with 3 links and macros in it."""
    opening = (
        "<p>Hi %FIRSTNAME%,</p><p>Teams at %COMPANYNAME% asked us how a %JOBTITLE% closes the books faster. "
    )
    links = (
        '<p>Read <a href="https://example.com/guide">the guide</a>, see '
        '<a href="https://example.com/panel">the panel</a> and '
        '<a href="https://example.com/faq">the FAQ</a>.</p>'
    )
    words = "Finance teams tell us quarter-end still eats two weeks of every month. "
    body = opening
    while True:
        candidate = body + words
        from inmail_studio.ads.limits import visible_text

        if len(visible_text(candidate + "</p>" + links)) > 1500:
            break
        body = candidate
    from inmail_studio.ads.limits import visible_text

    shortfall = 1500 - len(visible_text(body + "</p>" + links))
    return body + "x" * shortfall + "</p>" + links


def _bulk_drafts(workspace: Workspace, author: User, sender: Sender, count: int) -> None:
    Ad.objects.bulk_create(
        Ad(
            workspace=workspace,
            author=author,
            name=f"Draft {i}",
            subject=f"%FIRSTNAME%, subject {i}",
            body="<p>Hello</p>",
            sender=sender if i % 3 else None,
        )
        for i in range(count)
    )
    ads = Ad.objects.filter(workspace=workspace, current_revision__isnull=True)
    Revision.objects.bulk_create(
        Revision(
            ad=ad, number=1, snapshot={"n": ad.pk}, content_hash=content_hash({"n": ad.pk}), author=author
        )
        for ad in ads
    )
    ads.update(current_revision=Subquery(Revision.objects.filter(ad=OuterRef("pk")).values("pk")[:1]))


def _check(response: Any, status: int = 200) -> None:
    if response.status_code != status:
        raise RuntimeError(f"{response.request['PATH_INFO']} answered {response.status_code}")


def bench_preview(client: Client, workspace: Workspace, sender: Sender) -> bool:
    persona = Persona.objects.filter(workspace=workspace).first()
    assert persona is not None
    body = _body()
    ad = services.ad_create(
        workspace=workspace,
        author=User.objects.get(username="bench"),
        fields={"name": "Preview bench", "sender": sender, "subject": "Hi", "body": "<p>Hi</p>"},
    )
    data = {
        "name": "Q4 webinar invite",
        "sender": sender.pk,
        "subject": "%FIRSTNAME%, a seat for our Q4 webinar?",
        "body": body,
        "cta_kind": "landing_page",
        "cta_text": "Save my seat",
        "landing_page_url": "https://example.com/webinar",
        "lead_form_urn": "",
        "footer": "Acme Cloud, 1 Market St, San Francisco.",
        "banner": "",
        "persona": str(persona.pk),
        "device": "desktop",
    }
    url = reverse("ads:preview", args=[ad.pk])
    headers = {"HX-Request": "true", "HX-Target": "preview"}
    _check(client.post(url, data, headers=headers))
    _check(client.get("/base/"))

    # Interleave the two so both see the same machine load.
    preview_ms: list[float] = []
    trivial_ms: list[float] = []
    for _ in range(PREVIEW_REQUESTS // 100):
        preview_ms += timed(lambda: client.post(url, data, headers=headers), repeat=100, warmup=5)
        trivial_ms += timed(lambda: client.get("/base/"), repeat=100, warmup=5)

    from inmail_studio.ads.limits import visible_text

    print(
        f"  body: {len(visible_text(body))} characters, {body.count('<a ')} links, macros filled for a persona"
    )
    report("trivial view /base/", summary(trivial_ms))
    report("live preview", summary(preview_ms))
    p95, trivial_p95 = percentile(preview_ms, 0.95), percentile(trivial_ms, 0.95)
    ok = report("live preview p95", f"{p95:.2f} ms", ok=p95 < 25, target="< 25 ms")
    ratio = p95 / trivial_p95
    ok &= report(
        "live preview p95 / trivial p95", f"{ratio:.2f}x", ok=ratio <= 1.5, target="≤ 1.5x (issue 16)"
    )
    report(
        "(p50 ratio, for reference)", f"{statistics.median(preview_ms) / statistics.median(trivial_ms):.2f}x"
    )
    return ok


def bench_drafts_list(client: Client, workspace: Workspace, sender: Sender) -> bool:
    user = User.objects.get(username="bench")
    url = reverse("ads:list")
    _bulk_drafts(workspace, user, sender, 10)
    _check(client.get(url))
    # Count right away: the next request clears the connection's query log.
    with CaptureQueriesContext(connection) as captured:
        _check(client.get(url))
    ten = len(captured)
    _bulk_drafts(workspace, user, sender, DRAFTS - Ad.objects.filter(workspace=workspace).count())
    total = Ad.objects.filter(workspace=workspace).count()
    pages = -(-total // 25)
    with CaptureQueriesContext(connection) as captured:
        _check(client.get(url))
    thousand = len(captured)
    with CaptureQueriesContext(connection) as captured:
        _check(client.get(url, {"page": pages}))
    last = len(captured)

    urls = [f"{url}?page={1 + i % pages}" for i in range(LIST_REQUESTS)]
    filtered = [
        f"{url}?q=Draft+1&state=draft&sender={sender.pk}&page={1 + i % 4}" for i in range(LIST_REQUESTS)
    ]
    pages_cycle, filtered_cycle = itertools.cycle(urls), itertools.cycle(filtered)
    list_ms = timed(lambda: client.get(next(pages_cycle)), repeat=LIST_REQUESTS, warmup=20)
    filtered_ms = timed(lambda: client.get(next(filtered_cycle)), repeat=LIST_REQUESTS, warmup=20)

    flat = ten == thousand == last
    ok = report(
        "queries per page (10 / 1,000 drafts / last page)",
        f"{ten} / {thousand} / {last}",
        ok=flat,
        target="constant",
    )
    report(f"drafts list, {total:,} drafts, all {pages} pages", summary(list_ms))
    report("drafts list, search + state + sender filters", summary(filtered_ms))
    p95 = max(percentile(list_ms, 0.95), percentile(filtered_ms, 0.95))
    ok &= report("drafts list p95 (worst of the two)", f"{p95:.2f} ms", ok=p95 < 60, target="< 60 ms")
    return ok


def run() -> bool:
    workspace, user, sender = author_world(
        "Bench", "bench", ad_account_urn="urn:li:sponsoredAccount:1", password="bench-only"
    )
    client = Client()
    client.force_login(user)
    ok = bench_preview(client, workspace, sender)
    ok &= bench_drafts_list(client, workspace, sender)
    return ok
