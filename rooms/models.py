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


def new_access_code() -> str:
    return "".join(secrets.choice(string.digits) for _ in range(6))


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
