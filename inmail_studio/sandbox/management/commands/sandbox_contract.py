"""`python manage.py sandbox_contract`: print (or `--write`) CONTRACT.md from the contract's rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from inmail_studio.sandbox import contract

PATH = Path(contract.__file__).with_name("CONTRACT.md")


class Command(BaseCommand):
    help = "Render the sandbox's written contract (inmail_studio/sandbox/CONTRACT.md) from contract.py."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true", help=f"Write {PATH.name} instead of printing it.")

    def handle(self, *args: Any, **options: Any) -> None:
        text = contract.render_markdown()
        if options["write"]:
            PATH.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {PATH} ({len(contract.ROWS)} rows).")
        else:
            self.stdout.write(text, ending="")
