"""Memory: the web process's resident memory over 10,000 live previews of distinct bodies.

Every preview parses, sanitizes and renders a body nobody typed before, so anything memoised per
body (a parse, a macro expansion, a compiled pattern) would grow with each one. The previews go over
HTTP to gunicorn serving the app as production does (`inmail_studio.wsgi`, one worker process, one
thread), and the figure is that worker's resident set (VmRSS, from /proc) after 10,000 previews against
after the first 100: within 10%. The sanitizer's memo is bounded by bytes (4 MiB) and fills within the
first half, so the second half must be flat: within 2% of the half-way figure. (In-process, through
`django.test.Client`, the figure would also count the test client's own ~300 bytes a request: it
connects a signal receiver anew for each one.) `BENCH_MEMORY_PREVIEWS` changes the count.
"""

from __future__ import annotations

import os
import random
import re
import signal
import time
from pathlib import Path

import requests
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bench import servers
from bench.private_redis import free_port
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


def rss_kib(pid: int) -> int:
    """The resident set size of process `pid` in KiB, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS in /proc/{pid}/status")


def _worker_pid(master: int) -> int:
    """gunicorn's one worker: the master's child."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError("gunicorn started no worker")


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
    # A signed-in session, made here and carried by an HTTP client as a browser carries its cookie.
    signed_in = Client()
    signed_in.force_login(user)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = servers.gunicorn(port, {**os.environ, "SITE_URL": base}, workers=1)
    try:
        http = requests.Session()
        http.cookies.set(settings.SESSION_COOKIE_NAME, signed_in.cookies[settings.SESSION_COOKIE_NAME].value)
        servers.wait_http(f"{base}/healthz")
        editor = http.get(f"{base}{reverse('ads:edit', args=[ad.pk])}", timeout=5)
        editor.raise_for_status()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', editor.text)
        assert token is not None, "the editor has no CSRF token"
        worker = _worker_pid(server.pid)
        url = f"{base}{reverse('ads:preview', args=[ad.pk])}"
        headers = {"HX-Request": "true", "HX-Target": "preview", "Referer": base + "/"}
        rng = random.Random(16)

        def preview(i: int) -> None:
            words = " ".join(rng.choice(WORDS) for _ in range(60))
            body = (
                f"<p>Hi %FIRSTNAME%, note {i}: {words}.</p>"
                f'<p><a href="https://example.com/{i}">Read {i}</a> at %COMPANYNAME%.</p>'
            )
            data = {
                "csrfmiddlewaretoken": token.group(1),
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
            response = http.post(url, data, headers=headers, timeout=10)
            if response.status_code != 200 or "Learn more" not in response.text:
                raise RuntimeError(f"preview {i} answered {response.status_code}")

        start = time.perf_counter()
        half = PREVIEWS // 2
        figures = {}
        for i in range(PREVIEWS):
            preview(i)
            if i + 1 in (100, half, PREVIEWS):
                figures[i + 1] = rss_kib(worker)
        first, middle, last = figures[100], figures[half], figures[PREVIEWS]
        report(f"{PREVIEWS:,} previews of distinct bodies over HTTP", f"{time.perf_counter() - start:.0f} s")
        report("gunicorn worker RSS after 100 previews", f"{first / 1024:.1f} MiB")
        growth, tail = (last - first) / first, (last - middle) / middle
        ok = report(
            f"gunicorn worker RSS after {PREVIEWS:,} previews",
            f"{last / 1024:.1f} MiB ({growth:+.1%})",
            ok=growth <= 0.10,
            target="within 10% of after 100",
        )
        return ok & report(
            f"  from {half:,} to {PREVIEWS:,} previews (the memo full)",
            f"{middle / 1024:.1f} → {last / 1024:.1f} MiB ({tail:+.1%})",
            ok=tail <= 0.02,
            target="flat: within 2%",
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
