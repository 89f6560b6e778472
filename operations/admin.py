"""Staff edit the maintenance banner here; the counters behind /metrics are not edited by hand."""

from __future__ import annotations

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operations.models import MaintenanceNotice


@admin.register(MaintenanceNotice)
class MaintenanceNoticeAdmin(admin.ModelAdmin):
    list_display = ("text", "shows_from", "shows_until", "showing_now")
    date_hierarchy = "shows_from"
    fields = ("text", ("shows_from", "shows_until"))

    @admin.display(description=_("Wird gerade angezeigt"), boolean=True)
    def showing_now(self, notice: MaintenanceNotice) -> bool:
        return notice.shows_from <= timezone.now() < notice.shows_until
