"""Memory: the web process's resident memory over 10,000 live previews of distinct bodies.

Every preview parses, sanitizes and renders a body nobody typed before, so anything memoised per
body (a parse, a macro expansion, a compiled pattern) would grow with each one. The figure is the
process's resident set (VmRSS) after 10,000 previews against after the first 100, after a garbage
collection each time; target: within 10% (flat). `BENCH_MEMORY_PREVIEWS` changes the count.
"""

from __future__ import annotations

import gc
import os
import random
import time

from django.test import Client
from django.urls import reverse

from bench.run import report
from bench.world import author_world
from inmail_studio.ads import services
from inmail_studio.ads.models import Persona

PREVIEWS = int(os.environ.get("BENCH_MEMORY_PREVIEWS", "10000"))
WORDS = [
    "quarter",
    "close",
    "ledger",
    "payroll",
    "forecast",
    "budget",
    "teams",
    "finance",
    "webinar",
    "seat",
    "guide",
    "panel",
]


def rss_kib() -> int:
    """This process's resident set size in KiB, from /proc (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def run() -> bool:
    workspace, user, sender = author_world("Memory bench", "memory-bench")
    services.personas_ensure(workspace=workspace)
    persona = Persona.objects.filter(workspace=workspace).first()
    assert persona is not None
    ad = services.ad_create(
        workspace=workspace,
        author=user,
        fields={"name": "Memory bench", "sender": sender, "subject": "Hi", "body": "<p>Hi</p>"},
    )
    client = Client()
    client.force_login(user)
    url = reverse("ads:preview", args=[ad.pk])
    headers = {"HX-Request": "true", "HX-Target": "preview"}
    rng = random.Random(16)

    def preview(i: int) -> None:
        words = " ".join(rng.choice(WORDS) for _ in range(60))
        body = (
            f"<p>Hi %FIRSTNAME%, note {i}: {words}.</p>"
            f'<p><a href="https://example.com/{i}">Read {i}</a> at %COMPANYNAME%.</p>'
        )
        data = {
            "name": f"Preview {i}",
            "sender": sender.pk,
            "subject": f"%FIRSTNAME%, offer {i}",
            "body": body,
            "cta_kind": "landing_page",
            "cta_text": "Learn more",
            "landing_page_url": f"https://example.com/l/{i}",
            "footer": "",
            "persona": str(persona.pk),
            "device": "desktop",
        }
        response = client.post(url, data, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"preview answered {response.status_code}")

    start = time.perf_counter()
    for i in range(100):
        preview(i)
    gc.collect()
    after_100 = rss_kib()
    for i in range(100, PREVIEWS):
        preview(i)
    gc.collect()
    after_all = rss_kib()
    growth = (after_all - after_100) / after_100
    report(f"{PREVIEWS:,} previews of distinct bodies", f"{time.perf_counter() - start:.0f} s")
    report("web process RSS after 100 previews", f"{after_100 / 1024:.1f} MiB")
    return report(
        f"web process RSS after {PREVIEWS:,} previews",
        f"{after_all / 1024:.1f} MiB ({growth:+.1%})",
        ok=growth <= 0.10,
        target="within 10% of after 100",
    )
