"""LinkedIn tokens encrypted at rest with rotatable keys (Fernet), never with SECRET_KEY.

`LINKEDIN_TOKEN_KEYS` holds one or more Fernet keys, comma-separated: the first
encrypts, all of them decrypt. To rotate, put a new key first, run
`manage.py rotate_linkedin_tokens`, then drop the old key.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.views.decorators.debug import sensitive_variables

from .client import Secret


class UnreadableToken(Exception):
    """A stored token can't be decrypted with any configured key."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("LINKEDIN_TOKEN_KEYS holds no key.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.LINKEDIN_TOKEN_KEYS))


@sensitive_variables("secret")
def encrypt(secret: Secret) -> str:
    return _current().encrypt(secret.reveal().encode()).decode()


def decrypt(ciphertext: str) -> Secret:
    try:
        return Secret(_current().decrypt(ciphertext.encode()).decode())
    except InvalidToken:
        raise UnreadableToken(
            "The stored LinkedIn token can't be decrypted with the configured keys."
        ) from None


def rotate(ciphertext: str) -> str:
    """The same token re-encrypted under the first (newest) key."""
    try:
        return _current().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise UnreadableToken(
            "The stored LinkedIn token can't be decrypted with the configured keys."
        ) from None
