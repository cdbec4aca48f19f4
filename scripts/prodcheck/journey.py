"""The journey make prod-check drives through the production-shaped stack, as its users would.

Everything goes over HTTPS through the proxy with a plain HTTP client (requests, trusting this
run's certificate authority): pages are read and forms submitted as a browser without JavaScript
does, or as htmx does where the UI uses it (the banner upload, the LinkedIn panel it polls).
Outcomes are read where users read them: the LinkedIn panel's state (the `data-state` the UI
polls), the test-send status, the results page, the audit export. Nothing waits on a fixed
delay; every wait polls for an end state and fails with what it last saw.

The two claims about several web processes are proven with the request id each answer carries
(X-Request-ID, made by the proxy) and the web processes' own access logs: which process answered
what. The logs are then searched for any secret the journey saw (OAuth code and state, the share
link's token) and for the approval's request id on the worker's lines for the sync it queued.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import secrets
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from scripts.prodcheck.stack import Run

Step = Callable[[str], AbstractContextManager[Callable[[str], None]]]
POLL_TIMEOUT = 60.0


class Failed(Exception):
    """A step's expectation wasn't met; the message says what was expected and what was seen."""


@dataclass
class Context:
    run: Run
    logs: Callable[[str], Path]
    web_logs: list[Path]
    manage: Callable[..., tuple[int, str]]
    check_alive: Callable[[], None]
    media_dirs: list[Path]


# --- reading pages -----------------------------------------------------------------------------------


@dataclass
class Form:
    attrs: dict[str, str]
    fields: list[tuple[str, str]] = field(default_factory=list)
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # select name → (value, label)
    buttons: list[tuple[str, str]] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return any(n == name for n, _ in self.fields) or name in self.options

    def value(self, name: str) -> str:
        return next((v for n, v in self.fields if n == name), "")


class _Page(HTMLParser):
    """Forms (with their successful controls, select options and submit buttons) and a few elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[Form, str, list[tuple[str, str, bool]]] | None = None
        self._option: list[str] | None = None
        self._textarea: tuple[Form, str, list[str]] | None = None
        self._by_id: dict[str, Form] = {}
        self._orphans: list[tuple[str, str, str]] = []  # controls outside a form, naming one by id
        self.elements: list[tuple[str, dict[str, str]]] = []

    def _owner(self, attrs: dict[str, str]) -> Form | None:
        if "form" in attrs:
            return self._by_id.get(attrs["form"])
        return self._form

    def handle_starttag(self, tag: str, raw: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in raw}
        self.elements.append((tag, attrs))
        if tag == "form":
            self._form = Form(attrs)
            self.forms.append(self._form)
            if attrs.get("id"):
                self._by_id[attrs["id"]] = self._form
            return
        owner = self._owner(attrs)
        if tag == "input" and "disabled" not in attrs:
            kind, name = attrs.get("type", "text").lower(), attrs.get("name", "")
            if owner is None or not name:
                return
            if kind in ("submit", "image", "button"):
                owner.buttons.append((name, attrs.get("value", "")))
            elif kind in ("checkbox", "radio"):
                owner.options.setdefault(name, []).append((attrs.get("value", "on"), ""))
                if "checked" in attrs:
                    owner.fields.append((name, attrs.get("value", "on")))
            elif kind != "file":
                owner.fields.append((name, attrs.get("value", "")))
        elif (
            tag == "button"
            and owner is not None
            and attrs.get("name")
            and attrs.get("type", "submit") == "submit"
        ):
            owner.buttons.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select" and owner is not None and attrs.get("name") and "disabled" not in attrs:
            self._select = (owner, attrs["name"], [])
        elif tag == "option" and self._select is not None:
            self._select[2].append((attrs.get("value", ""), "", "selected" in attrs))
            self._option = []
        elif tag == "textarea" and owner is not None and attrs.get("name") and "disabled" not in attrs:
            self._textarea = (owner, attrs["name"], [])

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option.append(data)
        if self._textarea is not None:
            self._textarea[2].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select is not None and self._option is not None:
            value, _, selected = self._select[2][-1]
            self._select[2][-1] = (value, " ".join("".join(self._option).split()), selected)
            self._option = None
        elif tag == "select" and self._select is not None:
            owner, name, options = self._select
            owner.options[name] = [(v, label) for v, label, _ in options]
            picked = [v for v, _, selected in options if selected] or [v for v, _, _ in options[:1]]
            owner.fields.extend((name, v) for v in picked[:1])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            owner, name, text = self._textarea
            owner.fields.append((name, "".join(text).removeprefix("\n")))
            self._textarea = None


