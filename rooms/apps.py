from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoomsConfig(AppConfig):
    name = "rooms"
    verbose_name = _("Räume")

    def ready(self) -> None:
        from django.db.models import Count

        from clubs.registry import per_club, register_usage
        from rooms.models import Room

        register_usage("rooms_used", lambda: per_club(Room.objects.all(), Count("pk")))
