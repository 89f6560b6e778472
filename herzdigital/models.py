"""Service-wide infrastructure models (not tied to a club)."""

from __future__ import annotations

from django.db import models


class Lock(models.Model):
    """A named lock with an expiry: the cross-process fallback of ``herzdigital.locks`` without Redis.

    The primary key makes taking a free lock atomic (exactly one INSERT wins); an expired lock is taken
    over with a conditional UPDATE that can hit only one row.
    """

    name = models.CharField(max_length=200, primary_key=True)
    token = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "Sperre"
        verbose_name_plural = "Sperren"

    def __str__(self) -> str:
        return self.name
