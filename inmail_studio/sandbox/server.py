"""The LinkedIn sandbox as a server of its own, as stripe-mock serves Stripe (issue 9 item 4).

    python manage.py sandbox_serve --port 8410
    python -m inmail_studio.sandbox.server --port 8410     (the same, needing none of the app's settings)

It serves only the sandbox, at the paths LinkedIn uses: the Marketing API under /rest/ (as
https://api.linkedin.com/rest/), OAuth under /oauth/v2/ (as https://www.linkedin.com/oauth/v2/),
the test inboxes under /inbox/, and /healthz. It keeps its state in a database of its own
(--database-url, or SANDBOX_DATABASE_URL; by default the SQLite file sandbox.sqlite3), which it
migrates and seeds with the demo ad accounts, members and campaigns when it starts.

It never reads the app's own environment (DJANGO_ENV, DATABASE_URL, the broker, the cache, the
secrets): it starts itself again with an environment of its own. So an app running with
production settings and LINKEDIN_SANDBOX off can be tested against it by pointing it here:

    LINKEDIN_API_BASE_URL=http://127.0.0.1:8410/rest
    LINKEDIN_OAUTH_BASE_URL=http://127.0.0.1:8410/oauth/v2
    LINKEDIN_CLIENT_ID, LINKEDIN_CLIENT_SECRET: the same values for both (the sandbox checks them)

Kept from the caller's environment: LINKEDIN_CLIENT_ID/SECRET and LINKEDIN_API_VERSION (and the
other LINKEDIN_* settings that describe LinkedIn, not the app's use of it), SANDBOX_*, LOG_*,
and what a process needs to run (PATH, HOME, locale, TMPDIR).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from gunicorn.app.base import BaseApplication

from inmail_studio.logs import ACCESS_LOG_FORMAT

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "inmail_studio.sandbox.server_settings"
DEFAULT_PORT = 8410
DEFAULT_DATABASE = f"sqlite:///{ROOT / 'sandbox.sqlite3'}"

_PROCESS = {"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH"}
# LINKEDIN_* settings that describe the app's use of LinkedIn, not LinkedIn itself.
_APP_ONLY = {
    "LINKEDIN_SANDBOX",
    "LINKEDIN_API_BASE_URL",
    "LINKEDIN_OAUTH_BASE_URL",
    "LINKEDIN_TOKEN_KEYS",
    "LINKEDIN_SANDBOX_FAULTS",
}


def _kept(name: str) -> bool:
    if name in _PROCESS or name.startswith(("LC_", "PYTHON", "SANDBOX_", "LOG_")):
        return True
    return name.startswith("LINKEDIN_") and name not in _APP_ONLY


def environment(*, host: str, port: int, database_url: str, base: dict[str, str]) -> dict[str, str]:
    """The server's own environment: what it keeps from `base`, and its own database, host and keys."""
    env = {name: value for name, value in base.items() if _kept(name)}
    site = f"http://{host}:{port}"
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "DJANGO_ENV": "sandbox",
            "LINKEDIN_SANDBOX": "true",
            "DATABASE_URL": database_url,
            "SITE_URL": site,
            "ALLOWED_HOSTS": base.get("SANDBOX_ALLOWED_HOSTS") or f"{host},127.0.0.1,localhost",
            # Signs only the consent page's CSRF cookie; a new one each start is fine.
            "SECRET_KEY": base.get("SANDBOX_SECRET_KEY") or f"sandbox-dev-{secrets.token_urlsafe(32)}",
            "DEBUG": "false",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), base.get("PYTHONPATH", "")])),
        }
    )
    return env


def _hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="sandbox_serve",
        description="Serve the LinkedIn sandbox on its own (as stripe-mock serves Stripe).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("SANDBOX_DATABASE_URL") or DEFAULT_DATABASE,
        help="the sandbox's own database (default: SANDBOX_DATABASE_URL, else sandbox.sqlite3)",
    )
    parser.add_argument("--threads", type=int, default=8, help="requests served at once (default 8)")
    parser.add_argument(
        "--no-seed", action="store_true", help="don't load the demo accounts, members, campaigns"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # the second start, internal
    return parser.parse_args(argv)


def main(argv: list[str]) -> None:
    options = _arguments(argv)
    if not options.serve:
        env = environment(
            host=options.host, port=options.port, database_url=options.database_url, base=dict(os.environ)
        )
        args = [sys.executable, "-m", "inmail_studio.sandbox.server", "--serve", *argv]
        os.execve(sys.executable, args, env)  # noqa: S606 - our own interpreter and module, same PID
    _serve(options)


def _serve(options: argparse.Namespace) -> None:
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    if not options.no_seed:
        from inmail_studio.sandbox import seed

        seed.seed()
    connections.close_all()  # gunicorn forks its worker after this: no connection may cross the fork
    print(
        f"LinkedIn sandbox on http://{options.host}:{options.port} "
        f"(REST under /rest, OAuth under /oauth/v2; database {_hide_password(options.database_url)})",
        flush=True,
    )
    _Server(
        {
            "bind": f"{options.host}:{options.port}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": options.threads,
            # A "hang" fault sleeps SANDBOX_HANG_SECONDS; the worker must outlive it.
            "timeout": int(os.environ.get("SANDBOX_HANG_SECONDS", "30")) + 30,
            "accesslog": "-",
            "logger_class": "inmail_studio.logs.GunicornLogger",
            "access_log_format": ACCESS_LOG_FORMAT,
            "control_socket_disable": True,
        }
    ).run()


def _application() -> Any:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


class _Server(BaseApplication):
    """gunicorn, configured from code: one process, threads, the redacting access log."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return _application()


if __name__ == "__main__":
    main(sys.argv[1:])
