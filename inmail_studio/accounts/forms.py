"""The sign-in forms, braked against password guessing (see `brake`)."""

from __future__ import annotations

from .brake import AdminSignInForm, SignInForm

__all__ = ["AdminSignInForm", "SignInForm"]
