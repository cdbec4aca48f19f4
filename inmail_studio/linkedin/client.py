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

import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
import urllib3
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from . import restli

# LinkedIn's request id headers; the first that is present is recorded in the ledger.
REQUEST_ID_HEADERS = ("x-li-request-id", "x-li-uuid", "x-restli-request-id")
SCOPES = ("rw_ads", "r_ads")


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


class Transient(LinkedInError):
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

    def explain(self) -> str:
        if self.status == 429:
            return "LinkedIn is throttling requests from this account right now; we'll try again shortly."
        return "LinkedIn didn't answer in time; we'll try again shortly."


# What a marketer should read for LinkedIn's error codes.
EXPLANATIONS: dict[str, str] = {
    "SINMAIL_SENDER_NOT_APPROVED": (
        "The sender hasn't approved sending ads for this ad account. Ask them to accept the "
        "sender permission request in their LinkedIn email, then retry."
    ),
    "ACCESS_DENIED": (
        "The connected LinkedIn member isn't allowed to do this on the ad account. "
        "A workspace admin should reconnect LinkedIn with a member who manages the account."
    ),
    "NONEXISTENT_VERSION": (
        "LinkedIn no longer accepts the API version this app uses. "
        "An administrator must update LINKEDIN_API_VERSION."
    ),
}


class Rejected(LinkedInError):
    """LinkedIn refused the request (a 4xx other than 429), with its status, code and message."""

    def __init__(self, status: int, code: str, message: str, *, request_id: str = ""):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id

    def explain(self) -> str:
        """The refusal in words a marketer understands."""
        if self.code in EXPLANATIONS:
            return EXPLANATIONS[self.code]
        if self.status == 401:
            return "LinkedIn no longer accepts this workspace's connection. A workspace admin must reconnect LinkedIn."
        if self.status == 422:
            return f"LinkedIn refused the ad: {self.message}"
        if self.status == 404:
            return f"LinkedIn couldn't find something the ad refers to: {self.message}"
        return f"LinkedIn refused the request: {self.message or self.code}"


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


def _error_from(response: requests.Response, request_id: str) -> LinkedInError:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = str(body.get("code") or body.get("serviceErrorCode") or "")
    message = str(body.get("message") or response.reason or "")
    if status == 429 or status >= 500:
        return Transient(f"{status} {code}: {message}".strip(), status=status, request_id=request_id)
    if status == 401:
        return Unauthorized(status, code or "UNAUTHORIZED", message, request_id=request_id)
    return Rejected(status, code or "REJECTED", message, request_id=request_id)


class LinkedIn:
    """A Rest.li client for the Marketing API, authenticated as one member.

    `refresh`, when given, is called once on a 401 and should return a fresh token
    (or None when there is none); the call is then repeated with it.
    `observer` receives a `Call` for every exchange, successful or not.
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
        extra_headers: Mapping[str, str] | None = None,
        timeout: tuple[float, float] | None = None,
    ) -> None:
        self._token = token
        self.base_url = (base_url or settings.LINKEDIN_API_BASE_URL).rstrip("/")
        self.version = version or settings.LINKEDIN_API_VERSION
        self._session = session
        self._refresh = refresh
        self.observer = observer
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

    def finder(self, resource: str, name: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        """All elements a finder returns, following LinkedIn's paging (`start`/`count`)."""
        elements: list[Any] = []
        start, count = 0, 100
        while True:
            data = self._send(
                "GET", resource, params={"q": name, **(params or {}), "start": start, "count": count}
            ).data
            page = list((data or {}).get("elements", []))
            elements.extend(page)
            total = ((data or {}).get("paging") or {}).get("total")
            start += len(page)
            if not page or len(page) < count or (total is not None and start >= int(total)):
                return elements

    def create(self, resource: str, body: Mapping[str, Any]) -> str:
        """Create an entity; returns its id (a URN) from `x-restli-id` (or `x-linkedin-id`)."""
        response = self._send("POST", resource, json=body, method_header="CREATE")
        header = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id") or ""
        if not header and isinstance(response.data, dict):
            header = str(response.data.get("id", ""))
        if not header:
            raise Transient("LinkedIn created the entity but sent no id.", status=response.status)
        return restli.decode_id(header)

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
        """PUT a file to an upload URL LinkedIn handed out (same host rules, same errors)."""
        self._send("PUT", url, data=data, content_type=content_type, absolute=True)

    # --- the exchange -----------------------------------------------------------------

    @sensitive_variables("headers", "token")
    def _headers(self, method_header: str | None) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self._token.reveal()}",
            "LinkedIn-Version": self.version,
            "X-Restli-Protocol-Version": restli.PROTOCOL_VERSION,
            "Accept": "application/json",
            **self.extra_headers,
        }
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
        retried_auth: bool = False,
    ) -> Response:
        url = path if absolute else f"{self.base_url}/{path}"
        if params:
            url = f"{url}?{restli.query(params)}"
        headers = self._headers(method_header)
        if content_type:
            headers["Content-Type"] = content_type
        resource = path.split("?")[0] if not absolute else "upload"
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
            problem = _error_from(response, request_id)
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
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "scope": " ".join(scopes),
                "state": state,
            }
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
        form = {"token": token.reveal(), **self._credentials()}
        return dict(self._post("introspectToken", form))

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
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code >= 400:
            code = str(data.get("error") or data.get("code") or "OAUTH_ERROR")
            message = str(data.get("error_description") or data.get("message") or response.reason)
            raise Rejected(response.status_code, code, message)
        return dict(data)
