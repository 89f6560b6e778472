"""Recordings of a club's meetings, as the site knows them from BBB."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clubs.models import Club
from meetings.models import Meeting, Server
from rooms.models import Room


class Recording(models.Model):
    class State(models.TextChoices):
        PROCESSING = "processing", _("Wird verarbeitet")
        PROCESSED = "processed", _("Verarbeitet")
        PUBLISHED = "published", _("Veröffentlicht")
        UNPUBLISHED = "unpublished", _("Nicht veröffentlicht")
        DELETED = "deleted", _("Gelöscht")
        GONE = "gone", _("Nicht mehr auf dem Server")

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="recordings", verbose_name=_("Verein"))
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="recordings", verbose_name=_("Raum")
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recordings",
        verbose_name=_("Besprechung"),
    )
    server = models.ForeignKey(Server, on_delete=models.PROTECT, related_name="recordings", verbose_name=_("Server"))
    record_id = models.CharField(_("Aufzeichnungs-ID"), max_length=120, unique=True)
    bbb_meeting_id = models.CharField(_("BBB-Meeting-ID"), max_length=64, db_index=True)
    internal_meeting_id = models.CharField(_("Interne Meeting-ID"), max_length=100, blank=True)
    name = models.CharField(_("Name"), max_length=255)
    state = models.CharField(_("Zustand"), max_length=12, choices=State.choices, default=State.PROCESSING)
    published = models.BooleanField(_("Veröffentlicht"), default=False)
    protected = models.BooleanField(_("Vor dem Löschen geschützt"), default=False)
    started_at = models.DateTimeField(_("Beginn"), null=True, blank=True, db_index=True)
    ended_at = models.DateTimeField(_("Ende"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("Dauer (Sekunden)"), default=0)
    participants = models.PositiveIntegerField(_("Teilnehmende"), default=0)
    size_bytes = models.BigIntegerField(_("Größe (Bytes)"), default=0)
    formats = models.JSONField(_("Wiedergabeformate"), default=list, blank=True)
    metadata = models.JSONField(_("Metadaten"), default=dict, blank=True)
    last_synced_at = models.DateTimeField(_("Zuletzt abgeglichen"), null=True, blank=True)
    gone_at = models.DateTimeField(_("Nicht mehr auf dem Server seit"), null=True, blank=True)
    deletion_notice_sent_at = models.DateTimeField(_("Löschhinweis versandt"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("Gelöscht am"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Aufzeichnung")
        verbose_name_plural = _("Aufzeichnungen")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["club", "deleted_at", "started_at"])]

    def __str__(self) -> str:
        return self.name


class CleanupRun(models.Model):
    """One run of the retention cleanup, so that staff see in the admin what ran, what was skipped and why."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Läuft")
        DONE = "done", _("Abgeschlossen")
        SKIPPED = "skipped", _("Übersprungen")
        FAILED = "failed", _("Abgebrochen")

    started_at = models.DateTimeField(_("Begonnen"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("Beendet"), null=True, blank=True)
    outcome = models.CharField(_("Ergebnis"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    selected = models.PositiveIntegerField(_("Ausgewählt"), default=0)
    deleted = models.PositiveIntegerField(_("Gelöscht"), default=0)
    failed = models.PositiveIntegerField(_("Fehlgeschlagen"), default=0)
    message = models.TextField(_("Meldung"), blank=True)

    class Meta:
        verbose_name = _("Bereinigungslauf")
        verbose_name_plural = _("Bereinigungsläufe")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"
