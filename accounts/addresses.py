"""Who owns an email address: only a verified address counts (findings 4 and 10).

An address typed into a registration form proves nothing until its confirmation link was opened.
So an unverified address never blocks the real owner (a stranger cannot "squat" it by registering
first), and an invitation only ever goes to an account that verified the invited address.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction
from django.http import HttpRequest

from accounts.models import User
from clubs.audit import audit_log


def address_has_verified(*, user: User, email: str) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def _squatters(email: str) -> list[User]:
    """Accounts that hold ``email`` as their login without ever having verified it."""
    holders = list(User.objects.filter(email__iexact=email))
    return [
        u
        for u in holders
        if EmailAddress.objects.filter(user=u, email__iexact=email, verified=False).exists()
        and not EmailAddress.objects.filter(user=u, email__iexact=email, verified=True).exists()
    ]


def address_claimed(email: str) -> bool:
    """Whether an account really owns ``email``: verified it, or was created without allauth (staff)."""
    if EmailAddress.objects.filter(email__iexact=email, verified=True).exists():
        return True
    squatters = {u.pk for u in _squatters(email)}
    return User.objects.filter(email__iexact=email).exclude(pk__in=squatters).exists()


@transaction.atomic
def address_release_unverified(*, email: str) -> int:
    """Free ``email`` for its real owner: unverified claims on it end. Returns the accounts changed.

    An account that has another verified address keeps that one as its login; an account that never
    verified any address could never log in - it is deleted, with pending club registrations nobody
    else owns. Unverified secondary addresses elsewhere are simply removed.
    """
    from clubs.models import Club, Membership, Role

    changed = 0
    for user in _squatters(email):
        other = EmailAddress.objects.filter(user=user, verified=True).exclude(email__iexact=email).first()
        if other is not None:
            user.email = other.email
            user.save(update_fields=["email"])
            EmailAddress.objects.filter(user=user, email__iexact=email).delete()
            other.set_as_primary()
        else:
            pending = Club.objects.filter(
                status=Club.Status.PENDING, memberships__user=user, memberships__role=Role.OWNER
            ).exclude(pk__in=Membership.objects.exclude(user=user).values("club_id"))
            for club in pending:
                audit_log(action="club.registration_released", target=club, reason="unverified address")
            pending.delete()
            # No name or address in the log: the account is gone, and so is what it said about itself.
            audit_log(action="account.released_unverified", actor_label="system", details={"user_id": user.pk})
            user.delete()
        changed += 1
    EmailAddress.objects.filter(email__iexact=email, verified=False).exclude(user__email__iexact=email).delete()
    return changed


def address_add_for_verification(*, request: HttpRequest, user: User, email: str) -> EmailAddress:
    """Attach ``email`` to the account unverified and send its confirmation link."""
    existing = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if existing is not None:
        existing.send_confirmation(request)
        return existing
    return EmailAddress.objects.add_email(request, user, email, confirm=True)
