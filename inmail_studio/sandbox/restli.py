"""Rest.li 2.0 as LinkedIn speaks it: errors, versions, keys and the URL encoding of values.

Only the sandbox reads this module; the app's own client encodes requests in
`inmail_studio.linkedin`, so a mistake on either side shows up as a failing
call instead of being hidden by shared code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, unquote

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from inmail_studio.linkedin import versions

PROTOCOL_VERSION = "2.0.0"

# LinkedIn's serviceErrorCode for the errors the sandbox gives.
SERVICE_ERROR_CODES = {
    "INVALID_ARGUMENT": 100,
    "ACCESS_DENIED": 100,
    "FIELD_VALUE_TOO_LONG": 100,
    "UNPROCESSABLE_ENTITY": 100,
    "INVALID_ACCESS_TOKEN": 65600,
    "EXPIRED_ACCESS_TOKEN": 65601,
    "REVOKED_ACCESS_TOKEN": 65602,
    "NONEXISTENT_VERSION": 100,
    "VERSION_MISSING": 100,
    "INVALID_PROTOCOL_VERSION": 100,
    "NOT_FOUND": 100,
    "METHOD_NOT_ALLOWED": 100,
    "TOO_MANY_REQUESTS": 101,
    "INTERNAL_SERVER_ERROR": 0,
    "SERVICE_UNAVAILABLE": 0,
    "GATEWAY_TIMEOUT": 0,
    "SINMAIL_SENDER_NOT_APPROVED": 100,
    "VALIDATION_FAILED": 100,
    "NOT_IN_CONTRACT": 100,
}


class RestliError(Exception):
    """An error LinkedIn would answer with; views raise it, the endpoint decorator renders it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: list[dict[str, Any]] | None = None,
        service_code: bool = True,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.service_code = service_code

    @property
    def specific_code(self) -> str:
        """The most specific code: the first input error's, else the top-level one."""
        return str(self.details[0].get("code")) if self.details else self.code

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status}
        if self.service_code:
            body["serviceErrorCode"] = SERVICE_ERROR_CODES.get(self.code, 100)
        body["code"] = self.code
        body["message"] = self.message
        if self.details:
            body["errorDetails"] = {"inputErrors": self.details}
        return body


def unprocessable(code: str, message: str, *, field: str = "") -> RestliError:
    """A field LinkedIn refuses: 422 VALIDATION_FAILED, the specific code in errorDetails.inputErrors.

    LinkedIn's validation answers carry a generic top-level code and say what was wrong per
    input (contract: every write row; the top-level code is a practitioner's report).
    """
    detail = {"code": code, "description": message, "input": {"inputPath": {"fieldPath": field}}}
    return RestliError(422, "VALIDATION_FAILED", message, details=[detail])


def bad_request(message: str) -> RestliError:
    return RestliError(400, "INVALID_ARGUMENT", message)


def not_found(what: str) -> RestliError:
    return RestliError(404, "NOT_FOUND", f"{what} does not exist.")


REQUEST_ID_HEADER = "x-li-uuid"


def request_id() -> str:
    """A request id as LinkedIn shapes its `x-li-uuid`: 16 random bytes, base64."""
    return base64.b64encode(uuid.uuid4().bytes).decode()


def stamp(response: HttpResponse) -> HttpResponse:
    """Give a response LinkedIn's request id header (once), so a client can quote it to support."""
    if REQUEST_ID_HEADER not in response:
        response[REQUEST_ID_HEADER] = request_id()
    return response


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(data), status=status, content_type="application/json")
    response["X-RestLi-Protocol-Version"] = PROTOCOL_VERSION
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(error: RestliError) -> HttpResponse:
    return json_response(error.body(), status=error.status)


def created(urn: str | int, *, linkedin_id: str | None = None) -> HttpResponse:
    """201 with the new id in `x-restli-id` (URL-encoded as LinkedIn sends it) and `x-linkedin-id`.

    A bare number (campaigns, conversations) stays a number; `linkedin_id` lets the second header
    carry the URN where LinkedIn's references show it so.
    """
    encoded = quote(str(urn), safe="")
    response = HttpResponse(status=201)
    response["x-restli-id"] = encoded
    response["x-linkedin-id"] = quote(linkedin_id, safe="") if linkedin_id else encoded
    response["X-RestLi-Protocol-Version"] = PROTOCOL_VERSION
    return response


def no_content() -> HttpResponse:
    response = HttpResponse(status=204)
    response["X-RestLi-Protocol-Version"] = PROTOCOL_VERSION
    return response


