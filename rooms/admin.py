"""The staff console for servers, rooms, meetings and recordings, and the dashboard on the admin index.

Actions are thin doors to the services (``rooms.services``, ``rooms.sync``, ``rooms.recordings``);
BBB errors are shown as messages, never as a 500. Everything only the system writes (BBB ids,
sync times, health) is read-only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import F
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bbb import BBBError, BBBUnavailable
from clubs.audit import audit_log
from rooms.models import Meeting, Recording, Room, Server
from rooms.stats import service_overview

BBB_ERRORS = (BBBError, BBBUnavailable)


def bbb_error_text(exc: Exception) -> str:
    if isinstance(exc, BBBUnavailable):
        return gettext("BBB-Server nicht erreichbar (%(error)s)") % {"error": exc}
    return gettext("BBB hat den Auftrag abgelehnt (%(error)s)") % {"error": exc}


def badge(kind: str, text: str) -> str:
    return format_html('<span class="hd-badge hd-badge-{}">{}</span>', kind, text)


# -- dashboard on the admin index ----------------------------------------------------------------

_original_index = admin.site.index


def index_with_overview(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """The admin index with the service's figures at a glance (aggregates, constant queries)."""
    return _original_index(request, {**(extra_context or {}), "overview": service_overview()})


admin.site.index = index_with_overview
# The wide lists (usage, health) need the room; the index lists every model for navigation.
admin.site.enable_nav_sidebar = False


# -- servers --------------------------------------------------------------------------------------


class ServerForm(forms.ModelForm):
    api_url = forms.URLField(
        label=Server._meta.get_field("api_url").verbose_name,
        help_text=Server._meta.get_field("api_url").help_text,
        assume_scheme="https",
        max_length=200,
    )

    class Meta:
        model = Server
        fields = ("name", "api_url", "secret", "checksum_algorithm", "enabled", "capacity")
        widgets = {"secret": forms.PasswordInput(render_value=True)}


