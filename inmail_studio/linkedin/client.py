"""The one seam where InMail Studio speaks HTTP to LinkedIn (or to the sandbox, which is the same thing).

Only this module knows base URLs, headers, the API version, Rest.li encoding,
timeouts and status codes. Every failure leaves it as one of two errors:

- `Transient`: worth retrying later (429, 5xx, timeouts, dropped connections);
- `Rejected(status, code, message)`: LinkedIn said no (other 4xx); retrying won't help.
  `Unauthorized` (401) is a `Rejected` the caller can answer by refreshing the token.

Tokens are held in `Secret`s and the functions that touch them are marked sensitive,
so neither a log line, a repr nor Django's error page can show one.
"""

from __future__ import annotations

import os
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlencode

import requests
import urllib3
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from inmail_studio.dispatch import RetryableError

from . import restli

# LinkedIn's request id headers; the first that is present is recorded in the ledger.
REQUEST_ID_HEADERS = ("x-li-request-id", "x-li-uuid", "x-restli-request-id")
# What the app asks for at authorization (contract R01): managing ads (rw_ads, r_ads), reading
# their results (r_ads_reporting, LinkedIn's reporting page) and who the member is (OpenID
# Connect's openid and profile: /rest/me needs r_basicprofile, which the app does not ask for).
SCOPES = ("rw_ads", "r_ads", "r_ads_reporting", "openid", "profile")
# Cursor paging (pageSize/pageToken, metadata.nextPageToken) of the search finders since 202401;
# LinkedIn's default page is 100 (its "cursor based pagination" page). Contract R07, R10, R22.
PAGE_SIZE = 100
# A finder that keeps answering pages this long is looping (a token that never ends).
MAX_PAGES = 1000


class Secret:
    """A string that never shows itself in a repr, a log line or a traceback's locals."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class LinkedInError(Exception):
    """Base of the two errors the client raises."""

    status: int | None = None
    request_id: str = ""

    def explain(self) -> str:
        return str(self)


class Transient(LinkedInError, RetryableError):
    """LinkedIn could not answer now (429, 5xx, timeout, dropped connection): try again later.

    `sent` is True when the request may have reached LinkedIn and been acted on
    (a dropped connection or a read timeout), which matters for creates.
    """

    def __init__(self, message: str, *, status: int | None = None, request_id: str = "", sent: bool = True):
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id
        self.sent = sent

    @property
    def answer_lost(self) -> bool:
        """The request left and no answer came at all: LinkedIn may have acted on it (or not)."""
        return self.sent and self.status is None

    def explain(self) -> str:
        if self.status == 429:
            return "LinkedIn is throttling requests from this account right now; we'll try again shortly."
        return "LinkedIn didn't answer in time; we'll try again shortly."


# What a marketer should read for LinkedIn's error codes (top-level or per input).
EXPLANATIONS: dict[str, str] = {
    "SINMAIL_SENDER_NOT_APPROVED": (
        "The sender hasn't approved sending ads for this ad account. Ask them to accept the "
        "sender permission request in their LinkedIn email, then retry."
    ),
    "ACCESS_DENIED": (
        "The connected LinkedIn member isn't allowed to do this on the ad account. "
        "A workspace admin should reconnect LinkedIn with a member who manages the account."
    ),
    "LEAD_GEN_FORM_MISSING": (
        "This lead gen ad names no lead form. Choose the ad's lead gen form (urn:li:adForm:…) and sync again."
    ),
    "FIELD_VALUE_TOO_LONG": "LinkedIn says a field is too long: {detail}",
    "INMAIL_CONTENT_IMMUTABLE": (
        "LinkedIn no longer lets this ad change: it is live. Duplicate it to make a new version."
    ),
    "IMAGE_NOT_AVAILABLE": "The banner didn't finish uploading to LinkedIn; sync again to upload it anew.",
    "INVALID_IMAGE_DIMENSIONS": "LinkedIn refused the banner's size: {detail}",
    "INVALID_URL": "LinkedIn refused a link: {detail}",
}
# Top-level codes that only say "see the details" (LinkedIn's validation answers).
GENERIC_CODES = frozenset({"", "VALIDATION_FAILED", "UNPROCESSABLE_ENTITY", "INVALID_ARGUMENT", "REJECTED"})


@dataclass(frozen=True)
class InputError:
    """One entry of LinkedIn's `errorDetails.inputErrors`: what was wrong with which field."""

    code: str
    description: str
    field: str