# --- versions -----------------------------------------------------------------------------------


def check_version(value: str | None, today: date | None = None) -> None:
    """426 for a missing version, or one LinkedIn never released or has sunset (the calendar).

    The body is LinkedIn's as practitioners quote it: no serviceErrorCode, the version echoed as
    YYYYMM01 (`{"status":426,"code":"NONEXISTENT_VERSION","message":"Requested version 20240901 is
    not active"}`, n8n-io/n8n#14737, PipedreamHQ/pipedream#18398).
    """
    if not value or not value.strip():
        raise RestliError(
            426,
            "VERSION_MISSING",
            "A version must be present. Please specify a version in the LinkedIn-Version header.",
            service_code=False,
        )
    today = today or timezone.now().date()
    if not versions.is_active(value, today):
        base = versions.base_name(value)
        echoed = f"{base}01" if base else value.strip()
        raise RestliError(
            426, "NONEXISTENT_VERSION", f"Requested version {echoed} is not active", service_code=False
        )


def check_protocol(request: HttpRequest) -> None:
    value = request.headers.get("X-Restli-Protocol-Version")
    if value != PROTOCOL_VERSION:
        raise RestliError(
            400,
            "INVALID_PROTOCOL_VERSION",
            f"X-Restli-Protocol-Version must be {PROTOCOL_VERSION}; got {value or 'nothing'}.",
        )


# --- URNs and keys ------------------------------------------------------------------------------


def numeric_id(key: str, urn_type: str) -> int:
    """The number in `urn:li:<urn_type>:N`, or a bare N; 404 for anything else."""
    key = unquote(key)
    prefix = f"urn:li:{urn_type}:"
    if key.startswith(prefix):
        key = key[len(prefix) :]
    if not key.isdigit():
        raise not_found(f"{urn_type} {key}")
    return int(key)


def urn_id(urn: Any, urn_type: str, field: str) -> int:
    """The number in a URN given in a request body, or 422 naming the field."""
    prefix = f"urn:li:{urn_type}:"
    if not isinstance(urn, str) or not urn.startswith(prefix) or not urn[len(prefix) :].isdigit():
        raise unprocessable(
            "INVALID_VALUE_FOR_FIELD", f"{field} must be a {prefix}N URN; got {urn!r}.", field=field
        )
    return int(urn[len(prefix) :])


# --- Rest.li 2.0 URL decoding ---------------------------------------------------------------------


class _Decoder:
    """Decodes one Rest.li 2.0 encoded value: `List(a,b)`, `(k:v,k2:v2)` or a percent-encoded string."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def value(self) -> Any:
        if self.text.startswith("List(", self.pos):
            self.pos += len("List(")
            items: list[Any] = []
            if self._peek() == ")":
                self.pos += 1
                return items
            while True:
                items.append(self.value())
                if self._take() == ")":
                    return items
        if self._peek() == "(":
            self.pos += 1
            obj: dict[str, Any] = {}
            if self._peek() == ")":
                self.pos += 1
                return obj
            while True:
                key = self._string(stop=":")
                self.pos += 1
                obj[key] = self.value()
                if self._take() == ")":
                    return obj
        return self._string(stop=",)")

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _take(self) -> str:
        char = self._peek()
        if char not in (",", ")"):
            raise ValueError(f"unexpected {char!r} at {self.pos}")
        self.pos += 1
        return char

    def _string(self, stop: str) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in stop + "(":
            self.pos += 1
        return unquote(self.text[start : self.pos])


def decode(raw: str) -> Any:
    """Decode a raw (still percent-encoded) Rest.li 2.0 query value; 400 if it is malformed."""
    decoder = _Decoder(raw)
    try:
        value = decoder.value()
    except (ValueError, IndexError) as error:
        raise bad_request(f"Malformed Rest.li value {raw!r}: {error}") from error
    if decoder.pos != len(raw):
        raise bad_request(f"Malformed Rest.li value {raw!r}.")
    return value


def query_params(request: HttpRequest) -> dict[str, str]:
    """The raw query parameters, before percent-decoding, because `List(`, `,` and `)` are syntax.

    A request tunnelled as POST with `X-HTTP-Method-Override: GET` (the official client does this
    for long URLs) carries its query in a form-encoded body instead.
    """
    raw = request.META.get("QUERY_STRING", "")
    if request.headers.get("X-HTTP-Method-Override", "").upper() == "GET":
        raw = "&".join(part for part in (raw, request.body.decode()) if part)
    params: dict[str, str] = {}
    for part in raw.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        params[unquote(name)] = value
    return params


def param(request: HttpRequest, name: str) -> Any:
    raw = query_params(request).get(name)
    return None if raw is None else decode(raw)


def ids_param(request: HttpRequest) -> list[str]:
    ids = param(request, "ids")
    if not isinstance(ids, list) or not ids:
        raise bad_request("ids must be a non-empty List(...).")
    return [str(i) for i in ids]


def restli_method(request: HttpRequest) -> str:
    return request.headers.get("X-RestLi-Method", "").upper()


def json_body(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise bad_request(f"The request body is not valid JSON: {error}") from error
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body


def patch_set(request: HttpRequest) -> dict[str, Any]:
    """The `$set` of a PARTIAL_UPDATE body `{"patch": {"$set": {...}}}`."""
    body = json_body(request)
    patch = body.get("patch")
    if not isinstance(patch, dict) or set(patch) - {"$set", "$delete"}:
        raise bad_request('A partial update needs a body {"patch": {"$set": {...}}}.')
    fields = patch.get("$set", {})
    if not isinstance(fields, dict):
        raise bad_request("patch.$set must be an object.")
    return fields


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def index_page(elements: list[dict[str, Any]], request: HttpRequest, *, default: int = 10) -> dict[str, Any]:
    """A finder's answer with index paging (`start`, `count`; answer `paging.total`)."""
    params = query_params(request)
    try:
        start = max(0, int(params.get("start", "0")))
        count = max(1, min(1000, int(params.get("count", str(default)))))
    except ValueError as error:
        raise bad_request("start and count must be integers.") from error
    return {
        "elements": elements[start : start + count],
        "paging": {"start": start, "count": count, "total": len(elements), "links": []},
    }


