from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from inmail_studio.ads import demo


class Command(BaseCommand):
    help = "Load the demo workspace, users, senders and drafts. Safe to run again: what exists is kept."

    def handle(self, *args: Any, **options: Any) -> None:
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
