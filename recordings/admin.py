"""The staff console for recordings: filters by age and deletion date, delete on BBB, protect, resync.

Actions are thin doors to ``recordings.services``; BBB errors are shown as messages, never as a 500.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from recordings.models import CleanupRun, Recording


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
    from recordings.cleanup import recordings_expired

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
        from recordings.cleanup import recording_deletion_date

        if recording.deleted_at:
            return gettext("gelöscht")
        if recording.protected:
            return gettext("geschützt")
        day = recording_deletion_date(recording)
        return day.strftime("%d.%m.%Y") if day else gettext("nie")

    @admin.action(description=_("Auf BBB löschen …"), permissions=["change"])
    def delete_on_bbb(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        from recordings.services import recordings_delete

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
        return TemplateResponse(request, "admin/recordings/recording/delete_on_bbb.html", context)

    def _set_protected(self, request: HttpRequest, queryset: QuerySet, protected: bool) -> None:
        from recordings.services import RecordingActionFailed, recording_set_protected

        changed = 0
        for recording in queryset.filter(protected=not protected, deleted_at__isnull=True).select_related("club"):
            try:
                recording_set_protected(recording=recording, actor=request.user, protected=protected)
            except RecordingActionFailed:
                continue  # deleted meanwhile by the cleanup
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
        from recordings.services import RecordingActionFailed, recording_resync

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


@admin.register(CleanupRun)
class CleanupRunAdmin(admin.ModelAdmin):
    """What the retention cleanup did, and why a run was skipped (read-only)."""

    list_display = ["started_at", "finished_at", "outcome", "selected", "deleted", "failed", "message"]
    list_filter = ["outcome"]
    readonly_fields = [f.name for f in CleanupRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
