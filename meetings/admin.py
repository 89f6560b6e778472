"""The staff console for BBB servers and meetings (the dashboard on the admin index: herzdigital/admin.py).

Actions are thin doors to the services (``rooms.services``, ``meetings.sync``);
BBB errors are shown as messages, never as a 500. Everything only the system writes (BBB ids,
sync times, health) is read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.db.models.expressions import F
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bbb import BBBError, BBBUnavailable
from clubs.audit import audit_log
from meetings.models import Meeting, Server

BBB_ERRORS = (BBBError, BBBUnavailable)


def bbb_error_text(exc: Exception) -> str:
    if isinstance(exc, BBBUnavailable):
        return gettext("BBB-Server nicht erreichbar (%(error)s)") % {"error": exc}
    return gettext("BBB hat den Auftrag abgelehnt (%(error)s)") % {"error": exc}


def badge(kind: str, text: str) -> str:
    return format_html('<span class="hd-badge hd-badge-{}">{}</span>', kind, text)


# -- servers --------------------------------------------------------------------------------------


class ServerForm(forms.ModelForm):
    """The shared secret is write-only: never rendered back (not even masked), kept when left empty."""

    api_url = forms.URLField(
        label=Server._meta.get_field("api_url").verbose_name,
        help_text=Server._meta.get_field("api_url").help_text,
        assume_scheme="https",
        max_length=200,
    )
    secret = forms.CharField(
        label=Server._meta.get_field("secret").verbose_name,
        max_length=200,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = Server
        fields = (
            "name",
            "kind",
            "api_url",
            "secret",
            "checksum_algorithm",
            "enabled",
            "capacity",
            "tags",
            "dial_number",
            "retired",
            "maintenance_starts_at",
            "maintenance_ends_at",
        )

    def clean_secret(self) -> str:
        secret = self.cleaned_data.get("secret", "")
        if not secret and self.instance.pk:
            return Server.objects.filter(pk=self.instance.pk).values_list("secret", flat=True).first() or ""
        return secret

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.pop("secret", None)
        if "checksum_algorithm" not in self.fields:
            return  # staff with view-only rights: every field is read-only (and the secret not shown at all)
        if self.instance.pk:
            self.fields["secret"].help_text = gettext(
                "Gespeichert und aus Sicherheitsgründen nicht angezeigt. Nur ausfüllen, um es zu ändern "
                "(Ausgabe von „bbb-conf --secret“)."
            )
        else:
            self.fields["secret"].required = True
            self.fields["secret"].help_text = gettext("Ausgabe von „bbb-conf --secret“ auf dem BBB-Server.")
        # Offer only the algorithms the kind supports (the kind as posted, else as stored); the
        # model's clean() refuses a mismatch if the kind changes in the same post.
        kind = self.data.get(self.add_prefix("kind")) or self.instance.kind
        allowed = Server.KIND_ALGORITHMS.get(kind, Server.KIND_ALGORITHMS[Server.Kind.BBB])
        self.fields["checksum_algorithm"].choices = [
            (value, label) for value, label in Server.ChecksumAlgorithm.choices if value in allowed
        ]


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
    list_filter = ("kind", "enabled", "healthy", "retired", "checksum_algorithm")
    search_fields = ("name", "api_url", "tags")
    actions = ["sync_now", "test_connection", "drain", "enable", "retire"]
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
        (
            None,
            {
                "fields": (
                    "name",
                    "kind",
                    "api_url",
                    "secret",
                    "checksum_algorithm",
                    "enabled",
                    "capacity",
                    "tags",
                    "dial_number",
                )
            },
        ),
        (
            _("Wartung und Stilllegung"),
            {
                "fields": (("maintenance_starts_at", "maintenance_ends_at"), "retired"),
                "description": _(
                    "Vor einer geplanten Wartung nimmt der Server schon einige Zeit vorher keine neuen Besprechungen "
                    "mehr an (SERVER_MAINTENANCE_DRAIN_MINUTES). Ein stillgelegter Server nimmt keine Besprechungen "
                    "mehr an; seine Aufzeichnungen bleiben sichtbar und werden über ihn gelöscht."
                ),
            },
        ),
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

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        """Staff who may only view a server do not even get the secret's field (it would be rendered)."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            fieldsets = [
                (title, {**opts, "fields": tuple(f for f in opts["fields"] if f != "secret")})
                for title, opts in fieldsets
            ]
        return fieldsets

    @admin.display(description=_("Zustand"), ordering="healthy")
    def health(self, server: Server) -> str:
        if server.retired:
            return badge("muted", gettext("Stillgelegt"))
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
        return server.enabled and not server.retired

    @admin.action(description=_("Stilllegen (Aufzeichnungen bleiben)"), permissions=["change"])
    def retire(self, request: HttpRequest, queryset: QuerySet) -> None:
        from meetings.services import server_retire

        for server in queryset.filter(retired=False):
            server_retire(server=server, actor=request.user)
            self.message_user(
                request,
                gettext(
                    "%(server)s ist stillgelegt: keine neuen Besprechungen mehr, laufende enden wie gewohnt. "
                    "Seine Aufzeichnungen bleiben sichtbar und werden über ihn gelöscht."
                )
                % {"server": server},
                messages.SUCCESS,
            )

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        """Warn before a server that still holds recordings is deleted (retiring keeps them)."""
        # The recordings app sits above meetings: reach its model through the relation, not an import.
        recording_model = self.model._meta.get_field("recordings").related_model
        recordings = recording_model.objects.filter(server_id=object_id, deleted_at__isnull=True).count()
        context = {**(extra_context or {}), "server_recordings": recordings}
        if recordings:
            self.message_user(
                request,
                gettext(
                    "Auf diesem Server liegen noch %(count)d Aufzeichnungen. Wird er gelöscht, sind sie für die "
                    "Vereine verloren. Legen Sie den Server stattdessen still: dann bleiben sie sichtbar und "
                    "lassen sich über ihn löschen."
                )
                % {"count": recordings},
                messages.WARNING,
            )
        return super().delete_view(request, object_id, context)

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
        from meetings.sync import server_sync_locked

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
        from meetings.bbb_clients import client_for

        for server in queryset:
            client = client_for(server)
            try:
                # The root call is unsigned and answers any secret; check_secret() is a signed call
                # that fails with checksumError when secret or algorithm are wrong.
                client.check_secret()
                version = client.api_version()
            except BBBError as exc:
                if exc.message_key == "checksumError":
                    text = gettext(
                        "%(server)s lehnt das gemeinsame Geheimnis oder das Prüfsummen-Verfahren ab. "
                        "Bitte prüfen Sie beides (bbb-conf --secret)."
                    )
                    self.message_user(request, text % {"server": server}, messages.ERROR)
                else:
                    self.message_user(request, f"{server}: {bbb_error_text(exc)}", messages.ERROR)
                continue
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


# -- meetings -----------------------------------------------------------------------------------


def end_meetings(
    modeladmin: admin.ModelAdmin, request: HttpRequest, meetings: QuerySet, *, action: str
) -> HttpResponse | None:
    """End each meeting on BBB through ``meeting_end`` (which marks it ended and audits) — after a confirmation
    page that lists the meetings and how many people are in them (one click must not end a general assembly)."""
    from meetings.services import MeetingUnavailable, meeting_end

    running = list(meetings.select_related("room", "club", "server"))
    if running and "apply" not in request.POST:
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": _("Besprechungen beenden"),
            "meetings": running,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        }
        return TemplateResponse(request, "admin/meetings/meeting/end_confirm.html", context)
    ended, failed = [], []
    for meeting in running:
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
    return None


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

    @admin.action(description=_("Besprechung auf BBB beenden …"), permissions=["change"])
    def end_meeting(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        return end_meetings(self, request, queryset.filter(ended_at__isnull=True), action="end_meeting")