@admin.register(Server)
class ServerAdmin(admin.ModelAdmin):
    form = ServerForm
    list_display = (
        "name",
        "health",
        "takes_new",
        "load_display",
        "meetings",
        "participants",
        "last_success",
        "failures",
        "last_error_short",
    )
    list_filter = ("enabled", "healthy", "checksum_algorithm")
    search_fields = ("name", "api_url")
    actions = ["sync_now", "test_connection", "drain", "enable"]
    readonly_fields = (
        "healthy",
        "consecutive_failures",
        "last_poll_at",
        "last_success_at",
        "last_error",
        "meeting_count",
        "participant_count",
        "foreign_meeting_count",
        "load",
        "created_at",
    )
    fieldsets = (
        (None, {"fields": ("name", "api_url", "secret", "checksum_algorithm", "enabled", "capacity")}),
        (
            _("Zustand (vom Abgleich geschrieben)"),
            {
                "fields": (
                    ("healthy", "consecutive_failures"),
                    ("last_poll_at", "last_success_at"),
                    "last_error",
                    ("meeting_count", "participant_count", "foreign_meeting_count", "load"),
                    "created_at",
                )
            },
        ),
    )

    @admin.display(description=_("Zustand"), ordering="healthy")
    def health(self, server: Server) -> str:
        if not server.enabled:
            return badge("muted", gettext("Gesperrt für neue Besprechungen"))
        if not server.healthy:
            return badge("bad", gettext("Nicht erreichbar"))
        if server.consecutive_failures:
            return badge("warn", gettext("Gestört"))
        if server.last_success_at is None:
            return badge("warn", gettext("Noch nie abgefragt"))
        return badge("ok", gettext("In Ordnung"))

    @admin.display(description=_("Neue Besprechungen"), boolean=True, ordering="enabled")
    def takes_new(self, server: Server) -> bool:
        return server.enabled

    @admin.display(description=_("Besprechungen (fremde)"), ordering="meeting_count")
    def meetings(self, server: Server) -> str:
        return f"{server.meeting_count} ({server.foreign_meeting_count})"

    @admin.display(description=_("Teilnehmende"), ordering="participant_count")
    def participants(self, server: Server) -> int:
        return server.participant_count

    @admin.display(description=_("Letzte erfolgreiche Abfrage"), ordering="last_success_at")
    def last_success(self, server: Server) -> str:
        if server.last_success_at is None:
            return gettext("nie")
        return gettext("vor %(time)s") % {"time": timesince(server.last_success_at)}

    @admin.display(description=_("Fehlschläge"), ordering="consecutive_failures")
    def failures(self, server: Server) -> str:
        if not server.consecutive_failures:
            return "0"
        return badge("bad" if not server.healthy else "warn", str(server.consecutive_failures))

    @admin.display(description=_("Last (Kapazität)"), ordering="load")
    def load_display(self, server: Server) -> str:
        percent = round(100 * server.load / server.capacity) if server.capacity else 0
        return f"{server.load} / {server.capacity} ({percent} %)"

    @admin.display(description=_("Letzter Fehler"))
    def last_error_short(self, server: Server) -> str:
        return (server.last_error[:80] + "…") if len(server.last_error) > 80 else server.last_error

    @admin.action(description=_("Jetzt abgleichen"), permissions=["change"])
    def sync_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        """One poll per server, now, under the same per-server lock as the periodic sync."""
        from rooms.sync import server_sync_locked

        for server in queryset:
            result = server_sync_locked(server_id=server.pk)
            if result.skipped:
                text = gettext("%(server)s: läuft gerade schon ein Abgleich; bitte kurz warten.")
                self.message_user(request, text % {"server": server}, messages.WARNING)
            elif result.ok:
                text = gettext(
                    "%(server)s: abgeglichen – %(ours)s eigene und %(foreign)s fremde Besprechungen, "
                    "%(people)s Teilnehmende, %(ended)s als beendet erkannt."
                )
                values = {
                    "server": server,
                    "ours": result.ours,
                    "foreign": result.foreign,
                    "people": result.participants,
                    "ended": result.ended,
                }
                self.message_user(request, text % values, messages.SUCCESS)
            else:
                text = gettext("%(server)s: Abgleich fehlgeschlagen (%(error)s). Es wurde nichts beendet.")
                self.message_user(request, text % {"server": server, "error": result.error}, messages.ERROR)

    @admin.action(description=_("Verbindung testen"))
    def test_connection(self, request: HttpRequest, queryset: QuerySet) -> None:
        from rooms.bbb_clients import client_for

        for server in queryset:
            try:
                version = client_for(server).api_version()
            except BBB_ERRORS as exc:
                self.message_user(request, f"{server}: {bbb_error_text(exc)}", messages.ERROR)
                continue
            text = gettext("%(server)s antwortet: API-Version %(version)s") % {
                "server": server,
                "version": version.version or version.api_version,
            }
            if version.build:
                text += f", BigBlueButton {version.build}"
            self.message_user(request, text, messages.SUCCESS)

    def _set_enabled(self, request: HttpRequest, queryset: QuerySet, enabled: bool) -> list[Server]:
        servers = list(queryset.filter(enabled=not enabled))
        Server.objects.filter(pk__in=[s.pk for s in servers]).update(enabled=enabled)
        for server in servers:
            audit_log(action="server.enable" if enabled else "server.drain", actor=request.user, target=server)
        return servers

    @admin.action(description=_("Für neue Besprechungen sperren (auslaufen lassen)"), permissions=["change"])
    def drain(self, request: HttpRequest, queryset: QuerySet) -> None:
        servers = self._set_enabled(request, queryset, enabled=False)
        self.message_user(
            request,
            gettext("Für neue Besprechungen gesperrt: %(servers)s. Laufende Besprechungen laufen weiter.")
            % {"servers": ", ".join(map(str, servers)) or "–"},
            messages.SUCCESS,
        )

    @admin.action(description=_("Für neue Besprechungen freigeben"), permissions=["change"])
    def enable(self, request: HttpRequest, queryset: QuerySet) -> None:
        servers = self._set_enabled(request, queryset, enabled=True)
        self.message_user(
            request,
            gettext("Für neue Besprechungen freigegeben: %(servers)s.")
            % {"servers": ", ".join(map(str, servers)) or "–"},
            messages.SUCCESS,
        )


# -- rooms and meetings -----------------------------------------------------------------------------


