"""The staff console for rooms: their usage, and ending a room's running meeting."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from meetings.admin import end_meetings
from meetings.models import Meeting
from rooms.models import Room


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "club", "friendly_id", "running", "meetings", "waiting_room", "record", "created_at")
    list_filter = ("waiting_room", "record", "anyone_can_start", "club__status")
    search_fields = ("name", "friendly_id", "meeting_id", "club__name", "club__slug")
    list_select_related = ("club",)
    autocomplete_fields = ("club",)
    date_hierarchy = "created_at"
    actions = ["end_running_meeting"]
    readonly_fields = ("meeting_id", "created_by", "created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        meetings = Meeting.objects.filter(room=OuterRef("pk")).order_by().values("room").annotate(c=Count("pk"))
        return (
            super()
            .get_queryset(request)
            .select_related("club", "created_by")
            .annotate(
                is_running=Exists(Meeting.objects.filter(room=OuterRef("pk"), ended_at__isnull=True)),
                meeting_total=Coalesce(Subquery(meetings.values("c"), output_field=IntegerField()), Value(0)),
            )
        )

    @admin.display(description=_("Läuft"), boolean=True, ordering="-is_running")
    def running(self, room: Room) -> bool:
        return room.is_running

    @admin.display(description=_("Besprechungen"), ordering="meeting_total")
    def meetings(self, room: Room) -> int:
        return room.meeting_total

    @admin.action(description=_("Laufende Besprechung auf BBB beenden …"), permissions=["change"])
    def end_running_meeting(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        running = Meeting.objects.filter(room__in=queryset, ended_at__isnull=True)
        return end_meetings(self, request, running, action="end_running_meeting")
