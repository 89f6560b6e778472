"""Invitations: a club admin invites by email with a role; the invited person accepts by token."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.addresses import address_has_verified, address_release_unverified
from accounts.models import User
from clubs import permissions
from clubs.audit import audit_log
from clubs.mail_budget import club_mail_reserve
from clubs.models import Club, Invitation, Membership, Role
from clubs.services import (
    GONE_STATUSES,
    absolute_url,
    email_in_use,
    membership_for_actor,
    require_allowed,
    send_mail_to_address,
)

INVITATION_VALID_DAYS = 14


def invitation_url(invitation: Invitation) -> str:
    return absolute_url(reverse("clubs:invitation_accept", kwargs={"token": invitation.token}))


def _invitation_mail(invitation: Invitation, actor: User) -> None:
    existing = User.objects.filter(email__iexact=invitation.email).first()
    language = existing.language if existing else translation.get_language() or settings.LANGUAGE_CODE
    send_mail_to_address(
        address=invitation.email,
        language=language,
        template="invitation",
        reply_to=[actor.email],  # questions about the invitation go to the person who sent it
        context={
            "invitation": invitation,
            "club": invitation.club,
            "inviter": actor,
            "url": invitation_url(invitation),
        },
    )


def invitation_create(*, club: Club, actor: User, email: str, role: str) -> Invitation:
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError({"role": _("Bitte wählen Sie eine gültige Rolle.")})
    with transaction.atomic():
        membership = membership_for_actor(club=club, actor=actor, lock=True)
        require_allowed(permissions.can_manage_members(membership))
        if not permissions.can_grant_role(membership, role):
            raise ValidationError({"role": _("Nur Inhaberinnen und Inhaber können weitere Inhaber einladen.")})
        if not club.is_active:
            raise ValidationError(_("Einladungen sind möglich, sobald Ihr Verein freigeschaltet und aktiv ist."))
        if club.memberships.filter(user__email__iexact=email).exists():
            raise ValidationError({"email": _("Diese Person ist bereits Mitglied des Vereins.")})
        if club.invitations.filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True).exists():
            raise ValidationError(
                {
                    "email": _(
                        "An diese Adresse wurde bereits eine Einladung verschickt. Sie können sie in der Liste "
                        "erneut senden oder zurückziehen."
                    )
                }
            )
        now = timezone.now()
        invitation = Invitation.objects.create(
            club=club,
            email=email,
            role=role,
            invited_by=actor,
            sent_at=now,
            expires_at=now + timedelta(days=INVITATION_VALID_DAYS),
        )
        club_mail_reserve(club=club, count=1)
        audit_log(action="invitation.created", actor=actor, club=club, target=invitation, details={"role": role})
        _invitation_mail(invitation, actor)
    return invitation


def _open_invitation_for_update(invitation: Invitation) -> Invitation:
    locked = Invitation.objects.select_for_update().select_related("club").get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ValidationError(_("Diese Einladung wurde bereits angenommen."))
    if locked.revoked_at is not None:
        raise ValidationError(_("Diese Einladung wurde bereits zurückgezogen."))
    return locked


def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    """Send the invitation again with a fresh link and a fresh expiry; the old link stops working."""
    from clubs.models import _new_token

    with transaction.atomic():
        membership = membership_for_actor(club=invitation.club, actor=actor, lock=True)
        require_allowed(
            permissions.can_manage_members(membership) and permissions.can_grant_role(membership, invitation.role)
        )
        locked = _open_invitation_for_update(invitation)
        now = timezone.now()
        locked.token = _new_token()
        locked.sent_at = now
        locked.expires_at = now + timedelta(days=INVITATION_VALID_DAYS)
        locked.save(update_fields=["token", "sent_at", "expires_at"])
        club_mail_reserve(club=locked.club, count=1)
        audit_log(action="invitation.resent", actor=actor, club=locked.club, target=locked)
        _invitation_mail(locked, actor)
    return locked


def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    with transaction.atomic():
        membership = membership_for_actor(club=invitation.club, actor=actor, lock=True)
        require_allowed(
            permissions.can_manage_members(membership) and permissions.can_grant_role(membership, invitation.role)
        )
        locked = _open_invitation_for_update(invitation)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_log(action="invitation.revoked", actor=actor, club=locked.club, target=locked)
    return locked


def invitation_problem(invitation: Invitation | None) -> str:
    """Why an invitation cannot be accepted (German), or "" when it can."""
    if invitation is None:
        return _("Diese Einladung gibt es nicht. Bitte prüfen Sie den Link oder bitten Sie um eine neue Einladung.")
    if invitation.accepted_at is not None:
        return _("Diese Einladung wurde bereits angenommen. Melden Sie sich einfach mit Ihrem Konto an.")
    if invitation.revoked_at is not None:
        return _("Diese Einladung wurde zurückgezogen. Bitte wenden Sie sich an den Verein.")
    if invitation.club.status in GONE_STATUSES:
        return _("Dieser Verein nutzt herzdigital nicht mehr.")
    if invitation.expires_at <= timezone.now():
        return _("Diese Einladung ist abgelaufen. Bitten Sie den Verein, sie erneut zu senden.")
    return ""


def invitation_accept(
    *, token: str, user: User | None = None, name: str = "", password: str = "", language: str = ""
) -> Membership:
    """Accept an invitation: attach the logged-in ``user``, or create an account from name + password."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().select_related("club").filter(token=token).first()
        problem = invitation_problem(invitation)
        if problem:
            raise ValidationError(problem)
        club = invitation.club
        if user is not None and user.is_authenticated:
            if club.memberships.filter(user=user).exists():
                raise ValidationError(_("Sie sind bereits Mitglied dieses Vereins."))
            if not address_has_verified(user=user, email=invitation.email):
                # The link is a bearer token; the role goes only to whoever proved the invited address.
                raise ValidationError(
                    _(
                        "Diese Einladung ging an %(email)s. Fügen Sie diese Adresse Ihrem Konto hinzu und "
                        "bestätigen Sie sie; danach können Sie die Einladung annehmen."
                    )
                    % {"email": invitation.email}
                )
        else:
            if email_in_use(invitation.email):
                raise ValidationError(
                    _(
                        "Für %(email)s gibt es bereits ein Konto. Bitte melden Sie sich an und öffnen Sie "
                        "den Link erneut."
                    )
                    % {"email": invitation.email}
                )
            name = name.strip()
            if not name:
                raise ValidationError({"name": _("Bitte geben Sie Ihren Namen an.")})
            address_release_unverified(email=invitation.email)
            candidate = User(email=invitation.email, name=name)
            try:
                validate_password(password, user=candidate)
            except ValidationError as error:
                raise ValidationError({"password1": error.messages})
            user = User.objects.create_user(
                email=invitation.email,
                password=password,
                name=name,
                language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
            )
            # The link reached this address, which proves that the address belongs to the person.
            EmailAddress.objects.create(user=user, email=invitation.email, primary=True, verified=True)
            audit_log(action="account.created_by_invitation", actor=user, club=club, target=user)
        membership = Membership.objects.create(club=club, user=user, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_log(
            action="invitation.accepted",
            actor=user,
            club=club,
            target=invitation,
            details={"role": invitation.role, "membership": membership.pk},
        )
    return membership
