"""Everything that changes a club, its members or its invitations.

Views, admin actions and commands call these functions; they check the actor's rights once more
(a view may forget, a service may not), write in one transaction, leave an audit entry and send
their emails only after the transaction committed.
"""

from __future__ import annotations

import re
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.addresses import address_claimed, address_release_unverified
from accounts.models import User
from clubs import permissions
from clubs.audit import audit_log
from clubs.models import Club, Membership, Role
from clubs.signals import membership_removed
from operations.staff_mail import staff_application_notify

GONE_STATUSES = (Club.Status.REJECTED, Club.Status.CLOSED)

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


# --- helpers -------------------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# Mails that invite a reply ("antworten Sie einfach auf diese E-Mail") carry Reply-To: the sender is noreply@.
REPLY_TO_SUPPORT = {"club_rejected", "club_suspended", "club_closed", "club_approved", "club_reactivated"}


def _mail(*, subject: str, body: str, address: str, reply_to: list[str] | None) -> EmailMessage:
    return EmailMessage(subject=f"[{settings.SITE_NAME}] {subject}", body=body, to=[address], reply_to=reply_to)


def _send_templated_mail(*, users: list[User], template: str, context: dict[str, Any]) -> None:
    """Send one email per user in the user's own language (after commit)."""
    reply_to = [settings.SUPPORT_EMAIL] if template in REPLY_TO_SUPPORT else None
    messages = []
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            ctx = {**context, "user": user, "site_url": settings.SITE_URL}
            subject = render_to_string(f"clubs/email/{template}_subject.txt", ctx).strip()
            body = render_to_string(f"clubs/email/{template}_message.txt", ctx)
        messages.append(_mail(subject=subject, body=body, address=user.email, reply_to=reply_to))

    def send() -> None:
        for message in messages:
            message.send()

    transaction.on_commit(send)


def send_mail_to_address(
    *, address: str, language: str, template: str, context: dict[str, Any], reply_to: list[str] | None = None
) -> None:
    with translation.override(language):
        ctx = {**context, "site_url": settings.SITE_URL}
        subject = render_to_string(f"clubs/email/{template}_subject.txt", ctx).strip()
        body = render_to_string(f"clubs/email/{template}_message.txt", ctx)
    message = _mail(subject=subject, body=body, address=address, reply_to=reply_to)
    transaction.on_commit(message.send)


def club_owners(club: Club) -> list[User]:
    return [m.user for m in club.memberships.filter(role=Role.OWNER).select_related("user")]


def membership_for_actor(*, club: Club, actor: User, lock: bool = False) -> Membership | None:
    if actor is None or not actor.is_authenticated:
        return None
    qs = Membership.objects.select_related("club", "user").filter(club=club, user=actor)
    if lock:
        qs = qs.select_for_update()
    return qs.first()


