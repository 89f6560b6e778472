"""BBB servers (health, load) and meetings: the live state while they run, the history afterwards."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clubs.models import Club
from rooms.models import Room


class Server(models.Model):
    """A BBB server (or a Scalelite endpoint, which speaks the same API)."""

    class ChecksumAlgorithm(models.TextChoices):
        SHA1 = "sha1", "SHA-1"
        SHA256 = "sha256", "SHA-256"
        SHA384 = "sha384", "SHA-384"
        SHA512 = "sha512", "SHA-512"

    class Kind(models.TextChoices):
        BBB = "bbb", _("BigBlueButton-Server")
        SCALELITE = "scalelite", _("Scalelite (Lastverteiler vor mehreren BBB-Servern)")

    # Checksum algorithms each kind accepts: bbb-web all four (GetChecksumValidator), Scalelite no
    # SHA-384 (scalelite app/controllers/concerns/api_helper.rb, guess_checksum_digest_algorithm).
    KIND_ALGORITHMS = {
        Kind.BBB: (
            ChecksumAlgorithm.SHA1,
            ChecksumAlgorithm.SHA256,
            ChecksumAlgorithm.SHA384,
            ChecksumAlgorithm.SHA512,
        ),
        Kind.SCALELITE: (ChecksumAlgorithm.SHA1, ChecksumAlgorithm.SHA256, ChecksumAlgorithm.SHA512),
    }

    name = models.CharField(_("Name"), max_length=80, unique=True)
    kind = models.CharField(
        _("Art"),
        max_length=16,
        choices=Kind.choices,
        default=Kind.BBB,
        help_text=_(
            "Scalelite beantwortet getMeetings nicht verlässlich (abschaltbar, Fehler wenn ein Server fehlt); "
            "der Abgleich fragt dort jede offene Besprechung einzeln ab."
        ),
    )
    api_url = models.URLField(_("API-URL"), help_text=_("z. B. https://bbb.example.org/bigbluebutton/api/"))
    secret = models.CharField(_("Gemeinsames Geheimnis"), max_length=200)
    checksum_algorithm = models.CharField(
        _("Prüfsummen-Verfahren"), max_length=10, choices=ChecksumAlgorithm.choices, default=ChecksumAlgorithm.SHA256
    )
    enabled = models.BooleanField(_("Für neue Besprechungen freigegeben"), default=True)
    dial_number = models.CharField(
        _("Telefon-Einwahlnummer"),
        max_length=40,
        blank=True,
        help_text=_("Die Nummer, unter der man sich per Telefon in Besprechungen dieses Servers einwählt."),
    )
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
    # Pools: a room (or its preset) may ask for a tag, e.g. "gross" for the big server (server_choose).
    tags = models.CharField(
        _("Pools (Tags)"),
        max_length=200,
        blank=True,
        help_text=_("Durch Kommas getrennt, z. B. „gross“. Räume ohne Pool bevorzugen Server ohne Pool."),
    )
    # Retired: takes no meetings any more, but its recordings stay listed and are deleted through it.
    retired = models.BooleanField(
        _("Stillgelegt"),
        default=False,
        help_text=_("Keine Besprechungen mehr; die Aufzeichnungen bleiben sichtbar und lassen sich löschen."),
    )
    # Planned maintenance: from SERVER_MAINTENANCE_DRAIN_MINUTES before the start until the end the
    # server takes no new meetings, so that the running ones have ended by the time it goes down.
    maintenance_starts_at = models.DateTimeField(_("Wartung ab"), null=True, blank=True)
    maintenance_ends_at = models.DateTimeField(_("Wartung bis"), null=True, blank=True)

    class Meta:
        verbose_name = _("BBB-Server")
        verbose_name_plural = _("BBB-Server")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        allowed = self.KIND_ALGORITHMS.get(self.kind, ())
        if self.checksum_algorithm and self.checksum_algorithm not in allowed:
            raise ValidationError(
                {
                    "checksum_algorithm": _(
                        "%(kind)s unterstützt dieses Prüfsummen-Verfahren nicht. Bitte wählen Sie %(allowed)s."
                    )
                    % {
                        "kind": self.get_kind_display(),
                        "allowed": ", ".join(self.ChecksumAlgorithm(a).label for a in allowed),
                    }
                }
            )

    @property
    def tag_list(self) -> list[str]:
        return server_tags_parse(self.tags)


def server_tags_parse(value: str) -> list[str]:
    """``"gross, Schule"`` -> ``["gross", "schule"]`` (tags compare case-insensitively)."""
    return sorted({tag.strip().lower() for tag in value.split(",") if tag.strip()})


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
    # Written by meetings.sync: the participant count integrated over the sync ticks, from which the
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


class PendingRecordingFetch(models.Model):
    """A verified recording-ready callback whose fetch task could not be queued (broker down).

    BBB does not retry the callback, so the id is kept here and a worker fetches it later
    (``recordings.tasks.recordings_fetch_pending``).
    """

    server = models.ForeignKey(Server, on_delete=models.CASCADE, related_name="+", verbose_name=_("Server"))
    record_id = models.CharField(_("Aufzeichnungs-ID"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Ausstehender Aufzeichnungsabruf")
        verbose_name_plural = _("Ausstehende Aufzeichnungsabrufe")
        constraints = [models.UniqueConstraint(fields=["server", "record_id"], name="one_pending_fetch_per_recording")]

    def __str__(self) -> str:
        return self.record_id
