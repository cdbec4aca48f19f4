from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from inmail_studio.sandbox import server


class Command(BaseCommand):
    help = (
        "Serve the LinkedIn sandbox on its own, as stripe-mock serves Stripe: REST under /rest, OAuth under "
        "/oauth/v2, with a database of its own. Point an app at it with LINKEDIN_API_BASE_URL and "
        "LINKEDIN_OAUTH_BASE_URL (see inmail_studio/sandbox/server.py)."
    )
    requires_system_checks: list[str] = []  # the app's settings are not the server's

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=server.DEFAULT_PORT)
        parser.add_argument(
            "--database-url", default=None, help="default: SANDBOX_DATABASE_URL or sandbox.sqlite3"
        )
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-seed", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [
            "--host",
            options["host"],
            "--port",
            str(options["port"]),
            "--threads",
            str(options["threads"]),
        ]
        if options["database_url"]:
            argv += ["--database-url", options["database_url"]]
        if options["no_seed"]:
            argv.append("--no-seed")
        server.main(argv)  # starts the server again in its own environment, in this process