def require_allowed(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Dazu fehlt Ihnen die Berechtigung."))


def _unique_slug(name: str) -> str:
    base = slugify(name.translate(_UMLAUTS))[:50].strip("-") or "verein"
    slug, n = base, 2
    while Club.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _normalize_name(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip()


def _duplicate_name_error() -> ValidationError:
    return ValidationError(
        {
            "name": _(
                "Ein Verein mit diesem Namen ist bereits angemeldet. Bitte wählen Sie einen anderen Namen "
                "oder wenden Sie sich an uns, falls es Ihr Verein ist."
            )
        }
    )


def email_in_use(email: str) -> bool:
    """Whether an account really owns ``email`` (verified it); unverified claims do not count."""
    return address_claimed(email)


def _registration_existing_mail(*, email: str, club_name: str, language: str) -> None:
    """The address already has an account: tell its owner instead of telling the form (no enumeration)."""
    existing = User.objects.filter(email__iexact=email).first()
    send_mail_to_address(
        address=email,
        language=(existing.language if existing else "") or language,
        template="registration_existing",
        context={
            "club_name": club_name,
            "login_url": absolute_url(reverse("account_login")),
            "reset_url": absolute_url(reverse("account_reset_password")),
        },
    )


# --- registration and status ---------------------------------------------------------------------


def club_register(
    *,
    name: str,
    kind: str,
    contact_name: str,
    email: str,
    password: str,
    description: str = "",
    phone: str = "",
    language: str = "de",
) -> Club | None:
    """A new club asks to use the service: a pending club, its owner account and a verification email.

    When an account already owns the address, nothing is created and the form does not say so (that
    would tell anybody which addresses have accounts); the owner gets an email instead and the
    caller shows the same "check your inbox" page (returns None). An address that some account only
    claimed without verifying it does not block its real owner: that claim ends here.
    """
    name = _normalize_name(name)
    email = email.strip().lower()
    if Club.objects.filter(name__iexact=name).exists():
        raise _duplicate_name_error()
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    user_for_check = User(email=email, name=contact_name)
    try:
        validate_password(password, user=user_for_check)
    except ValidationError as error:
        raise ValidationError({"password": error.messages})
    if email_in_use(email):
        with transaction.atomic():
            _registration_existing_mail(email=email, club_name=name, language=language)
        return None
    try:
        with transaction.atomic():
            address_release_unverified(email=email)
            user = User.objects.create_user(
                email=email, password=password, name=contact_name.strip(), language=language
            )
            club = _pending_club_create(
                user=user, name=name, kind=kind, contact_name=contact_name, description=description, phone=phone
            )
            address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
            transaction.on_commit(lambda: address.send_confirmation(signup=True))
    except IntegrityError:
        # Two registrations raced past the checks above; the database kept one of them.
        if Club.objects.filter(name__iexact=name).exists():
            raise _duplicate_name_error()
        _registration_existing_mail(email=email, club_name=name, language=language)  # the address won the race
        return None
    return club


def club_register_for_user(
    *, user: User, name: str, kind: str, contact_name: str, description: str = "", phone: str = ""
) -> Club:
    """A logged-in person registers another club with her own account (she becomes its owner)."""
    name = _normalize_name(name)
    if Club.objects.filter(name__iexact=name).exists():
        raise _duplicate_name_error()
    try:
        with transaction.atomic():
            return _pending_club_create(
                user=user, name=name, kind=kind, contact_name=contact_name, description=description, phone=phone
            )
    except IntegrityError:
        raise _duplicate_name_error()


def _pending_club_create(*, user: User, name: str, kind: str, contact_name: str, description: str, phone: str) -> Club:
    club = Club.objects.create(
        name=name,
        slug=_unique_slug(name),
        kind=kind,
        description=description.strip(),
        status=Club.Status.PENDING,
        contact_name=contact_name.strip(),
        contact_email=user.email,
        contact_phone=phone.strip(),
        terms_accepted_at=timezone.now(),
    )
    Membership.objects.create(club=club, user=user, role=Role.OWNER)
    audit_log(action="club.registered", actor=user, club=club, target=club)
    staff_application_notify(club=club)
    return club


def _status_change(
    *,
    club: Club,
    actor: User | None,
    allowed_from: tuple[str, ...],
    to: str,
    action: str,
    template: str,
    reason: str = "",
) -> Club:
    with transaction.atomic():
        locked = Club.objects.select_for_update().get(pk=club.pk)
        if locked.status not in allowed_from:
            raise ValidationError(
                _("Der Verein „%(name)s“ hat den Status „%(status)s“; diese Änderung ist nicht möglich.")
                % {"name": locked.name, "status": locked.get_status_display()}
            )
        previous = locked.status
        locked.status = to
        locked.status_reason = reason
        if to == Club.Status.ACTIVE and locked.approved_at is None:
            locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "status_reason", "approved_at", "updated_at"])
        audit_log(
            action=action, actor=actor, club=locked, target=locked, reason=reason, details={"from": previous, "to": to}
        )
        _send_templated_mail(
            users=club_owners(locked),
            template=template,
            context={"club": locked, "reason": reason, "dashboard_url": absolute_url(club_url(locked))},
        )
    club.refresh_from_db()
    return club


def club_url(club: Club) -> str:
    return reverse("clubs:dashboard", kwargs={"club_slug": club.slug})


def club_approve(*, club: Club, actor: User | None) -> Club:
    return _status_change(
        club=club,
        actor=actor,
        allowed_from=(Club.Status.PENDING, Club.Status.REJECTED),
        to=Club.Status.ACTIVE,
        action="club.approved",
        template="club_approved",
    )