class Rejected(LinkedInError):
    """LinkedIn refused the request (a 4xx other than 429), with its status, code and message.

    `code` is the most specific code LinkedIn gave: the first `errorDetails.inputErrors[].code`
    when the top-level code is a generic one (VALIDATION_FAILED), else the top-level code.
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        request_id: str = "",
        inputs: tuple[InputError, ...] = (),
        top_code: str = "",
    ):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.inputs = inputs
        self.top_code = top_code or code

    def explain(self) -> str:
        """The refusal in words a marketer understands, from the most specific code LinkedIn gave."""
        detail = self.inputs[0].description if self.inputs else self.message
        if self.code in EXPLANATIONS:
            return EXPLANATIONS[self.code].format(detail=detail)
        if self.status == 401:
            return "LinkedIn no longer accepts this workspace's connection. A workspace admin must reconnect LinkedIn."
        if self.inputs:
            where = f" ({self.inputs[0].field})" if self.inputs[0].field else ""
            return f"LinkedIn refused the ad: {detail}{where}"
        if self.status == 422:
            return f"LinkedIn refused the ad: {self.message}"
        if self.status == 404:
            return f"LinkedIn couldn't find something the ad refers to: {self.message}"
        return f"LinkedIn refused the request: {self.message or self.code}"


class VersionRefused(Rejected):
    """426: LinkedIn no longer (or never) answers the configured API version.

    The admin must change a setting; the message names it and the version to set (the newest
    one the calendar lists as answered today).
    """

    def __init__(self, status: int, code: str, message: str, *, version: str, request_id: str = ""):
        super().__init__(status, code, message, request_id=request_id)
        self.version = version

    def explain(self) -> str:
        from django.utils import timezone

        from . import versions

        newest = versions.newest_active(timezone.now().date())
        fix = (
            f" An administrator must set LINKEDIN_API_VERSION={newest.name} (the newest version LinkedIn "
            "lists) and restart the app."
            if newest and newest.name != self.version
            else " An administrator must set LINKEDIN_API_VERSION to a version LinkedIn lists as active and restart the app."
        )
        return f"LinkedIn no longer accepts API version {self.version} (LINKEDIN_API_VERSION).{fix}"


class Unauthorized(Rejected):
    """401: the token is missing, expired or revoked."""


@dataclass(frozen=True)
class Call:
    """One HTTP exchange, as the ledger records it (never the token, never the body)."""

    method: str
    resource: str
    status: int | None
    request_id: str
    duration_ms: int
    error: str = ""


@dataclass
class Response:
    status: int
    headers: Mapping[str, str]
    data: Any
    request_id: str


_local = threading.local()


def _session() -> requests.Session:
    """One pooled session per thread (requests sessions are not safe to share between threads)."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        # With no proxy configured, the environment is read once here instead of on every request
        # (requests re-reads proxies, ~/.netrc and the CA bundle variables per call when trust_env
        # is on: a stat and a scan of os.environ each time). A netrc entry must never replace the
        # bearer token anyway. With a proxy configured, requests keeps doing it (no_proxy rules).
        if not urllib.request.getproxies():
            session.trust_env = False
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            if bundle:
                session.verify = bundle
        _local.session = session
    return session


def _timeouts() -> tuple[float, float]:
    return (settings.LINKEDIN_CONNECT_TIMEOUT, settings.LINKEDIN_READ_TIMEOUT)


def _never_connected(error: requests.ConnectionError) -> bool:
    """True when the request never left this machine (refused connection, DNS failure)."""
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def _request_id(headers: Mapping[str, str]) -> str:
    for name in REQUEST_ID_HEADERS:
        if headers.get(name):
            return headers[name]
    return ""