def page(html: str) -> _Page:
    parsed = _Page()
    parsed.feed(html)
    return parsed


def problems_on(html: str) -> str:
    """What a page says went wrong (error lists, alerts, flashes), for failure messages."""
    found = re.findall(
        r'class="(?:errorlist|form-error|message message-error|li-flash li-flash-error|li-error|notice[^"]*)"[^>]*>(.*?)</',
        html,
        re.S,
    )
    text = [" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in found]
    return "; ".join(t for t in text if t)[:600]


# --- a browser ---------------------------------------------------------------------------------------


class Browser:
    """One person's browser, as far as a plain client goes: cookies, forms with their CSRF token, the Referer
    header browsers send (Django's CSRF check on HTTPS needs it), htmx's headers where the UI uses htmx."""

    def __init__(self, name: str, run: Run) -> None:
        self.name, self.run = name, run
        self.session = requests.Session()
        self.session.verify = run.ca_file
        self.session.headers["User-Agent"] = f"prod-check ({name})"

    def url(self, path: str) -> str:
        return path if path.startswith("http") else urljoin(self.run.site_url, path)

    def request(
        self,
        method: str,
        path: str,
        *,
        expect: tuple[int, ...] = (200,),
        htmx: bool = False,
        referer: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if htmx:
            headers["HX-Request"] = "true"
            token = self.session.cookies.get("csrftoken")
            if token and method == "POST":
                headers["X-CSRFToken"] = token
        if method == "POST":
            headers["Referer"] = referer or self.url(path)
        kwargs.setdefault("allow_redirects", False)
        # verify per request: a REQUESTS_CA_BUNDLE in the environment would override the session's.
        kwargs.setdefault("verify", self.run.ca_file)
        response = self.session.request(method, self.url(path), headers=headers, timeout=30, **kwargs)
        if response.status_code not in expect:
            raise Failed(
                f"{self.name}: {method} {urlsplit(response.url).path} answered {response.status_code}, expected "
                f"{' or '.join(map(str, expect))} (request id {response.headers.get('X-Request-ID', '-')}). "
                f"{problems_on(response.text) or response.text[:300]}"
            )
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def submit(
        self,
        response: requests.Response,
        choose: Callable[[Form], bool],
        values: dict[str, str] | None = None,
        *,
        button: tuple[str, str] | None = None,
        expect: tuple[int, ...] = (302,),
        drop: tuple[str, ...] = (),
    ) -> requests.Response:
        """Fill and submit the first form on the page that `choose` accepts, as a browser would."""
        forms = [f for f in page(response.text).forms if choose(f)]
        if not forms:
            raise Failed(f"{self.name}: no such form on {urlsplit(response.url).path}")
        form = forms[0]
        values = values or {}
        data = [(n, v) for n, v in form.fields if n not in values and n not in drop]
        data += list(values.items())
        if button:
            data.append(button)
        action = urljoin(response.url, form.attrs.get("action") or response.url)
        return self.request("POST", action, data=data, expect=expect, referer=response.url)

    def sign_in(self, path: str, username: str, password: str) -> requests.Response:
        form_page = self.get(path)
        answer = self.submit(
            form_page, lambda f: f.has("username"), {"username": username, "password": password}
        )
        if "login" in answer.headers.get("Location", ""):
            raise Failed(f"{username} could not sign in at {path}")
        return answer


def by_action(fragment: str) -> Callable[[Form], bool]:
    return lambda form: fragment in form.attrs.get("action", "")


def attribute(html: str, name: str) -> str:
    match = re.search(rf'{name}="([^"]*)"', html)
    return match.group(1) if match else ""


def banner_png() -> bytes:
    """A 300 × 250 PNG drawn here, different on every run."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (300, 250), (29, 35, 48))
    ImageDraw.Draw(picture).text((20, 110), f"prod-check {secrets.token_hex(4)}", fill="white")
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


# --- the journey ------------------------------------------------------------------------------------------


class Journey:
    def __init__(self, context: Context) -> None:
        self.c = context
        self.run_ = context.run
        self.password = secrets.token_urlsafe(18)
        self.seen_secrets: dict[str, str] = {}  # what must never reach a log → where it was seen
        self.approval_request_id = ""

    # which web process answered: the request id in its access log
    def served_by(self, response: requests.Response, timeout: float = 5.0) -> int:
        request_id = response.headers.get("X-Request-ID", "")
        if not request_id:
            raise Failed(f"{urlsplit(response.url).path} answered without an X-Request-ID")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, log in enumerate(self.c.web_logs):
                if request_id in log.read_text(errors="replace"):
                    return i
            time.sleep(0.2)
        raise Failed(f"no web process logged request {request_id} ({urlsplit(response.url).path})")

    def until(self, what: str, poll: Callable[[], tuple[bool, str]], timeout: float = POLL_TIMEOUT) -> str:
        """Poll until an end state; raise with the last thing seen."""
        began, last = time.monotonic(), ""
        while time.monotonic() - began < timeout:
            self.c.check_alive()
            done, last = poll()
            if done:
                return last
            time.sleep(0.5)
        raise Failed(f"{what}: still not there after {timeout:.0f}s; last seen: {last}")

    def panel(self, who: Browser, ad_id: int) -> str:
        return who.get(f"/linkedin/ads/{ad_id}/panel/", htmx=True).text

    def run(self, step: Step) -> None:
        run = self.run_
        anonymous = Browser("a visitor", run)

        with step(
            "HTTPS through the proxy: readiness, the redirect to sign in, production's headers"
        ) as note:
            ready = anonymous.get("/readyz")
            checks = ready.json()["checks"]
            if checks != {"database": "ok", "broker": "ok", "cache": "ok"}:
                raise Failed(f"/readyz: {checks}")
            note(f"/readyz: {checks}")
            home = anonymous.get("/ads/", expect=(302,))
            if "/accounts/login/" not in home.headers["Location"]:
                raise Failed(f"/ads/ redirected to {home.headers['Location']}, not to sign in")
            hsts = home.headers.get("Strict-Transport-Security", "")
            if "max-age=31536000" not in hsts or "includeSubDomains" not in hsts:
                raise Failed(f"Strict-Transport-Security is {hsts!r}")
            login = anonymous.get("/accounts/login/")
            for header, wanted in (("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff")):
                if login.headers.get(header) != wanted:
                    raise Failed(f"{header} is {login.headers.get(header)!r}, expected {wanted}")
            if "frame-ancestors 'none'" not in login.headers.get("Content-Security-Policy", ""):
                raise Failed("the Content-Security-Policy lets other sites frame the sign-in page")
            cookie = next((c for c in anonymous.session.cookies if c.name == "csrftoken"), None)
            if cookie is None or not cookie.secure:
                raise Failed("the CSRF cookie is missing or not Secure")
            note(
                f"HSTS {hsts}; X-Frame-Options DENY; secure cookies; request id {login.headers['X-Request-ID']}"
            )

        with step(
            "The operator creates the first admin (manage.py createsuperuser); seed_demo refuses"
        ) as note:
            code, output = self.c.manage(
                "createsuperuser",
                "--noinput",
                env={
                    "DJANGO_SUPERUSER_USERNAME": "ops",
                    "DJANGO_SUPERUSER_EMAIL": "ops@example.com",
                    "DJANGO_SUPERUSER_PASSWORD": self.password,
                },
            )
            if code != 0:
                raise Failed(f"createsuperuser: {output}")
            code, output = self.c.manage("seed_demo")
            if code == 0 or "refuses to run in production" not in output:
                raise Failed(f"seed_demo did not refuse in production (exit {code}): {output[-300:]}")
            note("superuser ops created; seed_demo: " + output.strip().splitlines()[-1][:120])

        ops = Browser("ops", run)
        with step(
            "ops signs in to the admin site and creates the workspace, its admin, author and approver"
        ) as note:
            ops.sign_in("/admin/login/", "ops", self.password)
            ids = {}
            for username in ("ada", "maya", "noah"):
                form_page = ops.get("/admin/accounts/user/add/")
                created = ops.submit(
                    form_page,
                    lambda f: f.has("password1"),
                    {"username": username, "password1": self.password, "password2": self.password},
                )
                match = re.search(r"/admin/accounts/user/(\d+)/change/", created.headers.get("Location", ""))
                if not match:
                    raise Failed(f"adding {username} went to {created.headers.get('Location')}")
                ids[username] = match.group(1)
            form_page = ops.get("/admin/accounts/workspace/add/")
            memberships = {"ada": "admin", "maya": "author", "noah": "approver"}
            values = {
                "name": "Acme Cloud",
                "slug": "acme-cloud",
                "memberships-TOTAL_FORMS": str(len(memberships)),
            }
            for i, (username, role) in enumerate(memberships.items()):
                values |= {f"memberships-{i}-user": ids[username], f"memberships-{i}-role": role}
            ops.submit(form_page, lambda f: f.has("slug"), values)
            note(
                f"users {', '.join(f'{u} (#{i})' for u, i in ids.items())}; workspace Acme Cloud with {memberships}"
            )

        ada = Browser("ada", run)
        with step(
            "ada connects the workspace to LinkedIn: OAuth against the LinkedIn stand-in, as a browser"
        ) as note:
            ada.sign_in("/accounts/login/", "ada", self.password)
            to_linkedin = ada.submit(ada.get("/linkedin/"), by_action("/linkedin/connect/"))
            authorize = to_linkedin.headers["Location"]
            if not authorize.startswith(f"{run.linkedin_url}/oauth/v2/authorization?"):
                raise Failed(f"Connect LinkedIn sent the browser to {authorize}")
            query = parse_qs(urlsplit(authorize).query)
            self.seen_secrets["OAuth state"] = query["state"][0]
            consent = ada.get(authorize)
            back = ada.submit(
                consent, lambda f: f.has("member"), {"member": "ada-admin"}, button=("decision", "allow")
            )
            callback = back.headers["Location"]
            if not callback.startswith(f"{run.site_url}/linkedin/callback/"):
                raise Failed(f"LinkedIn sent the browser back to {callback}")
            returned = parse_qs(urlsplit(callback).query)
            if "code" not in returned:
                raise Failed(f"LinkedIn returned no code: {returned}")
            self.seen_secrets["OAuth code"] = returned["code"][0]
            chosen = ada.get(callback, expect=(302,))
            if not chosen.headers["Location"].endswith("/linkedin/account/"):
                raise Failed(
                    f"after the callback: {chosen.headers['Location']} {problems_on(ada.get('/linkedin/').text)}"
                )
            account_page = ada.get("/linkedin/account/")
            ada.submit(
                account_page,
                lambda f: f.has("account") or "account" in f.options,
                {"account": "urn:li:sponsoredAccount:508915158"},
            )
            connection = ada.get("/linkedin/").text
            if "Q4 Finance Webinar" not in connection or "Dana Whitfield" not in connection:
                raise Failed(f"the connection page lists no campaigns or senders: {problems_on(connection)}")
            note(
                f"authorization at {run.linkedin_url}/oauth/v2, code exchanged server to server, account 508915158 chosen"
            )
            note("campaigns and senders imported from the stand-in")

        maya = Browser("maya", run)
        with step("maya signs in through one web process; her session carries on at the other") as note:
            signed_in = maya.sign_in("/accounts/login/", "maya", self.password)
            first = self.served_by(signed_in)
            for _ in range(8):
                listing = maya.get("/ads/")
                other = self.served_by(listing)
                if other != first:
                    break
            else:
                raise Failed(f"every request went to web{first + 1}: is the proxy balancing?")
            if listing.status_code != 200 or "Sign out" not in listing.text or "maya" not in listing.text:
                raise Failed(f"web{other + 1} did not know maya's session")
            note(f"signed in through web{first + 1}, drafts list served to her by web{other + 1}")

        png = banner_png()
        digest = hashlib.sha256(png).hexdigest()
        with step("maya uploads a banner and writes a message ad with it") as note:
            editor = maya.get("/ads/new/")
            uploaded = maya.request(
                "POST",
                "/ads/banner/",
                htmx=True,
                referer=editor.url,
                files={"banner_file": ("banner.png", png, "image/png")},
            )
            banner_id = attribute(re.sub(r"\s+", " ", uploaded.text), 'name="banner" value')
            if not banner_id:
                raise Failed(f"the banner upload answered no banner: {problems_on(uploaded.text)}")
            upload_web = self.served_by(uploaded)
            form = next(f for f in page(editor.text).forms if f.attrs.get("id") == "ad-form")
            sender = next((v for v, label in form.options.get("sender", []) if "Dana Whitfield" in label), "")
            if not sender:
                raise Failed(f"Dana Whitfield is not among the senders: {form.options.get('sender')}")
            subject = f"A seat at our Q4 webinar, %FIRSTNAME%? ({secrets.token_hex(3)})"
            saved = maya.submit(
                editor,
                lambda f: f.attrs.get("id") == "ad-form",
                {
                    "name": "Q4 webinar invite (prod-check)",
                    "sender": sender,
                    "subject": subject,
                    "body": "<p>Hi %FIRSTNAME%,</p><p>Join us on <b>12 December</b> for the Q4 finance webinar.</p>",
                    "cta_kind": "landing_page",
                    "cta_text": "Save my seat",
                    "landing_page_url": "https://example.com/webinar",
                    "footer": "Acme Cloud, 1 Market St.",
                    "banner": banner_id,
                },
            )
            match = re.search(r"/ads/(\d+)/$", saved.headers.get("Location", ""))
            if not match:
                raise Failed(f"saving the ad went to {saved.headers.get('Location')}")
            ad_id = int(match.group(1))
            note(
                f"banner #{banner_id} uploaded through web{upload_web + 1} (sha256 {digest[:12]}…); ad #{ad_id} saved"
            )

        with step(
            "The banner uploaded through one web process is served by the other (private S3 bucket)"
        ) as note:
            for _ in range(8):
                edit = maya.get(f"/ads/{ad_id}/")
                shown_by = self.served_by(edit)
                if shown_by != upload_web:
                    break
            else:
                raise Failed(f"every request went to web{upload_web + 1}")
            match = re.search(r'<figure class="banner-thumb"><img src="([^"]+)"', edit.text)
            if not match:
                raise Failed(f"web{shown_by + 1}'s editor shows no banner")
            src = match.group(1).replace("&amp;", "&")
            on_disk = [str(p) for d in self.c.media_dirs for p in d.rglob("*") if p.is_file()]
            if on_disk:
                raise Failed(f"media was written to a web process's own disk, not the bucket: {on_disk}")
            if src.startswith(f"{run.s3_url}/{run.bucket}/"):
                # A signed URL straight to the bucket: the browser fetches it there.
                if urlsplit(run.s3_url).netloc not in edit.headers.get("Content-Security-Policy", ""):
                    raise Failed("the Content-Security-Policy does not allow images from the bucket")
                fetched = requests.get(src, verify=run.ca_file, timeout=10)
                unsigned = requests.get(src.split("?", 1)[0], verify=run.ca_file, timeout=10)
                if unsigned.status_code != 403:
                    raise Failed(f"the bucket serves the banner without a signature ({unsigned.status_code})")
                how = f"web{shown_by + 1} rendered a signed bucket URL; unsigned it is refused (403)"
            elif src.startswith(("/", run.site_url)):
                # An address of the app's own (media served through the app, from the bucket).
                for _ in range(8):
                    fetched = maya.get(src)
                    if self.served_by(fetched) != upload_web:
                        break
                else:
                    raise Failed(f"every request for the banner went to web{upload_web + 1}")
                how = (
                    f"web{self.served_by(fetched) + 1} served it from the bucket at {urlsplit(src).path[:40]}"
                )
            else:
                raise Failed(f"the banner is served from {src[:80]}, neither the bucket nor the app")
            if fetched.status_code != 200 or hashlib.sha256(fetched.content).hexdigest() != digest:
                raise Failed(
                    f"the banner fetched: {fetched.status_code}, {len(fetched.content)} bytes, other bytes"
                )
            note(f"{how}; the same bytes came back; both web processes' own media folders are empty")

        with step("maya chooses the LinkedIn campaign and submits the ad for review") as note:
            panel = page(self.panel(maya, ad_id))
            form = next(f for f in panel.forms if "campaign" in f.options)
            campaign = next(
                (v for v, label in form.options["campaign"] if label.startswith("Q4 Finance Webinar")), ""
            )
            if not campaign:
                raise Failed(f"no Q4 Finance Webinar among {form.options['campaign']}")
            maya.request(
                "POST",
                f"/linkedin/ads/{ad_id}/campaign/",
                htmx=True,
                data={"campaign": campaign},
                referer=maya.url(f"/ads/{ad_id}/"),
            )
            # "Submit for review" submits the editor's own form: what is on screen is saved, then submitted.
            maya.submit(
                maya.get(f"/ads/{ad_id}/"),
                lambda f: f.attrs.get("id") == "ad-form",
                button=("then_submit", "1"),
            )
            state = attribute(self.panel(maya, ad_id), "data-state")
            if state != "in_review":
                raise Failed(f"after submitting, the ad is {state}")
            note(f"campaign {campaign}; state in_review")

        stakeholder = Browser("a stakeholder", run)
        with step(
            "maya shares a preview with Legal; Legal opens it without an account; once revoked it is refused"
        ) as note:
            share_page = maya.get(f"/review/ads/{ad_id}/share/")
            maya.submit(share_page, lambda f: f.has("recipient"), {"recipient": "Legal (Maria Chen)"})
            share_page = maya.get(f"/review/ads/{ad_id}/share/")
            match = re.search(r'class="share-url"[^>]*value="([^"]+)"', share_page.text)
            if not match:
                raise Failed("the share page shows no link")
            link = match.group(1)
            token = urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1]
            self.seen_secrets["share-link token"] = token
            opened = stakeholder.get(link)
            if "12 December" not in opened.text:
                raise Failed("the shared preview does not show the ad")
            maya.submit(share_page, by_action("/revoke/"))
            refused = stakeholder.get(link, expect=(403, 404, 410))
            note(f"opened: {opened.status_code}; after revoking: {refused.status_code}")

        noah = Browser("noah", run)
        with step("noah (the approver, not the author) approves the revision") as note:
            noah.sign_in("/accounts/login/", "noah", self.password)
            detail = noah.get(f"/review/ads/{ad_id}/")
            decided = noah.submit(
                detail, lambda f: f.attrs.get("id") == "decision-form", button=("decision", "approve")
            )
            self.approval_request_id = decided.headers["X-Request-ID"]
            note(f"approved (request id {self.approval_request_id})")

        with step("The worker syncs the approved revision to LinkedIn (the panel the UI polls)") as note:

            def synced() -> tuple[bool, str]:
                html = self.panel(noah, ad_id)
                state = attribute(html, "data-state")
                if state == "sync_failed":
                    raise Failed(f"the sync failed: {problems_on(html)}")
                return state == "synced", state

            self.until("the sync", synced)
            creative = re.search(r"creative <code>([^<]+)</code>", self.panel(noah, ad_id))
            note(
                f"synced: creative {creative.group(1) if creative else '?'} (DRAFT) on the LinkedIn stand-in"
            )

        with step("maya sends a test message to the connected member's LinkedIn inbox") as note:
            sent = maya.request(
                "POST", f"/linkedin/ads/{ad_id}/test-send/", htmx=True, referer=maya.url(f"/ads/{ad_id}/")
            )
            if "li-flash-error" in sent.text:
                raise Failed(f"test send refused: {problems_on(sent.text)}")

            def delivered() -> tuple[bool, str]:
                html = self.panel(maya, ad_id)
                status = attribute(html, "data-test-send-status")
                if status == "failed":
                    raise Failed(f"the test send failed: {problems_on(html) or html[:300]}")
                state = attribute(html, "data-state")
                return status == "sent" and state == "tested", f"state {state}, test send {status or '-'}"

            note(self.until("the test send", delivered))

        with step("noah launches the ad; it goes live on LinkedIn") as note:
            launched = noah.request(
                "POST", f"/linkedin/ads/{ad_id}/launch/", htmx=True, referer=noah.url(f"/ads/{ad_id}/")
            )
            if "li-flash-error" in launched.text:
                raise Failed(f"launch refused: {problems_on(launched.text)}")

            def live() -> tuple[bool, str]:
                html = self.panel(noah, ad_id)
                if "li-flash-error" in html or "li-error" in html:
                    raise Failed(f"launch failed: {problems_on(html)}")
                return attribute(html, "data-state") == "live", attribute(html, "data-state")

            note("state " + self.until("the launch", live))

        with step(
            "Beat pulls the live ad's results from LinkedIn's analytics (nobody presses Refresh)"
        ) as note:

            def pulled() -> tuple[bool, str]:
                html = maya.get(f"/guidance/ads/{ad_id}/results/").text
                if "The last refresh failed" in html:
                    raise Failed(f"the results pull failed: {problems_on(html)}")
                return "Updated <time" in html, "not pulled yet"

            self.until("the results pull", pulled, timeout=45)
            html = maya.get(f"/guidance/ads/{ad_id}/results/").text
            sends = re.search(r'data-total="sends">([^<]+)<', html)
            note(f"results updated by beat; sends so far: {sends.group(1) if sends else 'none reported yet'}")

        with step("ops exports the audit trail (CSV) from the admin site") as note:
            export = ops.get("/admin/review/auditevent/export/")
            if not export.headers.get("Content-Type", "").startswith("text/csv"):
                raise Failed(f"the export is {export.headers.get('Content-Type')}")
            rows = list(csv.reader(io.StringIO(export.text)))
            ours = [r for r in rows[1:] if r[2].startswith(f"{ad_id} ")]
            actions = [r[5] for r in ours]
            if not ours or not any("approv" in a for a in actions):
                raise Failed(f"the export has no approval of ad {ad_id}: {actions}")
            note(f"{len(rows) - 1} events, {len(ours)} for ad #{ad_id}: {', '.join(dict.fromkeys(actions))}")

        with step(
            "The logs: JSON lines, no secret the journey saw, the approval's request id on the worker's sync"
        ) as note:
            self.check_logs(note)

    def check_logs(self, note: Callable[[str], None]) -> None:
        names = ["web1", "web2", "worker", "beat", "linkedin", "proxy"]
        texts = {name: self.c.logs(name).read_text(errors="replace") for name in names}
        for name, text in texts.items():
            for label, value in self.seen_secrets.items():
                if value and value in text:
                    raise Failed(f"the {label} the journey saw is written in {name}.log")
            for pattern in (
                r"/review/s/(?!\[redacted\])[^/\s\"?]+",
                r"/upload/images/(?!\[redacted\])[^/\s\"?]+",
                r"[?&](?:code|state)=(?!\[redacted\])[^&\s\"]+",
            ):
                found = re.search(pattern, text)
                if found:
                    raise Failed(f"{name}.log holds an unredacted secret: …{found.group(0)[:40]}…")
        web = texts["web1"] + texts["web2"]
        if "/review/s/[redacted]/" not in web:
            raise Failed(
                "the share link's requests are missing from the web logs (the check above would prove nothing)"
            )
        lines = [json.loads(line) for line in texts["web1"].splitlines() if line.startswith("{")]
        if not lines or not any("http" in line for line in lines):
            raise Failed("web1's log has no JSON access lines")
        worker = [json.loads(line) for line in texts["worker"].splitlines() if line.startswith("{")]
        carried = [line for line in worker if line.get("request_id") == self.approval_request_id]
        if not carried:
            raise Failed(f"no worker line carries the approval's request id {self.approval_request_id}")
        tasks = sorted({line.get("task", "") for line in carried if line.get("task")})
        note(
            f"searched {', '.join(n + '.log' for n in names)} for the {', '.join(self.seen_secrets)}: none; "
            f"redacted forms present"
        )
        note(
            f"{len(carried)} worker lines carry the approval's request id (tasks: {', '.join(tasks) or '-'})"
        )
