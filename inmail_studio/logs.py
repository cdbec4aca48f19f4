"""Logs an operator can search, that never hold a secret (issue 10 item 6, issue 11 item 7).

- `redact(text)` blanks what grants access by itself: the token in a share link's path and in the
  sandbox's upload URLs, OAuth `code` and `state`, tokens and signatures in query strings, bearer
  tokens. `configure()` (Django's LOGGING_CONFIG) installs a record factory that applies it to every
  record's message when the record is made, so every logger and every handler (Sentry's included)
  sees only the redacted text; the formatters redact once more what is added later (tracebacks).
- `GunicornLogger` does the same for gunicorn's access log, field by field, the referer included.
- In production (or with LOG_FORMAT=json) each line is one JSON object.
- A request id per request (`RequestIdMiddleware`, answered as `X-Request-ID`) is on every line the
  request logs and is carried in the headers of the Celery tasks it queues, so a sync's worker lines
  carry the id of the approval that queued it.

This module must import without Django settings: gunicorn's master process loads it.
"""

from __future__ import annotations

import contextvars
import datetime
import json
import logging
import logging.config
import os
import re
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from gunicorn import glogging

REDACTED = "[redacted]"

# Paths whose last part is a capability: whoever has the URL has the access.
# tests/security/test_secrets_in_logs.py checks that every URL pattern taking a token is listed here.
CAPABILITY_PATHS = ("/review/s/", "/upload/images/", "/workspace/join/")
# Query parameters that carry a secret: OAuth's code and state, tokens, S3 and other signatures.
SECRET_PARAMETERS = (
    "code",
    "state",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "password",
    "signature",
    "sig",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
)
_PATH = re.compile("(" + "|".join(re.escape(p) for p in CAPABILITY_PATHS) + r")[^/?#\s\"'<>]+")
_QUERY = re.compile(
    r"(?i)((?:^|[?&;\s\"'])(?:" + "|".join(re.escape(p) for p in SECRET_PARAMETERS) + r")=)[^&;#\s\"'<>]*"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
# The same names as keys of a logged dict or JSON body: {'code': '…'}, "access_token": "…".
_KEYED = re.compile(
    r"""(?i)(["'](?:""" + "|".join(re.escape(p) for p in SECRET_PARAMETERS) + r""")["']\s*:\s*["'])[^"']*"""
)


def redact(text: str) -> str:
    """text with every capability token, OAuth code/state, secret parameter and bearer token blanked."""
    if not text:
        return text
    text = _PATH.sub(r"\1" + REDACTED, text)
    text = _QUERY.sub(r"\1" + REDACTED, text)
    text = _KEYED.sub(r"\1" + REDACTED, text)
    return _BEARER.sub(r"\1" + REDACTED, text)


def json_logs() -> bool:
    """JSON lines in production, plain text elsewhere; LOG_FORMAT (json or plain) decides when set."""
    chosen = os.environ.get("LOG_FORMAT", "").strip().lower()
    if chosen:
        return chosen == "json"
    return os.environ.get("DJANGO_ENV", "") == "production"


# --- the request id -----------------------------------------------------------------------

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
CELERY_HEADER = "x_request_id"


class RequestIdMiddleware:
    """Give each request an id: the proxy's `X-Request-ID` when it is a plausible one, else a new one.

    The id stays set until Django's request_finished signal, so the 4xx/5xx lines Django's request
    logger writes after the middleware chain carry it too.
    """

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        from django.core.signals import request_finished as finished

        self.get_response = get_response
        finished.connect(request_finished, dispatch_uid="inmail_studio.logs.request_finished")

    def __call__(self, request: Any) -> Any:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        REQUEST_ID.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def request_finished(**kwargs: Any) -> None:
    REQUEST_ID.set("")


def task_publishing(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Celery's before_task_publish: the queuing request's id travels in the message headers."""
    request_id = REQUEST_ID.get()
    if request_id and headers is not None:
        headers.setdefault(CELERY_HEADER, request_id)


def task_starting(task: Any = None, **kwargs: Any) -> None:
    """Celery's task_prerun: a worker adopts the id of the request that queued the task."""
    if task is None or task.request.is_eager:
        return  # in-process, the request's own id is still set
    REQUEST_ID.set(str(getattr(task.request, CELERY_HEADER, "") or ""))


def task_finished(task: Any = None, **kwargs: Any) -> None:
    if task is not None and not task.request.is_eager:
        REQUEST_ID.set("")


# --- records and formatters ------------------------------------------------------------------

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "request_id"}
# Extras that are objects holding a URL or worse (Django's request logger passes the request itself).
_NEVER = {"request", "scope", "environ"}


def _redacting_factory(base: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call keeps its record; the formatter reports it as logging would
            return record
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return record

    factory.redacting = True  # type: ignore[attr-defined]
    return factory


def install_record_factory() -> None:
    current = logging.getLogRecordFactory()
    if not getattr(current, "redacting", False):
        logging.setLogRecordFactory(_redacting_factory(current))


def configure(config: dict[str, Any]) -> None:
    """Django's LOGGING_CONFIG: redact every record from now on, then apply the LOGGING dict."""
    install_record_factory()
    logging.config.dictConfig(config)


class RedactingFormatter(logging.Formatter):
    """A plain formatter whose whole output (tracebacks included) is redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _current_task() -> tuple[str, str]:
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return "", ""
    task = current_task
    if task is None or not getattr(task, "request", None) or task.request.id is None:
        return "", ""
    return str(task.name), str(task.request.id)


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return redact(str(value))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, task, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        request_id = getattr(record, "request_id", "") or REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        task, task_id = _current_task()
        if task:
            entry["task"], entry["task_id"] = task, task_id
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _NEVER and not key.startswith("_"):
                entry[key] = _plain(value)
        if record.exc_info:
            entry["exception"] = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
        elif record.exc_text:
            entry["exception"] = redact(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)


PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# gunicorn's access line when logs are plain: the combined format, the duration and the request id.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s" rid=%({x-request-id}o)s'


def formatter() -> logging.Formatter:
    return JsonFormatter() if json_logs() else RedactingFormatter(PLAIN_FORMAT)


def logging_config(level: str) -> dict[str, Any]:
    """The LOGGING dict: one console handler, JSON or plain, redacting either way."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": JsonFormatter},
            "plain": {"()": RedactingFormatter, "format": PLAIN_FORMAT},
        },
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json" if json_logs() else "plain"}
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }


