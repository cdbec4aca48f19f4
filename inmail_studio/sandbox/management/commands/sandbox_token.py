from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inmail_studio.sandbox import tokens
from inmail_studio.sandbox.models import Member


class Command(BaseCommand):
    help = (
        "Print a valid sandbox access token, for scripts and curl "
        "(Authorization: Bearer <token>). Run seed_demo first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--member",
            default="ada-admin",
            help="The member the token speaks for: a slug (ada-admin), a URN or a name (“Ada Admin”).",
        )
        parser.add_argument(
            "--scope",
            nargs="+",
            default=tokens.APP_SCOPES.split(),
            help=f"Scopes, space- or comma-separated (default: {tokens.APP_SCOPES}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.LINKEDIN_SANDBOX:
            raise CommandError("The LinkedIn sandbox is off (LINKEDIN_SANDBOX).")
        wanted = options["member"].strip()
        slug = wanted.removeprefix("urn:li:person:")
        member = Member.objects.filter(slug=slug).first()
        if member is None:
            member = next((m for m in Member.objects.all() if m.name.lower() == wanted.lower()), None)
        if member is None:
            known = ", ".join(Member.objects.values_list("slug", flat=True)) or "none — run seed_demo"
            raise CommandError(f"No sandbox member {wanted!r}. Members: {known}.")
        scope = " ".join(options["scope"])
        unknown = tokens.unknown_scopes(scope)
        if unknown:
            raise CommandError(f"Unknown scope {unknown[0]!r}; the sandbox knows {', '.join(tokens.SCOPES)}.")
        self.stdout.write(tokens.sandbox_token_issue(member=member, scope=scope))
