from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def default_retention_days() -> int | None:
    """Retention of a new club: the service-wide RECORDING_DEFAULT_RETENTION_DAYS (0 = keep forever)."""
    return getattr(settings, "RECORDING_DEFAULT_RETENTION_DAYS", 0) or None


def club_retention_days(club: Club) -> int | None:
    """Days a club's recordings are kept (None = forever), after the staff's cap."""
    days, cap = club.retention_days, club.max_retention_days
    if days is None:
        return cap
    if cap is None:
        return days
    return min(days, cap)


class Club(models.Model):
    """A tenant: a club, self-help group or similar organisation with its members and rooms."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Wartet auf Freigabe")
        ACTIVE = "active", _("Aktiv")
        SUSPENDED = "suspended", _("Gesperrt")
        REJECTED = "rejected", _("Abgelehnt")
        CLOSED = "closed", _("Geschlossen")

    class Kind(models.TextChoices):
        ASSOCIATION = "verein", _("Eingetragener oder nicht eingetragener Verein")
        SELF_HELP = "selbsthilfe", _("Selbsthilfegruppe")
        PARENTS = "eltern", _("Elterngruppe oder Elternbeirat")
        SPORTS = "sport", _("Sportverein")
        BOARD = "beirat", _("Beirat oder Gremium")
        INITIATIVE = "initiative", _("Initiative oder Ehrenamtsgruppe")
        OTHER = "other", _("Sonstige Organisation")

    name = models.CharField(_("Name"), max_length=120, unique=True)
    slug = models.SlugField(_("Kurzname"), max_length=60, unique=True)
    kind = models.CharField(_("Art der Organisation"), max_length=20, choices=Kind.choices, default=Kind.ASSOCIATION)
    description = models.TextField(_("Beschreibung"), blank=True)
    status = models.CharField(_("Status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    status_reason = models.TextField(_("Begründung (Ablehnung/Sperre)"), blank=True)

    contact_name = models.CharField(_("Ansprechperson"), max_length=150)
    contact_email = models.EmailField(_("E-Mail der Ansprechperson"))
    contact_phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    terms_accepted_at = models.DateTimeField(_("Nutzungsbedingungen akzeptiert am"), null=True, blank=True)

    # Quotas, set by staff.
    max_rooms = models.PositiveIntegerField(_("Max. Räume"), default=5)
    max_participants = models.PositiveIntegerField(_("Max. Teilnehmende je Besprechung"), default=50)
    max_concurrent_meetings = models.PositiveIntegerField(_("Max. gleichzeitige Besprechungen"), default=2)
    recording_allowed = models.BooleanField(_("Aufzeichnungen erlaubt"), default=True)
    max_retention_days = models.PositiveIntegerField(
        _("Max. Aufbewahrung (Tage)"),
        null=True,
        blank=True,
        help_text=_("Leer lassen, wenn der Verein Aufzeichnungen unbegrenzt aufbewahren darf."),
    )

    recording_storage_quota_mb = models.PositiveIntegerField(
        _("Speicherplatz für Aufzeichnungen (MB)"),
        null=True,
        blank=True,
        help_text=_("Leer: Standardwert des Dienstes. 0: unbegrenzt. Gezählt wird die Größe, die BBB meldet."),
    )

    # Settings, chosen by the club within the quotas.
    retention_days = models.PositiveIntegerField(
        _("Aufbewahrung von Aufzeichnungen (Tage)"),
        null=True,
        blank=True,
        default=default_retention_days,
        help_text=_("Leer bedeutet: für immer aufbewahren."),
    )
    default_mute_on_start = models.BooleanField(_("Standard: stumm beitreten"), default=True)
    default_waiting_room = models.BooleanField(_("Standard: Warteraum"), default=False)
    default_anyone_can_start = models.BooleanField(_("Standard: jeder darf starten"), default=False)
    default_record = models.BooleanField(_("Standard: Aufzeichnung erlaubt"), default=False)
    calendar_token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    mail_daily_limit = models.PositiveIntegerField(
        _("Max. E-Mails pro Tag"),
        null=True,
        blank=True,
        help_text=_(
            "Einladungen, Terminänderungen und Absagen, die der Verein an einem Tag auslösen darf. "
            "Leer lassen für den Standardwert des Dienstes."
        ),
    )

    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Geändert am"), auto_now=True)
    approved_at = models.DateTimeField(_("Freigegeben am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Verein")
        verbose_name_plural = _("Vereine")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class ClubMailDay(models.Model):
    """How many emails a club's actions caused on one day (the mail relay budget, clubs/mail_budget.py)."""

    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="mail_days", verbose_name=_("Verein"))
    day = models.DateField(_("Tag"))
    count = models.PositiveIntegerField(_("E-Mails"), default=0)

    class Meta:
        verbose_name = _("E-Mail-Tageszähler")
        verbose_name_plural = _("E-Mail-Tageszähler")
        constraints = [models.UniqueConstraint(fields=["club", "day"], name="unique_mail_day_per_club")]

    def __str__(self) -> str:
        return f"{self.club} {self.day}: {self.count}"


class ClubApplication(Club):
    """Pending clubs, the staff's approval queue (a proxy: the application is the pending club)."""

    class Meta:
        proxy = True
        verbose_name = _("Vereinsanmeldung")
        verbose_name_plural = _("Vereinsanmeldungen")


class Role(models.TextChoices):
    OWNER = "owner", _("Inhaber/in")
    ADMIN = "admin", _("Verwalter/in")
    MEMBER = "member", _("Mitglied")


ROLE_RANK = {Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


class Membership(models.Model):
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Verein"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("Person")
    )
    role = models.CharField(_("Rolle"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("Mitglied seit"), auto_now_add=True)

    class Meta:
        verbose_name = _("Mitgliedschaft")
        verbose_name_plural = _("Mitgliedschaften")
        constraints = [models.UniqueConstraint(fields=["club", "user"], name="unique_membership")]
        ordering = ["club", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.club} ({self.get_role_display()})"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


class Invitation(models.Model):
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("Verein"))
    email = models.EmailField(_("E-Mail-Adresse"))
    role = models.CharField(_("Rolle"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("Eingeladen am"), auto_now_add=True)
    sent_at = models.DateTimeField(_("Zuletzt versandt"), null=True, blank=True)
    expires_at = models.DateTimeField(_("Gültig bis"))
    accepted_at = models.DateTimeField(_("Angenommen am"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("Zurückgezogen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")
        ordering = ["-created_at"]
        constraints = [
            # At most one open invitation per address and club.
            models.UniqueConstraint(
                fields=["club", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="unique_open_invitation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.club}"

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at <= timezone.now()


class AuditEntry(models.Model):
    """Who did what to which object, and why: security-relevant and destructive actions."""

    created_at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Ausgeführt von"),
    )
    actor_label = models.CharField(_("Ausgeführt von (Text)"), max_length=200, blank=True)
    club = models.ForeignKey(
        Club, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries", verbose_name=_("Verein")
    )
    action = models.CharField(_("Aktion"), max_length=60, db_index=True)
    target_type = models.CharField(_("Objektart"), max_length=60, blank=True)
    target_id = models.CharField(_("Objekt-ID"), max_length=120, blank=True)
    target_label = models.CharField(_("Objekt"), max_length=255, blank=True)
    reason = models.CharField(_("Grund"), max_length=255, blank=True)
    details = models.JSONField(_("Details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokoll")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_label}"
