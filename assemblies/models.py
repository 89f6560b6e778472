"""The general assembly (Mitgliederversammlung, § 32 BGB): agenda, attendance, motions and ballots.

Its own app rather than part of ``events/``: an assembly *is* a scheduled meeting (one-to-one), but
what it adds -- the club's statutes (notice period, quorum), presence intervals from the sync, motions
with ballots that must stay secret and tamper-evident, the record for the minutes and its retention --
is a domain of its own with its own rules, tests and privacy duties; ``events/`` stays the calendar.

Secret votes: ``Participation`` says *who* voted (one row per member and motion, unique), ``SecretBallot``
says *what* was voted -- with a random UUID key, no timestamp, no user and nothing that orders it like
the participations, so no table (and no row order) links a person to a choice. The voter may change a
secret ballot until the close with the random receipt held only in their browser (a cookie; sessions
live in the database and would be a link); the ballot stores only its SHA-256.
"""

from __future__ import annotations

import math
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clubs.models import Club
from events.models import ScheduledMeeting


class AssemblyRules(models.Model):
    """What the club's statutes (Satzung) say about its general assembly."""

    class Quorum(models.TextChoices):
        NONE = "none", _("Ohne Mindestzahl (jede ordnungsgemäß einberufene Versammlung ist beschlussfähig)")
        PERCENT = "percent", _("Mindestanteil der Mitglieder (Prozent)")
        COUNT = "count", _("Mindestzahl anwesender Mitglieder")

    club = models.OneToOneField(Club, on_delete=models.CASCADE, related_name="assembly_rules", verbose_name=_("Verein"))
    notice_days = models.PositiveIntegerField(
        _("Einladungsfrist (Tage)"),
        default=14,
        help_text=_("So viele Tage vor der Versammlung muss eingeladen werden."),
    )
    quorum_kind = models.CharField(_("Beschlussfähigkeit"), max_length=10, choices=Quorum.choices, default=Quorum.NONE)
    quorum_value = models.PositiveIntegerField(
        _("Wert der Regel"), default=0, help_text=_("Prozent der Mitglieder oder Anzahl, je nach Regel.")
    )
    attendance_retention_days = models.PositiveIntegerField(
        _("Anwesenheitsliste aufbewahren (Tage nach der Versammlung)"), default=90
    )

    class Meta:
        verbose_name = _("Regeln der Mitgliederversammlung")
        verbose_name_plural = _("Regeln der Mitgliederversammlung")

    def __str__(self) -> str:
        return str(self.club)

    def required_present(self, member_count: int) -> int:
        """Present eligible members the rule requires (0: no minimum)."""
        if self.quorum_kind == self.Quorum.PERCENT:
            return math.ceil(member_count * self.quorum_value / 100)
        if self.quorum_kind == self.Quorum.COUNT:
            return self.quorum_value
        return 0


class Assembly(models.Model):
    scheduled_meeting = models.OneToOneField(
        ScheduledMeeting, on_delete=models.CASCADE, related_name="assembly", verbose_name=_("Termin")
    )
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="assemblies", verbose_name=_("Verein"))
    attendance_enabled = models.BooleanField(
        _("Anwesenheit erfassen"),
        default=False,
        help_text=_("Wer wann in der Videokonferenz war, wird aus den Daten des Servers erfasst."),
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Versammlungsleitung"),
    )
    # When the invitation went out from which the notice period (Einladungsfrist) of the current date counts:
    # planning, or a move to an earlier date (services.notice_check).
    invited_at = models.DateTimeField(_("Eingeladen am"), null=True, blank=True)
    # The head of the hash chain over this assembly's vote events (audit entries), see services.
    chain_head = models.CharField(max_length=64, blank=True, editable=False)
    attendance_deleted_at = models.DateTimeField(_("Anwesenheit gelöscht am"), null=True, blank=True)
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Mitgliederversammlung")
        verbose_name_plural = _("Mitgliederversammlungen")

    def __str__(self) -> str:
        return str(self.scheduled_meeting)


