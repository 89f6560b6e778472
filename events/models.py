"""Scheduled meetings of a club: planned sessions in one of its rooms, with invitees and reminders."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from clubs.models import Club
from rooms.models import PersonalLink, Room


def new_uid() -> str:
    """The iCalendar UID of a scheduled meeting: stable for its whole life, globally unique."""
    return f"{uuid.uuid4()}@herzdigital"


class ScheduledMeeting(models.Model):
    """A planned meeting (general assembly, course, board meeting), once or weekly.

    ``start_at``/``end_at`` are stored in UTC; they are entered and shown in the site's time zone
    (Europe/Berlin). A weekly series repeats the *local* wall-clock time, so a course at 19:00 stays
    at 19:00 across daylight-saving changes (its UTC time moves by an hour).
    ``sequence`` is the iCalendar SEQUENCE: every update or cancellation increases it, so calendar
    programs replace the copy they hold.
    """

    class Recurrence(models.TextChoices):
        NONE = "none", _("Einmalig")
        WEEKLY = "weekly", _("Wöchentlich")

    club = models.ForeignKey(
        Club, on_delete=models.CASCADE, related_name="scheduled_meetings", verbose_name=_("Verein")
    )
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="scheduled_meetings", verbose_name=_("Raum"))
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung und Tagesordnung"), blank=True)
    start_at = models.DateTimeField(_("Beginn"), db_index=True)
    end_at = models.DateTimeField(_("Ende"))
    recurrence = models.CharField(_("Wiederholung"), max_length=10, choices=Recurrence.choices, default=Recurrence.NONE)
    repeat_until = models.DateField(
        _("Wiederholen bis"), null=True, blank=True, help_text=_("Leer lassen, um ohne Enddatum zu wiederholen.")
    )
    record = models.BooleanField(_("Wird aufgezeichnet"), default=False)
    uid = models.CharField(_("Kalender-UID"), max_length=100, unique=True, default=new_uid, editable=False)
    sequence = models.PositiveIntegerField(_("Version"), default=0)
    cancelled_at = models.DateTimeField(_("Abgesagt am"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Angelegt von"),
    )
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Geplante Besprechung")
        verbose_name_plural = _("Geplante Besprechungen")
        ordering = ["start_at"]
        constraints = [
            models.CheckConstraint(condition=Q(end_at__gt=F("start_at")), name="scheduled_meeting_ends_after_start")
        ]
        indexes = [models.Index(fields=["club", "start_at"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.room_id and self.club_id and self.room.club_id != self.club_id:
            raise ValidationError({"room": _("Bitte wählen Sie einen Raum Ihres Vereins.")})
        if self.start_at and self.end_at and self.end_at <= self.start_at:
            raise ValidationError({"end_at": _("Das Ende muss nach dem Beginn liegen.")})

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_recurring(self) -> bool:
        return self.recurrence == self.Recurrence.WEEKLY

    @property
    def duration(self) -> timedelta:
        return self.end_at - self.start_at

    @property
    def general_assembly(self) -> models.Model | None:
        """The general assembly this meeting is (``assemblies.Assembly``, one-to-one), or None.

        Assemblies build on events, so events knows it only through the reverse relation: its invitation
        mail adds how to take part, and it invites every member (``services._invitees_set``).
        """
        try:
            return self.assembly
        except ObjectDoesNotExist:
            return None


class Invitee(models.Model):
    """One person invited to a scheduled meeting: a club member (``user``) or a guest (email only).

    Every invitee gets each version (SEQUENCE) of the meeting once: the notify task claims the rows whose
    ``notified_sequence`` is behind before it mails them. Removing an invitee keeps the row
    (``removed_at``), so that the cancellation reaches them once.
    """

    scheduled_meeting = models.ForeignKey(
        ScheduledMeeting, on_delete=models.CASCADE, related_name="invitees", verbose_name=_("Termin")
    )
    email = models.EmailField(_("E-Mail-Adresse"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Mitglied"),
    )
    # Their own join link (instead of the room's shared code); made by the first notify run.
    personal_link = models.OneToOneField(
        PersonalLink,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitee",
        verbose_name=_("Persönlicher Link"),
    )
    # The last SEQUENCE mailed to this person (-1: nothing yet); claimed before sending.
    notified_sequence = models.IntegerField(_("Zuletzt versandte Version"), default=-1)
    created_at = models.DateTimeField(_("Eingeladen am"), auto_now_add=True)
    removed_at = models.DateTimeField(_("Ausgeladen am"), null=True, blank=True)
    removal_sent_at = models.DateTimeField(_("Absage versandt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Eingeladene Person")
        verbose_name_plural = _("Eingeladene Personen")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["scheduled_meeting", "email"], name="unique_invitee_per_meeting")
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_guest(self) -> bool:
        return self.user_id is None

    @property
    def language(self) -> str:
        if self.user is not None and self.user.language:
            return self.user.language
        return settings.LANGUAGE_CODE


class ReminderLog(models.Model):
    """Claim and record of one reminder of one occurrence.

    The unique constraint makes the claim: whoever inserts the row sends the reminder, everybody
    else (an overlapping beat run, a redelivered task after a worker restart) finds it and skips.
    """

    scheduled_meeting = models.ForeignKey(
        ScheduledMeeting, on_delete=models.CASCADE, related_name="reminder_logs", verbose_name=_("Termin")
    )
    occurrence_start = models.DateTimeField(_("Beginn des Termins"))
    kind = models.CharField(_("Art"), max_length=20)
    claimed_at = models.DateTimeField(_("Übernommen am"))
    sent_at = models.DateTimeField(_("Versandt am"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("Empfänger"), default=0)

    class Meta:
        verbose_name = _("Versandte Erinnerung")
        verbose_name_plural = _("Versandte Erinnerungen")
        ordering = ["-occurrence_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheduled_meeting", "occurrence_start", "kind"], name="unique_reminder_per_occurrence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheduled_meeting_id} {self.occurrence_start:%Y-%m-%d %H:%M} {self.kind}"