def end_meetings(modeladmin: admin.ModelAdmin, request: HttpRequest, meetings: QuerySet) -> None:
    """End each meeting on BBB through ``meeting_end`` (which marks it ended and audits)."""
    from rooms.services import MeetingUnavailable, meeting_end

    ended, failed = [], []
    for meeting in meetings.select_related("room", "club", "server"):
        label = str(meeting.room or meeting.meeting_id)
        try:
            meeting_end(meeting=meeting, actor=request.user, reason="ended_by_staff")
        except MeetingUnavailable as exc:
            failed.append(f"{label} ({exc})")
        else:
            ended.append(label)
    if ended:
        modeladmin.message_user(request, gettext("Beendet: %(list)s.") % {"list": ", ".join(ended)}, messages.SUCCESS)
    for text in failed:
        text = gettext("Nicht beendet, BBB hat nicht geantwortet: %(error)s. Bitte später erneut versuchen.") % {
            "error": text
        }
        modeladmin.message_user(request, text, messages.ERROR)
    if not ended and not failed:
        modeladmin.message_user(request, gettext("Keine der ausgewählten Besprechungen läuft."), messages.WARNING)


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

    @admin.action(description=_("Laufende Besprechung auf BBB beenden"), permissions=["change"])
    def end_running_meeting(self, request: HttpRequest, queryset: QuerySet) -> None:
        end_meetings(self, request, Meeting.objects.filter(room__in=queryset, ended_at__isnull=True))


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = (
        "room",
        "club",
        "server",
        "status_badge",
        "started_at",
        "ended_at",
        "participant_count",
        "peak_participants",
        "record",
        "last_synced_at",
    )
    list_filter = ("status", "record", "server", ("ended_at", admin.EmptyFieldListFilter))
    search_fields = ("room__name", "club__name", "meeting_id", "internal_meeting_id")
    list_select_related = ("room", "club", "server")
    date_hierarchy = "created_at"
    # Running meetings (not ended) first, then the most recent.
    ordering = (F("ended_at").desc(nulls_first=True), "-created_at")
    actions = ["end_meeting"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("room", "club", "server", "started_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Meeting._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the meeting history is what statistics and support read

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, meeting: Meeting) -> str:
        kind = {Meeting.Status.RUNNING: "ok", Meeting.Status.STARTING: "warn"}.get(meeting.status, "muted")
        return badge(kind, meeting.get_status_display())

    @admin.action(description=_("Besprechung auf BBB beenden"), permissions=["change"])
    def end_meeting(self, request: HttpRequest, queryset: QuerySet) -> None:
        end_meetings(self, request, queryset.filter(ended_at__isnull=True))


# -- recordings -------------------------------------------------------------------------------------


class AgeFilter(admin.SimpleListFilter):
    title = _("Alter")
    parameter_name = "age"
    DAYS = {"7": (None, 7), "30": (None, 30), "90": (30, 90), "365": (90, 365), "old": (365, None)}

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("7", _("jünger als 7 Tage")),
            ("30", _("jünger als 30 Tage")),
            ("90", _("30 bis 90 Tage")),
            ("365", _("90 Tage bis 1 Jahr")),
            ("old", _("älter als 1 Jahr")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() not in self.DAYS:
            return queryset
        older_than, younger_than = self.DAYS[self.value()]
        now = timezone.now()
        if older_than is not None:
            queryset = queryset.filter(started_at__lt=now - timedelta(days=older_than))
        if younger_than is not None:
            queryset = queryset.filter(started_at__gte=now - timedelta(days=younger_than))
        return queryset


def _expired_pks(*, days_ahead: int = 0) -> QuerySet:
    """Pks the retention cleanup deletes now (or within ``days_ahead`` days): the cleanup's own rule."""
    from rooms.recordings import recordings_expired

    expired, _info = recordings_expired(now=timezone.now() + timedelta(days=days_ahead))
    return expired.order_by().values("pk")


class WillBeDeletedFilter(admin.SimpleListFilter):
    """Recordings the retention cleanup deletes: due now, due soon (notice period), or not."""

    title = _("wird gelöscht")
    parameter_name = "will_be_deleted"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        days = settings.RECORDING_DELETION_NOTICE_DAYS
        return [
            ("due", _("ja, Aufbewahrungsfrist abgelaufen")),
            ("soon", _("ja, in den nächsten %(days)s Tagen") % {"days": days}),
            ("no", _("nein")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        notice_days = settings.RECORDING_DELETION_NOTICE_DAYS
        if self.value() == "due":
            return queryset.filter(pk__in=_expired_pks())
        if self.value() == "soon":
            return queryset.filter(pk__in=_expired_pks(days_ahead=notice_days)).exclude(pk__in=_expired_pks())
        if self.value() == "no":
            return queryset.exclude(pk__in=_expired_pks(days_ahead=notice_days))
        return queryset


class DeleteRecordingsForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund"),
        max_length=255,
        widget=forms.TextInput(attrs={"size": 70}),
        error_messages={"required": _("Bitte geben Sie einen Grund an; er wird im Protokoll vermerkt.")},
    )


@admin.register(Recording)
class RecordingAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "club",
        "state",
        "is_protected",
        "started_at",
        "duration",
        "size",
        "deletion_date",
        "server",
    )
    list_filter = (
        ("club", admin.RelatedOnlyFieldListFilter),
        "state",
        AgeFilter,
        "protected",
        WillBeDeletedFilter,
        "published",
        ("deleted_at", admin.EmptyFieldListFilter),
        "server",
    )
    search_fields = ("name", "record_id", "bbb_meeting_id", "internal_meeting_id", "club__name", "room__name")
    list_select_related = ("club", "room", "server")
    date_hierarchy = "started_at"
    actions = ["delete_on_bbb", "protect", "unprotect", "resync"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("club", "room", "server", "meeting__room")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Recording._meta.fields] + ["deletion_date"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting a row would orphan the recording on BBB: use "delete on BBB"

    @admin.display(description=_("Geschützt"), boolean=True, ordering="protected")
    def is_protected(self, recording: Recording) -> bool:
        return recording.protected

    @admin.display(description=_("Dauer"), ordering="duration_seconds")
    def duration(self, recording: Recording) -> str:
        minutes = round(recording.duration_seconds / 60)
        return f"{minutes // 60}:{minutes % 60:02d} h"

    @admin.display(description=_("Größe"), ordering="size_bytes")
    def size(self, recording: Recording) -> str:
        return filesizeformat(recording.size_bytes)

    @admin.display(description=_("Löschung am"))
    def deletion_date(self, recording: Recording) -> str:
        from rooms.recordings import recording_deletion_date

        if recording.deleted_at:
            return gettext("gelöscht")
        if recording.protected:
            return gettext("geschützt")
        day = recording_deletion_date(recording)
        return day.strftime("%d.%m.%Y") if day else gettext("nie")

    @admin.action(description=_("Auf BBB löschen …"), permissions=["change"])
    def delete_on_bbb(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        from rooms.recordings import recordings_delete

        queryset = queryset.select_related("club", "room", "server")
        deletable = list(queryset.filter(protected=False, deleted_at__isnull=True))
        skipped = list(queryset.filter(Q(protected=True) | Q(deleted_at__isnull=False)))
        form = DeleteRecordingsForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid() and deletable:
            result = recordings_delete(recordings=deletable, actor=request.user, reason=form.cleaned_data["reason"])
            if result.deleted:
                text = gettext("%(count)s Aufzeichnung(en) auf BBB gelöscht.") % {"count": len(result.deleted)}
                self.message_user(request, text, messages.SUCCESS)
            if result.failed:
                text = gettext(
                    "%(count)s Aufzeichnung(en) nicht gelöscht, weil BBB das Löschen nicht bestätigt hat "
                    "(%(errors)s). Bitte später erneut versuchen."
                ) % {"count": len(result.failed), "errors": "; ".join(result.errors) or "–"}
                self.message_user(request, text, messages.ERROR)
            return None
        if not deletable:
            self.message_user(
                request,
                gettext("Keine der ausgewählten Aufzeichnungen kann gelöscht werden (geschützt oder schon gelöscht)."),
                messages.WARNING,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Aufzeichnungen auf BBB löschen"),
            "recordings": deletable,
            "skipped": skipped,
            "total_size": sum(r.size_bytes for r in deletable),
            "form": form,
            "action": "delete_on_bbb",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": self.model._meta,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/rooms/recording/delete_on_bbb.html", context)

    def _set_protected(self, request: HttpRequest, queryset: QuerySet, protected: bool) -> None:
        from rooms.recordings import recording_set_protected

        changed = 0
        for recording in queryset.filter(protected=not protected, deleted_at__isnull=True).select_related("club"):
            recording_set_protected(recording=recording, actor=request.user, protected=protected)
            changed += 1
        text = (
            gettext("%(count)s Aufzeichnung(en) geschützt.")
            if protected
            else gettext("Schutz bei %(count)s Aufzeichnung(en) aufgehoben.")
        )
        self.message_user(request, text % {"count": changed}, messages.SUCCESS)

    @admin.action(description=_("Vor dem Löschen schützen"), permissions=["change"])
    def protect(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_protected(request, queryset, protected=True)

    @admin.action(description=_("Schutz aufheben"), permissions=["change"])
    def unprotect(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_protected(request, queryset, protected=False)

    @admin.action(description=_("Mit BBB abgleichen"), permissions=["change"])
    def resync(self, request: HttpRequest, queryset: QuerySet) -> None:
        from rooms.recordings import RecordingActionFailed, recording_resync

        done = 0
        for recording in queryset.select_related("club", "room", "server"):
            try:
                recording_resync(recording=recording)
            except RecordingActionFailed as exc:
                self.message_user(request, f"{recording}: {exc}", messages.ERROR)
            else:
                done += 1
        if done:
            text = gettext("%(count)s Aufzeichnung(en) mit BBB abgeglichen.") % {"count": done}
            self.message_user(request, text, messages.SUCCESS)
