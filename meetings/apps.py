from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("BBB-Server und Besprechungen")

    def ready(self) -> None:
        from django.db.models import Count

        from clubs.registry import per_club, register_usage
        from clubs.selectors import month_start
        from meetings.models import Meeting

        this_month = lambda: Meeting.objects.filter(created_at__gte=month_start())  # noqa: E731
        register_usage("meetings_this_month", lambda: per_club(this_month(), Count("pk")))
        register_usage("meetings_running", lambda: per_club(Meeting.objects.filter(ended_at__isnull=True), Count("pk")))
