from __future__ import annotations

import secrets
import string

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clubs.models import Club

# No vowels or look-alikes: friendly ids read aloud well and never spell words.
FRIENDLY_ALPHABET = "bcdfghjkmnpqrstvwxz"


def new_friendly_id() -> str:
    """An unguessable public room id like ``kxm-pqt-wzb-fhd`` (19^12 ≈ 2.2e15 combinations)."""
    return "-".join("".join(secrets.choice(FRIENDLY_ALPHABET) for _ in range(3)) for _ in range(4))


def new_meeting_id() -> str:
    """The opaque BBB meetingID of a room; reveals nothing about club or room."""
    return secrets.token_hex(20)


def new_access_code() -> str:
    return "".join(secrets.choice(string.digits) for _ in range(6))


class Server(models.Model):
    """A BBB server (or a Scalelite endpoint, which speaks the same API)."""

    class ChecksumAlgorithm(models.TextChoices):
        SHA1 = "sha1", "SHA-1"
        SHA256 = "sha256", "SHA-256"
        SHA384 = "sha384", "SHA-384"
        SHA512 = "sha512", "SHA-512"

    name = models.CharField(_("Name"), max_length=80, unique=True)
    api_url = models.URLField(_("API-URL"), help_text=_("z. B. https://bbb.example.org/bigbluebutton/api/"))
    secret = models.CharField(_("Gemeinsames Geheimnis"), max_length=200)
    checksum_algorithm = models.CharField(
        _("Prüfsummen-Verfahren"), max_length=10, choices=ChecksumAlgorithm.choices, default=ChecksumAlgorithm.SHA256
    )
    enabled = models.BooleanField(_("Für neue Besprechungen freigegeben"), default=True)
    capacity = models.PositiveIntegerField(
        _("Kapazität (Teilnehmende)"), default=300, help_text=_("Ungefähre Last, ab der der Server als voll gilt.")
    )
    # Health, written by the sync only.
    healthy = models.BooleanField(_("Erreichbar"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("Fehlschläge in Folge"), default=0)
    last_poll_at = models.DateTimeField(_("Letzte Abfrage"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("Letzte erfolgreiche Abfrage"), null=True, blank=True)
    last_error = models.CharField(_("Letzter Fehler"), max_length=500, blank=True)
    meeting_count = models.PositiveIntegerField(_("Laufende Besprechungen"), default=0)
    participant_count = models.PositiveIntegerField(_("Teilnehmende"), default=0)
    foreign_meeting_count = models.PositiveIntegerField(_("Fremde Besprechungen"), default=0)
    load = models.PositiveIntegerField(_("Last"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("BBB-Server")
        verbose_name_plural = _("BBB-Server")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("Verein"))
    name = models.CharField(_("Name"), max_length=120)
    friendly_id = models.CharField(_("Öffentliche Kennung"), max_length=32, unique=True, default=new_friendly_id)
    meeting_id = models.CharField(_("BBB-Meeting-ID"), max_length=64, unique=True, default=new_meeting_id)
    welcome_text = models.TextField(_("Begrüßungstext"), blank=True)
    viewer_code = models.CharField(_("Zugangscode für Gäste"), max_length=32, blank=True)
    moderator_code = models.CharField(_("Zugangscode für Moderation"), max_length=32, blank=True)
    waiting_room = models.BooleanField(_("Warteraum (Gäste werden eingelassen)"), default=False)
    anyone_can_start = models.BooleanField(_("Jede Person darf die Besprechung starten"), default=False)
    all_moderators = models.BooleanField(_("Alle treten als Moderation bei"), default=False)
    mute_on_start = models.BooleanField(_("Beim Beitreten stummgeschaltet"), default=True)
    record = models.BooleanField(_("Aufzeichnung erlaubt"), default=False)
    max_participants = models.PositiveIntegerField(_("Max. Teilnehmende"), null=True, blank=True)
    show_recordings_publicly = models.BooleanField(
        _("Veröffentlichte Aufzeichnungen auf der Raumseite zeigen"), default=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Raum")
        verbose_name_plural = _("Räume")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """One BBB session of a room: the live state while it runs, the history afterwards."""

    class Status(models.TextChoices):
        STARTING = "starting", _("Startet")
        RUNNING = "running", _("Läuft")
        ENDED = "ended", _("Beendet")

    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, related_name="meetings", verbose_name=_("Raum")
    )
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("Verein"))
    server = models.ForeignKey(Server, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("Server"))
    meeting_id = models.CharField(_("BBB-Meeting-ID"), max_length=64, db_index=True)
    internal_meeting_id = models.CharField(_("Interne Meeting-ID"), max_length=100, blank=True, db_index=True)
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices, default=Status.STARTING)
    record = models.BooleanField(_("Mit Aufzeichnung"), default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    create_time = models.DateTimeField(_("BBB-Erstellzeit"), null=True, blank=True)
    started_at = models.DateTimeField(_("Läuft seit"), null=True, blank=True)
    ended_at = models.DateTimeField(_("Beendet am"), null=True, blank=True, db_index=True)
    end_reason = models.CharField(_("Endegrund"), max_length=40, blank=True)
    participant_count = models.PositiveIntegerField(_("Teilnehmende"), default=0)
    moderator_count = models.PositiveIntegerField(_("Moderation"), default=0)
    listener_count = models.PositiveIntegerField(_("Nur zuhörend"), default=0)
    voice_count = models.PositiveIntegerField(_("Mit Mikrofon"), default=0)
    video_count = models.PositiveIntegerField(_("Mit Kamera"), default=0)
    peak_participants = models.PositiveIntegerField(_("Höchstzahl Teilnehmende"), default=0)
    last_synced_at = models.DateTimeField(_("Zuletzt abgeglichen"), null=True, blank=True)
    # Written by rooms.sync: the participant count integrated over the sync ticks, from which the
    # statistics compute participant-hours (a peak alone would overstate long meetings).
    participant_seconds = models.PositiveBigIntegerField(_("Teilnehmenden-Sekunden"), default=0)

    class Meta:
        verbose_name = _("Besprechung")
        verbose_name_plural = _("Besprechungen")
        ordering = ["-created_at"]
        constraints = [
            # A room has at most one meeting that has not ended: two starts cannot make two.
            models.UniqueConstraint(
                fields=["room"], condition=Q(ended_at__isnull=True), name="one_open_meeting_per_room"
            )
        ]
        indexes = [models.Index(fields=["club", "created_at"])]

    def __str__(self) -> str:
        return f"{self.room or '—'} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def display_status(self) -> str:
        """The status pages show: ``unknown`` while the meeting is open on an unhealthy server.

        A server that failed several polls in a row may still be running the meeting, or not; the
        site must not claim either (rule 4). Needs ``server`` (use ``select_related("server")``).
        """
        if self.ended_at is None and not self.server.healthy:
            return "unknown"
        return self.status


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
