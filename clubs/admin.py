"""The staff console for clubs: approval queue, quotas next to usage, memberships, the audit log.

Status changes go through the services in ``clubs.services`` (they audit and send the emails), so
``status`` is read-only on the form; the actions approve, reject, suspend and reactivate.
Usage figures are annotations (subqueries), never per-row queries.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from clubs.admin_actions import ClubStatusActions, annotate_usage
from clubs.audit import audit_log
from clubs.models import AuditEntry, Club, ClubApplication, Invitation, Membership, Role, club_retention_days

STATUS_BADGE = {
    Club.Status.PENDING: "warn",
    Club.Status.ACTIVE: "ok",
    Club.Status.SUSPENDED: "bad",
    Club.Status.REJECTED: "muted",
    Club.Status.CLOSED: "muted",
}


def status_badge(club: Club) -> str:
    kind = STATUS_BADGE.get(club.status, "muted")
    return format_html('<span class="hd-badge hd-badge-{}">{}</span>', kind, club.get_status_display())


class MembershipInline(admin.TabularInline):
    """Memberships of a club: role editable; people are added through invitations or the membership list."""

    model = Membership
    fields = ("person", "email", "role", "created_at")
    readonly_fields = ("person", "email", "created_at")
    extra = 0
    can_delete = True
    classes = ("hd-members",)
    verbose_name_plural = _("Mitglieder")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("user", "club")  # __str__ shows both

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("Person"))
    def person(self, membership: Membership) -> str:
        url = reverse("admin:accounts_user_change", args=[membership.user_id])
        return format_html('<a href="{}">{}</a>', url, membership.user.name or "—")

    @admin.display(description=_("E-Mail-Adresse"))
    def email(self, membership: Membership) -> str:
        return membership.user.email


class UsageColumns:
    """List columns comparing quotas with usage; values come from ``annotate_usage``."""

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, club: Club) -> str:
        return status_badge(club)

    @admin.display(description=_("Räume"), ordering="rooms_used")
    def rooms_usage(self, club: Club) -> str:
        css = "bad" if club.rooms_used > club.max_rooms else ("warn" if club.rooms_used == club.max_rooms else "")
        return format_html('<span class="hd-usage {}">{} / {}</span>', css, club.rooms_used, club.max_rooms)

    @admin.display(description=_("Besprechungen im Monat"), ordering="meetings_this_month")
    def meetings_month(self, club: Club) -> int:
        return club.meetings_this_month

    @admin.display(description=_("Laufend"), ordering="meetings_running")
    def running_usage(self, club: Club) -> str:
        return f"{club.meetings_running} / {club.max_concurrent_meetings}"

    @admin.display(description=_("Aufzeichnungen"), ordering="recordings_count")
    def recordings(self, club: Club) -> int:
        return club.recordings_count

    @admin.display(description=_("Speicher"), ordering="recordings_size")
    def storage(self, club: Club) -> str:
        return filesizeformat(club.recordings_size)

    @admin.display(description=_("Mitglieder"), ordering="members_count")
    def members(self, club: Club) -> int:
        return club.members_count


@admin.register(Club)
class ClubAdmin(ClubStatusActions, UsageColumns, admin.ModelAdmin):
    list_display = (
        "name",
        "status_badge",
        "members",
        "rooms_usage",
        "running_usage",
        "meetings_month",
        "recordings",
        "storage",
        "retention",
    )
    list_display_links = ("name",)
    list_filter = ("status", "kind", "recording_allowed")
    search_fields = ("name", "slug", "contact_name", "contact_email")
    date_hierarchy = "created_at"
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
    readonly_fields = ("status_badge", "status_reason", "usage", "created_at", "updated_at", "approved_at")
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "description", "status_badge", "status_reason")}),
        (
            _("Ansprechperson"),
            {"fields": ("contact_name", "contact_email", "contact_phone", "terms_accepted_at")},
        ),
        (
            _("Kontingente und Nutzung"),
            {
                "fields": (
                    "usage",
                    ("max_rooms", "max_concurrent_meetings", "max_participants"),
                    ("recording_allowed", "max_retention_days"),
                    "mail_daily_limit",
                )
            },
        ),
        (
            _("Einstellungen des Vereins"),
            {
                "classes": ("collapse",),
                "fields": (
                    "retention_days",
                    "default_mute_on_start",
                    "default_waiting_room",
                    "default_anyone_can_start",
                    "default_record",
                ),
            },
        ),
        (_("Zeitstempel"), {"fields": ("created_at", "approved_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return annotate_usage(super().get_queryset(request))

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, and only when nothing hangs on the club
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Only clubs without rooms and recordings (e.g. spam applications) may be deleted here:
        deleting a row would leave its recordings on BBB. Clubs end by closing, suspending or rejecting."""
        if obj is not None and (getattr(obj, "rooms_used", 1) or getattr(obj, "recordings_count", 1)):
            return False
        return super().has_delete_permission(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for membership in formset.deleted_objects:
            audit_membership(request, membership, "membership.removed_by_staff")
            membership.delete()
        for membership, _fields in formset.changed_objects:
            membership.save()
            audit_membership(request, membership, "membership.changed_by_staff")
        formset.save_m2m()

    @admin.display(description=_("Aufbewahrung"), ordering="retention_days")
    def retention(self, club: Club) -> str:
        days = club_retention_days(club)  # the club's choice within the staff's cap
        return _("für immer") if days is None else _("%(days)s Tage") % {"days": days}

    @admin.display(description=_("Nutzung"))
    def usage(self, club: Club) -> str:
        if club.pk is None:
            return "—"
        rows = [
            (_("Räume"), club.rooms_used, club.max_rooms),
            (_("Laufende Besprechungen"), club.meetings_running, club.max_concurrent_meetings),
            (_("Besprechungen diesen Monat"), club.meetings_this_month, "–"),
            (_("Aufzeichnungen"), club.recordings_count, _("ja") if club.recording_allowed else _("nicht erlaubt")),
            (_("Speicher der Aufzeichnungen"), filesizeformat(club.recordings_size), "–"),
            (_("Mitglieder"), club.members_count, "–"),
        ]
        body = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", rows)
        head = format_html("<tr><th></th><th>{}</th><th>{}</th></tr>", _("genutzt"), _("erlaubt"))
        return format_html('<table class="hd-usage-table"><thead>{}</thead><tbody>{}</tbody></table>', head, body)


@admin.register(ClubApplication)
class ClubApplicationAdmin(ClubStatusActions, admin.ModelAdmin):
    """The approval queue: pending clubs, oldest first, with everything needed to decide."""

    actions = ["approve_clubs", "reject_clubs"]
    list_display = (
        "name",
        "kind",
        "contact",
        "applicant",
        "email_verified",
        "terms_accepted",
        "created_at",
    )
    list_filter = ("kind",)
    search_fields = ("name", "slug", "contact_name", "contact_email", "description")
    date_hierarchy = "created_at"
    ordering = ("created_at",)
    # Staff decide on the application as written; only the quotas are set here before approving.
    readonly_fields = (
        "name",
        "slug",
        "kind",
        "description",
        "contact_name",
        "contact_email",
        "contact_phone",
        "applicant",
        "email_verified",
        "terms_accepted",
        "similar_clubs",
        "created_at",
    )
    fields = (
        *readonly_fields,
        "max_rooms",
        "max_concurrent_meetings",
        "max_participants",
        "recording_allowed",
        "max_retention_days",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        owner = Membership.objects.filter(club=OuterRef("pk"), role=Role.OWNER).order_by("created_at")
        return (
            super()
            .get_queryset(request)
            .filter(status=Club.Status.PENDING)
            .annotate(
                applicant_email=Subquery(owner.values("user__email")[:1]),
                applicant_user_id=Subquery(owner.values("user_id")[:1]),
            )
            # A separate step: an OuterRef inside a nested subquery would point at EmailAddress, not at the club.
            .annotate(
                applicant_verified=Exists(
                    EmailAddress.objects.filter(user_id=OuterRef("applicant_user_id"), verified=True)
                )
            )
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("Ansprechperson"), ordering="contact_name")
    def contact(self, club: Club) -> str:
        return format_html("{}<br>{}", club.contact_name, club.contact_email)

    @admin.display(description=_("Angemeldet von"))
    def applicant(self, club: Club) -> str:
        return club.applicant_email or "—"

    @admin.display(description=_("E-Mail bestätigt"), boolean=True)
    def email_verified(self, club: Club) -> bool:
        return club.applicant_verified

    @admin.display(description=_("Bedingungen akzeptiert"), boolean=True)
    def terms_accepted(self, club: Club) -> bool:
        return club.terms_accepted_at is not None

    @admin.display(description=_("Vereine mit ähnlichem Namen oder gleicher Kontaktadresse"))
    def similar_clubs(self, club: Club) -> str:
        first_word = (club.name.split() or [""])[0]
        similar = (
            Club.objects.exclude(pk=club.pk)
            .filter(models_q_similar(first_word, club.contact_email))
            .only("pk", "name", "status")[:10]
        )
        if not similar:
            return _("keine")
        return format_html_join(
            ", ",
            '<a href="{}">{}</a> ({})',
            ((reverse("admin:clubs_club_change", args=[c.pk]), c.name, c.get_status_display()) for c in similar),
        )


def models_q_similar(first_word: str, email: str) -> Q:
    q = Q(contact_email__iexact=email)
    if len(first_word) >= 4:
        q |= Q(name__icontains=first_word)
    return q


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "user_email", "club", "role", "created_at")
    list_filter = ("role", "club__status")
    search_fields = ("user__email", "user__name", "club__name", "club__slug")
    list_select_related = ("user", "club")
    autocomplete_fields = ("user", "club")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)

    @admin.display(description=_("E-Mail-Adresse"), ordering="user__email")
    def user_email(self, membership: Membership) -> str:
        return membership.user.email

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_membership(request, obj, "membership.changed_by_staff" if change else "membership.added_by_staff")

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        audit_membership(request, obj, "membership.removed_by_staff")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for membership in queryset.select_related("club", "user"):
            self.delete_model(request, membership)