def club_reject(*, club: Club, actor: User | None, reason: str) -> Club:
    return _status_change(
        club=club,
        actor=actor,
        allowed_from=(Club.Status.PENDING,),
        to=Club.Status.REJECTED,
        action="club.rejected",
        template="club_rejected",
        reason=reason,
    )


def club_suspend(*, club: Club, actor: User | None, reason: str) -> Club:
    return _status_change(
        club=club,
        actor=actor,
        allowed_from=(Club.Status.ACTIVE,),
        to=Club.Status.SUSPENDED,
        action="club.suspended",
        template="club_suspended",
        reason=reason,
    )


def club_reactivate(*, club: Club, actor: User | None) -> Club:
    return _status_change(
        club=club,
        actor=actor,
        allowed_from=(Club.Status.SUSPENDED,),
        to=Club.Status.ACTIVE,
        action="club.reactivated",
        template="club_reactivated",
    )


def club_close(*, club: Club, actor: User) -> Club:
    """The owner ends the club's use of the service (pending clubs: withdraw the application)."""
    with transaction.atomic():
        membership = membership_for_actor(club=club, actor=actor, lock=True)
        require_allowed(permissions.can_close_club(membership))
        club = _status_change(
            club=club,
            actor=actor,
            allowed_from=(Club.Status.PENDING, Club.Status.ACTIVE, Club.Status.SUSPENDED),
            to=Club.Status.CLOSED,
            action="club.closed",
            template="club_closed",
        )
        revoked = club.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            audit_log(action="invitation.revoked_on_close", actor=actor, club=club, details={"count": revoked})
    return club


def club_update(
    *,
    club: Club,
    actor: User,
    name: str,
    description: str,
    retention_days: int | None,
    default_mute_on_start: bool,
    default_waiting_room: bool,
    default_anyone_can_start: bool,
    default_record: bool,
) -> Club:
    """Club settings chosen by its admins, within the quotas staff set."""
    name = _normalize_name(name)
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Bitte geben Sie einen Namen an.")]
    elif Club.objects.filter(name__iexact=name).exclude(pk=club.pk).exists():
        errors["name"] = [_("Ein anderer Verein trägt bereits diesen Namen. Bitte wählen Sie einen anderen.")]
    retention_error = retention_validate(club=club, retention_days=retention_days)
    if retention_error:
        errors["retention_days"] = [retention_error]
    if default_record and not club.recording_allowed:
        errors["default_record"] = [
            _("Für Ihren Verein sind keine Aufzeichnungen freigeschaltet. Bitte lassen Sie dieses Feld leer.")
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        membership = membership_for_actor(club=club, actor=actor, lock=True)
        require_allowed(permissions.can_edit_club_settings(membership))
        fields = {
            "name": name,
            "description": description.strip(),
            "retention_days": retention_days,
            "default_mute_on_start": default_mute_on_start,
            "default_waiting_room": default_waiting_room,
            "default_anyone_can_start": default_anyone_can_start,
            "default_record": default_record,
        }
        changed = {k: v for k, v in fields.items() if getattr(club, k) != v}
        for key, value in fields.items():
            setattr(club, key, value)
        try:
            with transaction.atomic():
                club.save(update_fields=[*fields, "updated_at"])
        except IntegrityError:
            raise ValidationError(
                {"name": [_("Ein anderer Verein trägt bereits diesen Namen. Bitte wählen Sie einen anderen.")]}
            )
        if changed:
            audit_log(
                action="club.settings_changed",
                actor=actor,
                club=club,
                target=club,
                details={k: v for k, v in changed.items() if k != "description"},
            )
    return club


def retention_validate(*, club: Club, retention_days: int | None) -> str:
    """The German error for a retention outside the club's maximum, or ""."""
    if retention_days is not None and retention_days < 1:
        return _("Bitte geben Sie mindestens einen Tag an oder lassen Sie das Feld leer.")
    maximum = club.max_retention_days
    if maximum is None:
        return ""
    if retention_days is None:
        return _(
            "Ihr Verein darf Aufzeichnungen höchstens %(max)s Tage aufbewahren; „unbegrenzt“ ist nicht möglich. "
            "Bitte geben Sie eine Zahl bis %(max)s an."
        ) % {"max": maximum}
    if retention_days > maximum:
        return _("Die Aufbewahrung darf höchstens %(max)s Tage betragen. Bitte geben Sie eine kleinere Zahl an.") % {
            "max": maximum
        }
    return ""


# --- memberships ---------------------------------------------------------------------------------


def _other_owner_exists(membership: Membership) -> bool:
    owners = list(
        Membership.objects.select_for_update()
        .filter(club_id=membership.club_id, role=Role.OWNER)
        .values_list("pk", flat=True)
    )
    return any(pk != membership.pk for pk in owners)


LAST_OWNER_MESSAGE = (
    "Ein Verein braucht immer mindestens eine Inhaberin oder einen Inhaber. Übertragen Sie die Inhaberschaft "
    "zuerst an eine andere Person."
)


def membership_change_role(*, membership: Membership, actor: User, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("Bitte wählen Sie eine gültige Rolle.")})
    with transaction.atomic():
        actor_membership = membership_for_actor(club=membership.club, actor=actor, lock=True)
        target = Membership.objects.select_for_update().select_related("club", "user").get(pk=membership.pk)
        require_allowed(permissions.can_manage_member(actor_membership, target))
        if not permissions.can_grant_role(actor_membership, role):
            raise ValidationError({"role": _("Nur Inhaberinnen und Inhaber können diese Rolle vergeben.")})
        if target.role == role:
            return target
        if target.role == Role.OWNER and not _other_owner_exists(target):
            raise ValidationError(_(LAST_OWNER_MESSAGE))
        previous = target.role
        target.role = role
        target.save(update_fields=["role"])
        audit_log(
            action="membership.role_changed",
            actor=actor,
            club=target.club,
            target=target,
            details={"user": target.user.email, "from": previous, "to": role},
        )
    return target


