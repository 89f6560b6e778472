from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from operations.banner import notices_changed
from operations.models import MaintenanceNotice


@receiver([post_save, post_delete], sender=MaintenanceNotice)
def _notice_changed(**kwargs: object) -> None:
    notices_changed()