def _input_errors(body: Mapping[str, Any]) -> tuple[InputError, ...]:
    """`errorDetails.inputErrors[]` as LinkedIn's validation answers carry them (contract: errors)."""
    details = body.get("errorDetails")
    found = details.get("inputErrors") if isinstance(details, dict) else None
    if not isinstance(found, list):
        return ()
    errors = []
    for item in found:
        if not isinstance(item, dict):
            continue
        path = (
            ((item.get("input") or {}).get("inputPath") or {}) if isinstance(item.get("input"), dict) else {}
        )
        errors.append(
            InputError(
                code=str(item.get("code") or ""),
                description=str(item.get("description") or item.get("message") or ""),
                field=str(path.get("fieldPath") or "") if isinstance(path, dict) else "",
            )
        )
    return tuple(errors)


def _error_from(response: requests.Response, request_id: str, *, version: str = "") -> LinkedInError:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    top = str(body.get("code") or body.get("serviceErrorCode") or "")
    message = str(body.get("message") or response.reason or "")
    if status == 429 or status >= 500:
        return Transient(f"{status} {top}: {message}".strip(), status=status, request_id=request_id)
    if status == 426:
        return VersionRefused(
            status, top or "NONEXISTENT_VERSION", message, version=version, request_id=request_id
        )
    if status == 401:
        return Unauthorized(status, top or "UNAUTHORIZED", message, request_id=request_id)
    inputs = _input_errors(body)
    specific = next((e.code for e in inputs if e.code), "")
    code = specific if top in GENERIC_CODES and specific else (top or "REJECTED")
    return Rejected(status, code, message, request_id=request_id, inputs=inputs, top_code=top)