def membership_remove(*, membership: Membership, actor: User) -> None:
    with transaction.atomic():
        actor_membership = membership_for_actor(club=membership.club, actor=actor, lock=True)
        target = Membership.objects.select_for_update().select_related("club", "user").get(pk=membership.pk)
        leaving = actor_membership is not None and actor_membership.pk == target.pk
        require_allowed(leaving or permissions.can_manage_member(actor_membership, target))
        if target.role == Role.OWNER and not _other_owner_exists(target):
            raise ValidationError(_(LAST_OWNER_MESSAGE))
        audit_log(
            action="membership.left" if leaving else "membership.removed",
            actor=actor,
            club=target.club,
            target=target,
            details={"user": target.user.email, "role": target.role},
        )
        target.delete()
        # events builds on clubs, not the reverse: it takes the former member off its invitee lists.
        membership_removed.send(sender=Membership, club=target.club, user=target.user)


def ownership_transfer(*, club: Club, actor: User, to_membership: Membership) -> Membership:
    """Make another member the owner; the current owner stays on as admin."""
    with transaction.atomic():
        actor_membership = membership_for_actor(club=club, actor=actor, lock=True)
        require_allowed(permissions.can_transfer_ownership(actor_membership))
        target = (
            Membership.objects.select_for_update().select_related("user").filter(pk=to_membership.pk, club=club).first()
        )
        if target is None:
            raise ValidationError({"membership": _("Diese Person ist kein Mitglied des Vereins.")})
        if target.pk == actor_membership.pk:
            raise ValidationError({"membership": _("Bitte wählen Sie eine andere Person als sich selbst.")})
        previous = target.role
        target.role = Role.OWNER
        target.save(update_fields=["role"])
        actor_membership.role = Role.ADMIN
        actor_membership.save(update_fields=["role"])
        audit_log(
            action="club.ownership_transferred",
            actor=actor,
            club=club,
            target=target,
            details={"to": target.user.email, "from_role": previous, "previous_owner": actor.email},
        )
        _send_templated_mail(
            users=[target.user],
            template="ownership_transferred",
            context={"club": club, "actor": actor, "dashboard_url": absolute_url(club_url(club))},
        )
    return target
