from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Termine")

    def ready(self) -> None:
        from events import tasks  # noqa: F401  (receives scheduled_meeting_changed and queues the mail)