class LinkedIn:
    """A Rest.li client for the Marketing API, authenticated as one member.

    `refresh`, when given, is called once on a 401 and should return a fresh token
    (or None when there is none); the call is then repeated with it.
    `observer` receives a `Call` for every exchange, successful or not; `before_send`, when given,
    is called as each request is about to leave (the ledger writes what it still holds then).
    """

    @sensitive_variables("token")
    def __init__(
        self,
        *,
        token: Secret,
        base_url: str | None = None,
        version: str | None = None,
        session: requests.Session | None = None,
        refresh: Callable[[], Secret | None] | None = None,
        observer: Callable[[Call], None] | None = None,
        before_send: Callable[[], None] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: tuple[float, float] | None = None,
    ) -> None:
        self._token = token
        self.base_url = (base_url or settings.LINKEDIN_API_BASE_URL).rstrip("/")
        self.version = version or settings.LINKEDIN_API_VERSION
        self._session = session
        self._refresh = refresh
        self.observer = observer
        self.before_send = before_send
        self.extra_headers = dict(extra_headers if extra_headers is not None else default_extra_headers())
        self.timeout = timeout or _timeouts()

    def __repr__(self) -> str:
        return f"LinkedIn(base_url={self.base_url!r}, version={self.version!r})"

    # --- Rest.li methods -------------------------------------------------------------

    def get(self, resource: str, key: str | None = None, *, params: Mapping[str, Any] | None = None) -> Any:
        path = f"{resource}/{restli.key(key)}" if key is not None else resource
        return self._send("GET", path, params=params).data

    def batch_get(self, resource: str, ids: list[str]) -> dict[str, Any]:
        """Entities by id; ids LinkedIn could not find are left out."""
        if not ids:
            return {}
        data = self._send("GET", resource, params={"ids": ids}, method_header="BATCH_GET").data or {}
        return dict(data.get("results", {}))

    def search(self, resource: str, name: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        """All elements of a search finder that pages by cursor (adAccounts, adCampaigns, creatives):
        `pageSize` and `pageToken` in, `metadata.nextPageToken` out until the last page (202401+)."""
        elements: list[Any] = []
        token: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            query = {"q": name, **(params or {}), "pageSize": PAGE_SIZE}
            if token is not None:
                query["pageToken"] = token
            data = self._send("GET", resource, params=query).data or {}
            elements.extend(data.get("elements", []))
            token = ((data.get("metadata") or {}).get("nextPageToken")) or None
            if token is None:
                return elements
            if token in seen:
                raise Transient("LinkedIn's paging went round in a circle.", status=200, sent=False)
            seen.add(token)
        raise Transient("LinkedIn kept answering pages; gave up.", status=200, sent=False)

    def finder(self, resource: str, name: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        """All elements of a finder that pages by index (`start`/`count`, `paging.total`)."""
        return self._index_pages(resource, {"q": name, **(params or {})})

    def get_all(self, resource: str) -> list[Any]:
        """All elements of a GET_ALL (sub-resources such as a conversation's messages), index paging."""
        return self._index_pages(resource, {})

    def find_once(self, resource: str, name: str, params: Mapping[str, Any]) -> list[Any]:
        """A finder that does not page (adAnalytics: "does not support pagination")."""
        data = self._send("GET", resource, params={"q": name, **params}).data or {}
        return list(data.get("elements", []))

    def _index_pages(self, resource: str, params: dict[str, Any]) -> list[Any]:
        elements: list[Any] = []
        start, count = 0, PAGE_SIZE
        for _ in range(MAX_PAGES):
            data = self._send("GET", resource, params={**params, "start": start, "count": count}).data
            page = list((data or {}).get("elements", []))
            elements.extend(page)
            total = ((data or {}).get("paging") or {}).get("total")
            start += len(page)
            if not page or len(page) < count or (total is not None and start >= int(total)):
                return elements
        raise Transient("LinkedIn kept answering pages; gave up.", status=200, sent=False)

    def create(self, resource: str, body: Mapping[str, Any], *, urn_type: str | None = None) -> str:
        """Create an entity; returns its id from `x-restli-id` (or `x-linkedin-id`), a bare number
        turned into `urn:li:<urn_type>:N` (contract R11, R27: some creates answer the number)."""
        response = self._send("POST", resource, json=body, method_header="CREATE")
        header = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id") or ""
        if not header and isinstance(response.data, dict):
            header = str(response.data.get("id", ""))
        if not header:
            raise Transient("LinkedIn created the entity but sent no id.", status=response.status)
        return restli.decode_id(header, urn_type)

    def batch_create(self, resource: str, elements: Sequence[Mapping[str, Any]]) -> list[str]:
        """BATCH_CREATE `{"elements": [...]}`; the new ids in order, or Rejected for the first refused one."""
        data = self._send(
            "POST", resource, json={"elements": [dict(e) for e in elements]}, method_header="BATCH_CREATE"
        ).data
        results = list((data or {}).get("elements", []))
        if len(results) != len(elements):
            raise Transient("LinkedIn's batch answer doesn't match the batch sent.", status=200)
        ids = []
        for result in results:
            status = int(result.get("status") or 0)
            if status >= 400 or not result.get("id"):
                error = result.get("error") or {}
                raise Rejected(
                    status or 422,
                    str(error.get("code") or "REJECTED"),
                    str(error.get("message") or "LinkedIn refused an element of the batch."),
                    inputs=_input_errors(error) if isinstance(error, dict) else (),
                )
            ids.append(unquote(str(result["id"])))
        return ids

    def partial_update(self, resource: str, key: str, fields: Mapping[str, Any]) -> None:
        self._send(
            "POST",
            f"{resource}/{restli.key(key)}",
            json={"patch": {"$set": dict(fields)}},
            method_header="PARTIAL_UPDATE",
        )

    def action(self, resource: str, name: str, params: Mapping[str, Any]) -> Any:
        data = self._send(
            "POST", resource, params={"action": name}, json=dict(params), method_header="ACTION"
        ).data
        if isinstance(data, dict) and set(data) == {"value"}:
            return data["value"]
        return data

    def upload(self, url: str, data: bytes, *, content_type: str) -> None:
        """PUT a file to an upload URL LinkedIn handed out (same host rules, same errors). Contract R15."""
        self._send("PUT", url, data=data, content_type=content_type, absolute=True, versioned=False)

    def userinfo(self) -> dict[str, Any]:
        """Who the token's member is, from OpenID Connect's userinfo (contract R06): `sub`, names.

        Unversioned (under /v2, no LinkedIn-Version); needs the openid scope, the names profile.
        """
        url = settings.LINKEDIN_USERINFO_URL or (
            settings.LINKEDIN_API_BASE_URL.removesuffix("/rest") + "/v2/userinfo"
        )
        data = self._send("GET", url, absolute=True, versioned=False).data
        return dict(data) if isinstance(data, dict) else {}

    # --- the exchange -----------------------------------------------------------------

    @sensitive_variables("headers", "token")
    def _headers(self, method_header: str | None, *, versioned: bool = True) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self._token.reveal()}", "Accept": "application/json"}
        if versioned:
            headers["LinkedIn-Version"] = self.version
            headers["X-Restli-Protocol-Version"] = restli.PROTOCOL_VERSION
        headers.update(self.extra_headers)
        if method_header:
            headers["X-RestLi-Method"] = method_header
        return headers

    @sensitive_variables("headers")
    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: bytes | None = None,
        content_type: str | None = None,
        method_header: str | None = None,
        absolute: bool = False,
        versioned: bool = True,
        retried_auth: bool = False,
    ) -> Response:
        url = path if absolute else f"{self.base_url}/{path}"
        if params:
            url = f"{url}?{restli.query(params)}"
        headers = self._headers(method_header, versioned=versioned)
        if content_type:
            headers["Content-Type"] = content_type
        resource = path.split("?")[0] if not absolute else ("upload" if method == "PUT" else "userinfo")
        if self.before_send is not None:
            self.before_send()
        started = time.monotonic()
        session = self._session or _session()
        try:
            response = session.request(
                method, url, headers=headers, json=json, data=data, timeout=self.timeout
            )
        except requests.ConnectTimeout as error:
            self._observe(method, resource, None, "", started, "connect timeout")
            raise Transient("LinkedIn could not be reached (connect timeout).", sent=False) from error
        except requests.ConnectionError as error:
            sent = not _never_connected(error)
            self._observe(method, resource, None, "", started, "connection error")
            raise Transient("The connection to LinkedIn was lost.", sent=sent) from error
        except requests.Timeout as error:
            self._observe(method, resource, None, "", started, "read timeout")
            raise Transient("LinkedIn did not answer in time (read timeout).") from error
        except requests.RequestException as error:
            self._observe(method, resource, None, "", started, type(error).__name__)
            raise Transient(f"The request to LinkedIn failed ({type(error).__name__}).") from error
        request_id = _request_id(response.headers)
        if response.status_code >= 400:
            problem = _error_from(response, request_id, version=self.version)
            self._observe(method, resource, response.status_code, request_id, started, str(problem))
            if isinstance(problem, Unauthorized) and self._refresh is not None and not retried_auth:
                fresh = self._refresh()
                if fresh:
                    self._token = fresh
                    return self._send(
                        method,
                        path,
                        params=params,
                        json=json,
                        data=data,
                        content_type=content_type,
                        method_header=method_header,
                        absolute=absolute,
                        versioned=versioned,
                        retried_auth=True,
                    )
            raise problem
        try:
            body = response.json() if response.content else None
        except ValueError as error:
            self._observe(method, resource, response.status_code, request_id, started, "unreadable body")
            raise Transient("LinkedIn's answer was cut off.", status=response.status_code) from error
        self._observe(method, resource, response.status_code, request_id, started, "")
        return Response(response.status_code, response.headers, body, request_id)

    def _observe(
        self, method: str, resource: str, status: int | None, request_id: str, started: float, error: str
    ) -> None:
        if self.observer is not None:
            duration = int((time.monotonic() - started) * 1000)
            self.observer(Call(method, resource, status, request_id, duration, error))