def everything(elements: list[dict[str, Any]]) -> dict[str, Any]:
    """An answer without paging (adAnalytics: "does not support pagination")."""
    return {"elements": elements, "paging": {"start": 0, "count": len(elements), "links": []}}


_CURSOR_PARAMS = ("pageSize", "pageToken")


def _fingerprint(request: HttpRequest) -> str:
    """Which search a page token belongs to: the query without its paging parameters."""
    params = {k: v for k, v in query_params(request).items() if k not in _CURSOR_PARAMS}
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]


def cursor_page(elements: list[dict[str, Any]], request: HttpRequest) -> dict[str, Any]:
    """A search finder's answer with cursor paging (versions 202401+): `pageSize` and `pageToken` in,
    `metadata.nextPageToken` out, absent on the last page (LinkedIn's "cursor based pagination")."""
    params = query_params(request)
    try:
        size = int(params.get("pageSize", "100"))
    except ValueError as error:
        raise bad_request("pageSize must be an integer.") from error
    if not 1 <= size <= 1000:
        raise bad_request("pageSize must be between 1 and 1000.")
    offset = 0
    token = params.get("pageToken")
    if token is not None:
        offset = _read_token(unquote(token), _fingerprint(request))
    page = elements[offset : offset + size]
    metadata: dict[str, Any] = {}
    if offset + size < len(elements):
        metadata["nextPageToken"] = _make_token(offset + size, _fingerprint(request))
    return {"elements": page, "paging": {"count": len(page), "links": []}, "metadata": metadata}


def _make_token(offset: int, fingerprint: str) -> str:
    return base64.urlsafe_b64encode(f"{fingerprint}:{offset}".encode()).decode().rstrip("=")


def _read_token(token: str, fingerprint: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        owner, _, offset = raw.partition(":")
        if owner != fingerprint or not offset.isdigit():
            raise ValueError(raw)
        return int(offset)
    except (ValueError, UnicodeDecodeError) as error:
        raise bad_request(f"Invalid pageToken {token!r} for this search.") from error


def projection(request: HttpRequest) -> tuple[str, ...] | None:
    """The `fields` projection as LinkedIn reads it: names separated by raw commas.

    LinkedIn (and its official client, which keeps `fields` out of its encoder) uses the Rest.li
    1.0 form `fields=a,b,c`; a percent-encoded comma is not a separator, so `a%2Cb` is one field
    named "a,b", which does not exist.
    """
    raw = query_params(request).get("fields")
    if raw is None:
        return None
    names = tuple(unquote(part) for part in raw.split(","))
    if not all(names):
        raise bad_request(f"Invalid projection fields={raw}.")
    return names
