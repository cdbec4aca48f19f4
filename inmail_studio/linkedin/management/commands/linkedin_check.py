"""`python manage.py linkedin_check`: the readiness check from a shell (the admin page's twin)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inmail_studio.accounts.models import Workspace
from inmail_studio.linkedin import readiness

MARKS = {"passed": "✓", "warning": "!", "failed": "✗", "skipped": "·"}


class Command(BaseCommand):
    help = (
        "Check, with a workspace's LinkedIn connection and read calls only, that it is ready for "
        "LinkedIn: API version, permissions, the member's role, senders, campaigns, lead forms. "
        "Exits 1 when a check fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--workspace",
            help="The workspace's slug or id (default: the only connected workspace).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = self._workspace(options.get("workspace"))
        report = readiness.run(workspace)
        self.stdout.write(
            f"LinkedIn readiness of {workspace.name} ({workspace.ad_account_urn or 'no ad account'})"
        )
        for check in report.checks:
            self.stdout.write(f"{MARKS[check.state]} {check.title}: {check.summary}")
            for item in check.items:
                self.stdout.write(f"    - {item}")
            if check.fix:
                self.stdout.write(f"    What to do: {check.fix}")
        if report.ready:
            self.stdout.write(self.style.SUCCESS("Ready for LinkedIn."))
            return
        raise CommandError(f"{len(report.failed)} check(s) failed.", returncode=1)

    def _workspace(self, wanted: str | None) -> Workspace:
        if wanted:
            found = Workspace.objects.filter(slug=wanted).first()
            if found is None and wanted.isdigit():
                found = Workspace.objects.filter(pk=int(wanted)).first()
            if found is None:
                raise CommandError(f"No workspace {wanted!r}.")
            return found
        connected = list(Workspace.objects.filter(linkedin_connection__isnull=False)[:2])
        if len(connected) != 1:
            raise CommandError("Name the workspace with --workspace (its slug or id).")
        return connected[0]
