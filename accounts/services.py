"""A person's own account: profile, data export, deletion."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from clubs.audit import audit_log
from clubs.models import AuditEntry, Club, Invitation, Membership, Role


def user_update_profile(*, user: User, name: str, language: str) -> User:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Bitte geben Sie Ihren Namen an.")})
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Bitte wählen Sie eine der angebotenen Sprachen.")})
    user.name = name
    user.language = language
    user.save(update_fields=["name", "language"])
    return user


def user_set_language(*, user: User, language: str) -> None:
    if language in dict(settings.LANGUAGES) and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def user_export(*, user: User) -> dict[str, Any]:
    """Everything the service stores about the person, as JSON-ready data (GDPR Art. 15/20)."""
    from meetings.models import Meeting
    from rooms.models import Room

    return {
        "exported_at": _iso(timezone.now()),
        "account": {
            "email": user.email,
            "name": user.name,
            "language": user.language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "is_staff": user.is_staff,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "two_factor_authentication": [
            {"type": a.type, "created_at": _iso(a.created_at), "last_used_at": _iso(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
        "memberships": [
            {"club": m.club.name, "role": m.role, "since": _iso(m.created_at)}
            for m in Membership.objects.filter(user=user).select_related("club").order_by("created_at")
        ],
        "invitations_accepted": [
            {"club": i.club.name, "email": i.email, "role": i.role, "accepted_at": _iso(i.accepted_at)}
            for i in Invitation.objects.filter(accepted_by=user).select_related("club")
        ],
        "invitations_sent": [
            {"club": i.club.name, "email": i.email, "role": i.role, "created_at": _iso(i.created_at)}
            for i in Invitation.objects.filter(invited_by=user).select_related("club")
        ],
        "rooms_created": [
            {"club": r.club.name, "name": r.name, "created_at": _iso(r.created_at)}
            for r in Room.objects.filter(created_by=user).select_related("club")
        ],
        "meetings_started": [
            {"club": m.club.name, "room": m.room.name if m.room else None, "started_at": _iso(m.started_at)}
            for m in Meeting.objects.filter(started_by=user).select_related("club", "room")
        ],
        "activity_log": [
            {
                "at": _iso(e.created_at),
                "action": e.action,
                "club": e.club.name if e.club else None,
                "object": e.target_label,
            }
            for e in AuditEntry.objects.filter(actor=user).select_related("club").order_by("created_at")
        ],
    }


def clubs_blocking_deletion(*, user: User) -> list[Club]:
    """Clubs (still in use) in which the user is the only owner."""
    owned_ids = Membership.objects.filter(user=user, role=Role.OWNER).values("club_id")
    return list(
        Club.objects.filter(pk__in=owned_ids)
        .exclude(status__in=[Club.Status.REJECTED, Club.Status.CLOSED])
        .annotate(owner_count=Count("memberships", filter=Q(memberships__role=Role.OWNER)))
        .filter(owner_count=1)
    )


def user_delete(*, user: User) -> None:
    """Delete the account; refused while the user is the only owner of a club."""
    with transaction.atomic():
        blocking = clubs_blocking_deletion(user=user)
        if blocking:
            names = ", ".join(f"„{c.name}“" for c in blocking)
            raise ValidationError(
                _(
                    "Sie sind die einzige Inhaberin bzw. der einzige Inhaber von %(clubs)s. Übertragen Sie zuerst die "
                    "Inhaberschaft an eine andere Person oder schließen Sie den Verein; danach können Sie Ihr Konto "
                    "löschen."
                )
                % {"clubs": names}
            )
        for membership in Membership.objects.filter(user=user).select_related("club"):
            audit_log(
                action="membership.deleted_with_account",
                actor=user,
                club=membership.club,
                target=membership,
                details={"role": membership.role},
            )
        audit_log(action="account.deleted", actor=user, target=user, actor_label=user.email)
        user.delete()