def audit_membership(request: HttpRequest, membership: Membership, action: str) -> None:
    """Role changes are security-relevant: staff edits of memberships go to the audit log."""
    audit_log(
        action=action,
        actor=request.user,
        club=membership.club,
        target=membership,
        details={"user": membership.user.email, "role": membership.role},
    )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "club", "role", "state", "invited_by", "created_at", "expires_at")
    list_filter = ("role", ("accepted_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("email", "club__name", "club__slug")
    list_select_related = ("club", "invited_by")
    date_hierarchy = "created_at"
    fields = (
        "club",
        "email",
        "role",
        "expires_at",
        "invited_by",
        "created_at",
        "sent_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )
    readonly_fields = tuple(f for f in fields if f != "expires_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("accepted_by", "invited_by", "club")

    @admin.display(description=_("Stand"))
    def state(self, invitation: Invitation) -> str:
        if invitation.accepted_at:
            return _("angenommen")
        if invitation.revoked_at:
            return _("zurückgezogen")
        if invitation.expires_at < timezone.now():
            return _("abgelaufen")
        return _("offen")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # clubs invite (the service sends the email); staff see and correct them here


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log: readable and searchable, never editable or deletable."""

    list_display = ("created_at", "actor_label", "action", "club", "target_type", "target_label", "reason")
    list_filter = ("action", "target_type")
    search_fields = ("actor_label", "action", "target_label", "target_id", "reason", "club__name")
    list_select_related = ("club",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "created_at",
        "actor",
        "actor_label",
        "club",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "reason",
        "details",
    )
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("club", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
