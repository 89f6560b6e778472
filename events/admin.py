"""Staff view of scheduled meetings (support: who planned what, who was invited, which reminders went out).

Clubs plan and change meetings on their own pages, which also mail the invitees; here everything
that would need an update mail is read-only.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from events.models import Invitee, ReminderLog, ScheduledMeeting


class InviteeInline(admin.TabularInline):
    model = Invitee
    extra = 0
    can_delete = False
    fields = ("email", "user", "notified_sequence", "created_at", "removed_at", "removal_sent_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("user")  # no query per row (admin N+1 test)

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


class ReminderLogInline(admin.TabularInline):
    model = ReminderLog
    extra = 0
    can_delete = False
    fields = ("occurrence_start", "kind", "claimed_at", "sent_at", "recipient_count")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(ScheduledMeeting)
class ScheduledMeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "club", "room", "start_at", "recurrence", "cancelled_at", "sequence")
    list_filter = ("recurrence", ("cancelled_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "club__name", "room__name", "uid")
    date_hierarchy = "start_at"
    list_select_related = ("club", "room")
    readonly_fields = (
        "club",
        "room",
        "title",
        "description",
        "start_at",
        "end_at",
        "recurrence",
        "repeat_until",
        "record",
        "uid",
        "sequence",
        "cancelled_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = (InviteeInline, ReminderLogInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
