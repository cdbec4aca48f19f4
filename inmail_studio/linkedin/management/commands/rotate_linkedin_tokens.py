"""Re-encrypt every stored LinkedIn token under the newest key in LINKEDIN_TOKEN_KEYS."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from inmail_studio.linkedin import encryption
from inmail_studio.linkedin.models import LinkedInConnection


class Command(BaseCommand):
    help = "Re-encrypt stored LinkedIn tokens with the first key of LINKEDIN_TOKEN_KEYS (after adding a new key)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with transaction.atomic():
            for connection in LinkedInConnection.objects.select_for_update():
                connection.access_token_ciphertext = encryption.rotate(connection.access_token_ciphertext)
                if connection.refresh_token_ciphertext:
                    connection.refresh_token_ciphertext = encryption.rotate(
                        connection.refresh_token_ciphertext
                    )
                connection.save(update_fields=["access_token_ciphertext", "refresh_token_ciphertext"])
                count += 1
        self.stdout.write(f"Re-encrypted the tokens of {count} LinkedIn connection(s).")
