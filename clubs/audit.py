"""The audit log: one function every service calls for security-relevant and destructive actions."""

from __future__ import annotations

from typing import Any

from django.db import models

from clubs.models import AuditEntry, Club


def audit_log(
    *,
    action: str,
    actor: Any = None,
    club: Club | None = None,
    target: models.Model | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Write one audit entry. ``actor`` is a user or None for the system (then ``actor_label``)."""
    return AuditEntry.objects.create(**audit_entry_fields(**locals()))


def audit_entry_fields(
    *,
    action: str,
    actor: Any = None,
    club: Club | None = None,
    target: models.Model | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
    actor_label: str = "",
) -> dict[str, Any]:
    """The fields of an entry, for callers that write many at once with bulk_create."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return {
        "action": action,
        "actor": user,
        "actor_label": actor_label or (user.email if user else "system"),
        "club": club,
        "target_type": target._meta.label_lower if target is not None else "",
        "target_id": str(target.pk) if target is not None else "",
        "target_label": str(target)[:255] if target is not None else "",
        "reason": reason[:255],
        "details": details or {},
    }
