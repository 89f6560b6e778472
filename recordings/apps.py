from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordingsConfig(AppConfig):
    name = "recordings"
    verbose_name = _("Aufzeichnungen")

    def ready(self) -> None:
        from django.db.models import Count, Sum

        from clubs.registry import per_club, register_usage
        from recordings.models import Recording

        kept = lambda: Recording.objects.filter(deleted_at__isnull=True)  # noqa: E731
        register_usage("recordings_count", lambda: per_club(kept(), Count("pk")))
        register_usage("recordings_size", lambda: per_club(kept(), Sum("size_bytes")))
