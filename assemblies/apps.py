from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssembliesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assemblies"
    verbose_name = _("Mitgliederversammlungen")

    def ready(self) -> None:
        from assemblies import attendance  # noqa: F401  (connects the sync signal)
        from assemblies.services import assembly_meeting_changing
        from events.signals import scheduled_meeting_changing

        def _changing(sender: object, scheduled: Any, previous: dict, now: Any, **kwargs: Any) -> None:
            assembly_meeting_changing(scheduled=scheduled, previous=previous, now=now)

        scheduled_meeting_changing.connect(_changing, dispatch_uid="assemblies.notice_period", weak=False)
