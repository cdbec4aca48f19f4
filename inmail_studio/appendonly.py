"""Rows that are written once and never changed: revisions and the audit trail.

Every path Django offers to change a row — `save()` on a stored instance,
`delete()`, and the queryset's `update()`/`delete()` — is refused, so "no code
path updates or deletes them" holds by construction (the audit table also has a
PostgreSQL trigger for raw SQL).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError(self.model.append_only_refusal)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(self.model.append_only_refusal)


class AppendOnly(models.Model):
    append_only_refusal: ClassVar[str] = "These rows are append-only."

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError(self.append_only_refusal)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(self.append_only_refusal)