def default_extra_headers() -> dict[str, str]:
    """Headers added to every call from settings (the sandbox's fault-injection headers in tests and benchmarks)."""
    faults = getattr(settings, "LINKEDIN_SANDBOX_FAULTS", "")
    return {"X-Sandbox-Faults": faults} if faults and settings.LINKEDIN_SANDBOX else {}


# --- OAuth 2.0 ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenGrant:
    access_token: Secret
    expires_in: int
    scopes: tuple[str, ...]
    refresh_token: Secret | None = None
    refresh_token_expires_in: int | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)


class OAuth:
    """LinkedIn's OAuth 2.0 endpoints (authorization code and refresh token grants, introspection)."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        client_id: str | None = None,
        client_secret: Secret | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = (base_url or settings.LINKEDIN_OAUTH_BASE_URL).rstrip("/")
        self.client_id = client_id if client_id is not None else settings.LINKEDIN_CLIENT_ID
        self._client_secret = client_secret or Secret(settings.LINKEDIN_CLIENT_SECRET)
        self._session = session

    def __repr__(self) -> str:
        return f"OAuth(base_url={self.base_url!r}, client_id={self.client_id!r})"

    def authorization_url(self, *, redirect_uri: str, state: str, scopes: tuple[str, ...] = SCOPES) -> str:
        """Contract R01. Spaces as %20, not +: LinkedIn's example and the official client's
        (linkedin_api/clients/auth/utils/oauth.py, quote_via=quote) encode the scope list so."""
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(scopes),
                "state": state,
            },
            quote_via=quote,
        )
        return f"{self.base_url}/authorization?{query}"

    @sensitive_variables("code")
    def exchange_code(self, *, code: Secret, redirect_uri: str) -> TokenGrant:
        return self._token(
            {"grant_type": "authorization_code", "code": code.reveal(), "redirect_uri": redirect_uri}
        )

    @sensitive_variables("refresh_token")
    def refresh(self, *, refresh_token: Secret) -> TokenGrant:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token.reveal()})

    @sensitive_variables("token", "form")
    def introspect(self, *, token: Secret) -> dict[str, Any]:
        """Contract R04: whether the token is active, and the scopes it carries."""
        form = {"token": token.reveal(), **self._credentials()}
        return dict(self._post("introspectToken", form))

    @sensitive_variables("token", "form")
    def revoke(self, *, token: Secret) -> None:
        """Contract R05: revoke an access or refresh token at LinkedIn (answers 200, empty)."""
        form = {"token": token.reveal(), **self._credentials()}
        self._post("revoke", form)

    @sensitive_variables("form", "data")
    def _token(self, form: dict[str, str]) -> TokenGrant:
        data = self._post("accessToken", {**form, **self._credentials()})
        if "access_token" not in data:
            raise Rejected(400, "INVALID_RESPONSE", "LinkedIn answered without an access token.")
        refresh = data.get("refresh_token")
        return TokenGrant(
            access_token=Secret(str(data["access_token"])),
            expires_in=int(data.get("expires_in", 0)),
            scopes=tuple(str(data.get("scope", "")).replace(",", " ").split()),
            refresh_token=Secret(str(refresh)) if refresh else None,
            refresh_token_expires_in=(
                int(data["refresh_token_expires_in"]) if data.get("refresh_token_expires_in") else None
            ),
        )

    @sensitive_variables("form")
    def _credentials(self) -> dict[str, str]:
        return {"client_id": self.client_id, "client_secret": self._client_secret.reveal()}

    @sensitive_variables("form")
    def _post(self, endpoint: str, form: dict[str, str]) -> dict[str, Any]:
        session = self._session or _session()
        try:
            response = session.post(
                f"{self.base_url}/{endpoint}",
                data=form,
                headers={"Accept": "application/json", "X-Request-Id": uuid.uuid4().hex},
                timeout=_timeouts(),
            )
        except requests.RequestException as error:
            raise Transient(
                f"LinkedIn's sign-in service could not be reached ({type(error).__name__})."
            ) from error
        if response.status_code == 429 or response.status_code >= 500:
            raise Transient(
                f"LinkedIn's sign-in service answered {response.status_code}.", status=response.status_code
            )
        try:
            data = response.json() if response.content else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if response.status_code >= 400:
            code = str(data.get("error") or data.get("code") or "OAUTH_ERROR")
            message = str(data.get("error_description") or data.get("message") or response.reason)
            raise Rejected(response.status_code, code, message)
        return dict(data)
