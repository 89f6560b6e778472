from __future__ import annotations

import secrets
import string

from django.conf import settings
from django.db import models
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


def new_voice_bridge() -> str:
    """A room's telephone PIN (BBB's voiceBridge): five digits, no leading zero; unique (constraint)."""
    return str(secrets.randbelow(90000) + 10000)


def new_access_code() -> str:
    return "".join(secrets.choice(string.digits) for _ in range(6))


class RoomPreset(models.TextChoices):
    """What a room is for; each preset sets the in-meeting settings (rooms/presets.py)."""

    BOARD = "vorstand", _("Vorstandssitzung")
    ASSEMBLY = "mitgliederversammlung", _("Mitgliederversammlung")
    COURSE = "kurs", _("Kurs/Workshop")
    SELF_HELP = "selbsthilfe", _("Vertrauliche Selbsthilfegruppe")
    OPEN = "offen", _("Offenes Treffen")


class Room(models.Model):
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("Verein"))
    name = models.CharField(_("Name"), max_length=120)
    friendly_id = models.CharField(_("Öffentliche Kennung"), max_length=32, unique=True, default=new_friendly_id)
    meeting_id = models.CharField(_("BBB-Meeting-ID"), max_length=64, unique=True, default=new_meeting_id)
    welcome_text = models.TextField(_("Begrüßungstext"), blank=True)
    voice_bridge = models.CharField(
        _("Telefon-PIN"), max_length=5, unique=True, default=new_voice_bridge, editable=False
    )
    viewer_code = models.CharField(_("Zugangscode für Gäste"), max_length=32, blank=True)
    moderator_code = models.CharField(_("Zugangscode für Moderation"), max_length=32, blank=True)
    waiting_room = models.BooleanField(_("Warteraum (Gäste werden eingelassen)"), default=False)
    anyone_can_start = models.BooleanField(_("Jede Person darf die Besprechung starten"), default=False)
    all_moderators = models.BooleanField(_("Alle treten als Moderation bei"), default=False)
    members_can_start = models.BooleanField(
        _("Mitglieder dürfen die Besprechung starten"),
        default=False,
        help_text=_("Sonst starten nur die Gastgeber: Inhaber, Admins und die unten genannten Mitglieder."),
    )
    members_only = models.BooleanField(
        _("Nur für Mitglieder"),
        default=False,
        help_text=_("Gäste ohne Konto werden abgewiesen; Personen mit persönlichem Link dürfen trotzdem hinein."),
    )
    hosts = models.ManyToManyField(
        "clubs.Membership",
        blank=True,
        related_name="hosted_rooms",
        verbose_name=_("Gastgeber"),
        help_text=_("Mitglieder, die hier moderieren (z. B. die Kursleitung). Inhaber und Admins sind es immer."),
    )
    mute_on_start = models.BooleanField(_("Beim Beitreten stummgeschaltet"), default=True)
    record = models.BooleanField(_("Aufzeichnung erlaubt"), default=False)
    max_participants = models.PositiveIntegerField(_("Max. Teilnehmende"), null=True, blank=True)
    preset = models.CharField(_("Zweck des Raums"), max_length=30, choices=RoomPreset.choices, blank=True)
    # In-meeting settings handed to BBB's create (the presets fill them; "Erweitert" shows each one).
    lock_disable_cam = models.BooleanField(_("Kameras der Teilnehmenden sperren"), default=False)
    lock_disable_mic = models.BooleanField(_("Mikrofone der Teilnehmenden sperren"), default=False)
    lock_disable_private_chat = models.BooleanField(_("Private Chats sperren"), default=False)
    lock_disable_public_chat = models.BooleanField(_("Öffentlichen Chat sperren"), default=False)
    lock_disable_notes = models.BooleanField(_("Geteilte Notizen für Teilnehmende sperren"), default=False)
    lock_hide_user_list = models.BooleanField(_("Teilnehmerliste vor Teilnehmenden verbergen"), default=False)
    webcams_only_for_moderator = models.BooleanField(_("Kamerabilder nur für die Moderation sichtbar"), default=False)
    duration = models.PositiveIntegerField(
        _("Höchstdauer (Minuten)"), null=True, blank=True, help_text=_("Leer lassen für keine Begrenzung.")
    )
    end_when_no_moderator = models.BooleanField(_("Beenden, wenn keine Moderation mehr anwesend ist"), default=False)
    end_when_no_moderator_delay = models.PositiveSmallIntegerField(
        _("… nach so vielen Minuten ohne Moderation"), default=5
    )
    show_recordings_publicly = models.BooleanField(
        _("Veröffentlichte Aufzeichnungen auf der Raumseite zeigen"), default=False
    )
    server_tag = models.CharField(
        _("Server-Pool"),
        max_length=40,
        blank=True,
        help_text=_("Tag der Server, auf denen die Besprechungen dieses Raums laufen sollen, z. B. „gross“."),
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


def new_link_token() -> str:
    return secrets.token_urlsafe(24)


class PersonalLink(models.Model):
    """A join link for one named person (member or guest): fixed display name, role, expiry, revocable.

    Made and checked by ``rooms/personal_links.py`` (``personal_link_create`` / ``_resolve`` /
    ``_revoke``); scheduled meetings hand one to every invitee instead of the shared access code.
    """

    class Role(models.TextChoices):
        VIEWER = "VIEWER", _("Teilnahme")
        MODERATOR = "MODERATOR", _("Moderation")

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="personal_links", verbose_name=_("Raum"))
    token = models.CharField(max_length=64, unique=True, default=new_link_token, editable=False)
    name = models.CharField(
        _("Angezeigter Name"),
        max_length=100,
        blank=True,
        help_text=_("Leer: Die Person gibt ihren Namen beim ersten Öffnen einmal ein; danach steht er fest."),
    )
    email = models.EmailField(_("E-Mail-Adresse"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Mitglied"),
    )
    role = models.CharField(_("Rolle"), max_length=10, choices=Role.choices, default=Role.VIEWER)
    expires_at = models.DateTimeField(_("Gültig bis"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("Zurückgezogen am"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("Zuletzt benutzt"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Persönlicher Link")
        verbose_name_plural = _("Persönliche Links")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name or self.email or str(self.pk)


class Presentation(models.Model):
    """A file BBB shows in the room's meetings (rooms/presentations.py stores and checks it)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="presentations", verbose_name=_("Raum"))
    file = models.FileField(_("Datei"), max_length=200)
    name = models.CharField(_("Dateiname"), max_length=100)
    content_type = models.CharField(_("Dateityp"), max_length=100)
    size = models.PositiveBigIntegerField(_("Größe (Bytes)"))
    is_default = models.BooleanField(_("Zu Beginn gezeigt"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("Hochgeladen am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Präsentation")
        verbose_name_plural = _("Präsentationen")
        ordering = ["-is_default", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["room"], condition=models.Q(is_default=True), name="one_default_presentation_per_room"
            )
        ]

    def __str__(self) -> str:
        return self.name