class AgendaItem(models.Model):
    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("Versammlung")
    )
    position = models.PositiveIntegerField(_("Nummer"))
    title = models.CharField(_("Tagesordnungspunkt"), max_length=300)

    class Meta:
        verbose_name = _("Tagesordnungspunkt")
        verbose_name_plural = _("Tagesordnung")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["assembly", "position"], name="unique_agenda_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Presence(models.Model):
    """One interval in which a BBB user (``userID``) was in the assembly's meeting, at the sync's resolution."""

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="presences", verbose_name=_("Versammlung")
    )
    bbb_user_id = models.CharField(_("BBB-userID"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    full_name = models.CharField(_("Name"), max_length=200)
    joined_at = models.DateTimeField(_("Anwesend ab"))
    last_seen_at = models.DateTimeField(_("Zuletzt gesehen"))
    left_at = models.DateTimeField(_("Gegangen"), null=True, blank=True)
    # The member deleted their account: name, BBB userID and account link are gone, the times stay.
    account_deleted = models.BooleanField(_("Konto gelöscht"), default=False)

    class Meta:
        verbose_name = _("Anwesenheit")
        verbose_name_plural = _("Anwesenheiten")
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assembly", "bbb_user_id"], condition=models.Q(left_at__isnull=True), name="one_open_presence"
            )
        ]

    def __str__(self) -> str:
        return str(self.display_name)

    @property
    def display_name(self) -> str:
        return str(_("Gelöschtes Mitglied")) if self.account_deleted else self.full_name

    @property
    def is_member(self) -> bool:
        """Joined with a member's account (``hd-<pk>``); a deleted account's row was one."""
        return self.user_id is not None or self.account_deleted


class Motion(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Vorbereitet")
        OPEN = "open", _("Abstimmung läuft")
        CLOSED = "closed", _("Abgeschlossen")

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="motions", verbose_name=_("Versammlung")
    )
    title = models.CharField(_("Antrag"), max_length=300)
    secret = models.BooleanField(_("Geheime Abstimmung"), default=False)
    state = models.CharField(_("Stand"), max_length=10, choices=State.choices, default=State.DRAFT)
    opened_at = models.DateTimeField(_("Geöffnet am"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("Geschlossen am"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Recorded when the vote opens (Beschlussfähigkeit at that moment).
    member_count = models.PositiveIntegerField(_("Mitglieder"), default=0)
    present_count = models.PositiveIntegerField(_("Anwesende Mitglieder"), null=True, blank=True)
    quorum_required = models.PositiveIntegerField(_("Erforderlich"), default=0)
    quorum_met = models.BooleanField(_("Beschlussfähig"), null=True)
    # Recorded at the close: {option_id: count}, and the number of voters.
    results = models.JSONField(_("Ergebnis"), default=dict, blank=True)
    voter_count = models.PositiveIntegerField(_("Abgegebene Stimmen"), default=0)
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Abstimmung")
        verbose_name_plural = _("Abstimmungen")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title


# The default answers are stored in German (the source language, also in the hash chain) and shown in the
# reader's language: an option whose label is one of these words is displayed translated.
DEFAULT_OPTION_LABELS = {
    "Ja": pgettext_lazy("vote option", "Ja"),
    "Nein": pgettext_lazy("vote option", "Nein"),
    "Enthaltung": pgettext_lazy("vote option", "Enthaltung"),
}


class MotionOption(models.Model):
    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="options", verbose_name=_("Abstimmung"))
    position = models.PositiveIntegerField()
    label = models.CharField(_("Antwort"), max_length=200)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["motion", "position"], name="unique_option_position")]

    def __str__(self) -> str:
        return str(self.display_label)

    @property
    def display_label(self) -> str:
        """The label in the active language: the default answers translated, own answers as entered."""
        return str(DEFAULT_OPTION_LABELS.get(self.label, self.label))


class Participation(models.Model):
    """Who voted. For an open vote it also holds the choice; for a secret vote it never does."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="participations")
    # A deleted account's vote stays cast and counted (it was a member's when it was cast); it names nobody then.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    option = models.ForeignKey(MotionOption, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    voted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["motion", "user"], name="one_vote_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.motion_id}/{self.user_id}"


def new_ballot_id() -> uuid.UUID:
    return uuid.uuid4()


class SecretBallot(models.Model):
    """What was voted in a secret vote: no user, no time, a random key (see the module docstring)."""

    id = models.UUIDField(primary_key=True, default=new_ballot_id, editable=False)
    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="secret_ballots")
    option = models.ForeignKey(MotionOption, on_delete=models.CASCADE, related_name="+")
    receipt_hash = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return str(self.pk)
