from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from inmail_studio.ads import demo


class Command(BaseCommand):
    help = "Load the demo workspace, users, senders and drafts. Safe to run again: what exists is kept."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # The demo's superuser "admin" has the password printed in the README: never on a real site.
            raise CommandError(
                "seed_demo refuses to run in production (DJANGO_ENV=production): it creates the superuser "
                "'admin' and two more users with the published password 'demo'. Create real users with "
                "`python manage.py createsuperuser` and the admin site instead."
            )
        for line in demo.seed():
            self.stdout.write(f"  {line}")
        if settings.LINKEDIN_SANDBOX:
            from inmail_studio.sandbox import seed as sandbox_seed

            for line in sandbox_seed.seed():
                self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(
            "Sign in at http://127.0.0.1:8000 as marketer, manager or admin — password "
            f"'{demo.DEMO_PASSWORD}' (development only)."
        )