# --- gunicorn ----------------------------------------------------------------------------------


class GunicornLogger(glogging.Logger):
    """gunicorn's logger with every access-log field redacted, and JSON lines when logs are JSON.

    The access line names the request id the app answered with, so one request can be followed
    from the proxy through gunicorn into the app's lines and the tasks it queued.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        install_record_factory()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                plain = handler.formatter or logging.Formatter()
                handler.setFormatter(
                    JsonFormatter() if json_logs() else RedactingFormatter(plain._fmt, plain.datefmt)
                )

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        if not json_logs():
            super().access(resp, req, environ, request_time)
            return
        if not self.cfg.accesslog and not self.cfg.logconfig_dict:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        status = str(atoms.get("s", "-"))
        path = atoms.get("U") or "-"
        query = atoms.get("q") or ""
        target = f"{path}?{query}" if query else path
        try:
            self.access_log.info(
                "%s %s %s",
                atoms.get("m"),
                target,
                status,
                extra={
                    "http": {
                        "remote": atoms.get("h"),
                        "method": atoms.get("m"),
                        "path": path,
                        "query": query,
                        "status": int(status) if status.isdigit() else status,
                        "bytes": atoms.get("B"),
                        "duration_ms": atoms.get("M"),
                        "referer": atoms.get("f"),
                        "user_agent": atoms.get("a"),
                    },
                    "request_id": atoms.get("{x-request-id}o", ""),
                },
            )
        except Exception:  # gunicorn's own behaviour: a broken access line is an error line, not a crash
            self.error(traceback.format_exc())


# --- Sentry -------------------------------------------------------------------------------------


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    return value


def scrub_event(event: Any, hint: Any) -> Any:
    """Sentry's before_send and before_breadcrumb: the event with every string redacted as a log line is."""
    return _scrub(event)
