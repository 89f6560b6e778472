"""A person's own account: profile, data export, deletion."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Count, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import personal_data
from accounts.models import User
from clubs.audit import audit_log
from clubs.models import AuditEntry, Club, Membership, Role
from events.models import Invitee
from rooms.models import PersonalLink


def sessions_purge_expired(*, dry_run: bool = False) -> int:
    """Delete every expired session (Django never does on its own); the dry run only counts them."""
    expired = Session.objects.filter(expire_date__lt=timezone.now())
    if dry_run:
        return expired.count()
    deleted, _ = expired.delete()
    return deleted


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
    """Everything the service stores about the person, as JSON-ready data (GDPR Art. 15/20).

    Every row that ``user_delete`` removes or pseudonymises is in here, with its ``type`` and ``id``
    (accounts/personal_data.py lists where those rows live; a test holds the two together).
    """
    refs = personal_data.references_of(user)

    def row(obj: Any, **fields: Any) -> dict[str, Any]:
        return {"type": obj._meta.label_lower, "id": obj.pk, **fields}

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
            row(a, email=a.email, verified=a.verified, primary=a.primary)
            for a in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "two_factor_authentication": [
            row(a, kind=a.type, created_at=_iso(a.created_at), last_used_at=_iso(a.last_used_at))
            for a in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
        "memberships": [
            row(m, club=m.club.name, role=m.role, since=_iso(m.created_at))
            for m in Membership.objects.filter(user=user).select_related("club").order_by("created_at")
        ],
        "clubs_with_you_as_contact": [
            row(c, club=c.name, contact_name=c.contact_name, contact_email=c.contact_email)
            for c in refs.clubs_as_contact
        ],
        "invitations_received": [
            row(i, club=i.club.name, email=i.email, role=i.role, created_at=_iso(i.created_at))
            for i in refs.invitations_to
        ],
        "invitations_accepted": [
            row(i, club=i.club.name, email=i.email, role=i.role, accepted_at=_iso(i.accepted_at))
            for i in refs.invitations_accepted
        ],
        "invitations_sent": [
            row(i, club=i.club.name, email=i.email, role=i.role, created_at=_iso(i.created_at))
            for i in refs.invitations_sent
        ],
        "meeting_invitations": [
            row(i, club=i.scheduled_meeting.club.name, meeting=i.scheduled_meeting.title, email=i.email)
            for i in refs.event_invitations
        ],
        "personal_links": [
            row(
                link,
                club=link.room.club.name,
                room=link.room.name,
                name=link.name,
                email=link.email,
                role=link.role,
                expires_at=_iso(link.expires_at),
            )
            for link in refs.personal_links
        ],
        "scheduled_meetings_created": [
            row(s, club=s.club.name, title=s.title, start_at=_iso(s.start_at)) for s in refs.scheduled_meetings_created
        ],
        "rooms_created": [
            row(r, club=r.club.name, name=r.name, created_at=_iso(r.created_at)) for r in refs.rooms_created
        ],
        "meetings_started": [
            row(m, club=m.club.name, room=m.room.name if m.room else None, started_at=_iso(m.started_at))
            for m in refs.meetings_started
        ],
        "activity_log": [
            row(
                e,
                at=_iso(e.created_at),
                action=e.action,
                club=e.club.name if e.club else None,
                by=e.actor_label,
                object=e.target_label,
                reason=e.reason,
                details=e.details,
            )
            for e in refs.audit_entries.order_by("created_at")
        ],
        "staff_changes": [
            row(e, at=_iso(e.action_time), object=e.object_repr, change=e.get_change_message())
            for e in refs.admin_log.order_by("action_time")
        ],
        "assembly_attendance": [
            row(
                p,
                club=p.assembly.club.name,
                assembly=p.assembly.scheduled_meeting.title,
                name=p.full_name,
                joined_at=_iso(p.joined_at),
                left_at=_iso(p.left_at),
            )
            for p in refs.assembly_attendance
        ],
        "assembly_votes": [
            row(
                v,
                club=v.motion.assembly.club.name,
                assembly=v.motion.assembly.scheduled_meeting.title,
                motion=v.motion.title,
                secret=v.motion.secret,
                choice=v.option.label if v.option_id else None,  # a secret vote stores no choice
                voted_at=_iso(v.voted_at),
            )
            for v in refs.assembly_votes
        ],
        "sessions": [
            {"type": "sessions.session", "expires_at": _iso(s.expire_date)} for s in personal_data.sessions_of(user)
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
        _pseudonymise_references(user)
        pseudonym = personal_data.pseudonym_of(user)
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for session in personal_data.sessions_of(user):
            store(session_key=session.session_key).delete()  # through the engine: cached_db keeps a copy in Redis
        user_pk = user.pk
        user.delete()
        AuditEntry.objects.create(
            action="account.deleted", actor_label=pseudonym, target_type="accounts.user", target_id=str(user_pk)
        )


def _pseudonymise_references(user: User) -> None:
    """Replace the person in every row that mentions them (personal_data.PERSONAL_FIELDS)."""
    refs = personal_data.references_of(user)
    pattern = personal_data.identity_of(user).pattern()
    name, email = personal_data.pseudonym_of(user), personal_data.pseudonym_email_of(user)
    now = timezone.now()
    for club in refs.clubs_as_contact:
        Club.objects.filter(pk=club.pk).update(contact_name=name, contact_email=email)
    refs.invitations_to.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    refs.invitations_to.update(email=email)
    for invitee in refs.event_invitations:
        # Removed and already "told": nothing is ever mailed to the pseudonym.
        Invitee.objects.filter(pk=invitee.pk).update(
            email=f"{email.split('@')[0]}-{invitee.pk}@invalid",
            user=None,
            removed_at=invitee.removed_at or now,
            removal_sent_at=invitee.removal_sent_at or now,
        )
    for link in refs.personal_links:
        # The link stops working and no longer names the person.
        PersonalLink.objects.filter(pk=link.pk).update(
            user=None,
            name=name,
            email=email if link.email else "",
            revoked_at=link.revoked_at or now,
        )
    # The record for the minutes keeps when a member was present; who it was goes (label: "Gelöschtes Mitglied").
    refs.assembly_attendance.update(
        user=None, full_name="", bbb_user_id=Concat(Value("deleted-"), Cast("pk", CharField())), account_deleted=True
    )
    if pattern is None:
        return
    for entry in refs.audit_entries:
        AuditEntry.objects.filter(pk=entry.pk).update(
            actor=None,
            actor_label=personal_data.scrub(entry.actor_label, pattern, name),
            target_label=personal_data.scrub(entry.target_label, pattern, name),
            reason=personal_data.scrub(entry.reason, pattern, name),
            details=personal_data.scrub(entry.details, pattern, name),
        )
    for log in refs.admin_log:
        LogEntry.objects.filter(pk=log.pk).update(
            object_repr=name if log.object_id == str(user.pk) else personal_data.scrub(log.object_repr, pattern, name),
            change_message=personal_data.scrub(log.change_message, pattern, name),
        )
