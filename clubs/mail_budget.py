"""The mail relay budget (finding 7): how many emails a club's members can make us send per day.

Everything a club member types can end up in an email sent from the operator's address (a meeting's
title and agenda to its guests, an invitation to any address), so a club gets a daily budget:
``MAIL_DAILY_LIMIT_PER_CLUB`` by default, raised or lowered per club by staff
(``Club.mail_daily_limit`` in the admin). Planning or changing a meeting or sending an invitation
reserves its mails up front, in the same transaction: over the budget, nothing is saved and the
form says how many are left today. Cancellations are charged but never refused (the people were
already invited and must hear that the meeting is off); reminders are bounded by the invitees
admitted earlier and are not charged.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clubs.models import Club, ClubMailDay


def club_mail_limit(club: Club) -> int:
    if club.mail_daily_limit is not None:
        return club.mail_daily_limit
    return settings.MAIL_DAILY_LIMIT_PER_CLUB


def club_mails_today(club: Club) -> int:
    row = ClubMailDay.objects.filter(club=club, day=timezone.localdate()).first()
    return row.count if row else 0


def _row_for_update(club: Club) -> ClubMailDay:
    today = timezone.localdate()
    try:
        with transaction.atomic():
            ClubMailDay.objects.get_or_create(club=club, day=today)
    except IntegrityError:  # created concurrently: it exists now
        pass
    return ClubMailDay.objects.select_for_update().get(club=club, day=today)


@transaction.atomic
def club_mail_reserve(*, club: Club, count: int, force: bool = False) -> None:
    """Charge ``count`` mails to today's budget; ``ValidationError`` (German) when they do not fit."""
    if count <= 0:
        return
    row = _row_for_update(club)
    limit = club_mail_limit(club)
    if not force and row.count + count > limit:
        left = max(limit - row.count, 0)
        raise ValidationError(
            _(
                "Ihr Verein kann heute noch %(left)s E-Mails versenden; dafür wären %(count)s nötig. "
                "Bitte laden Sie weniger Personen ein oder versuchen Sie es morgen erneut. Brauchen Sie "
                "regelmäßig mehr, schreiben Sie uns."
            )
            % {"left": left, "count": count}
        )
    ClubMailDay.objects.filter(pk=row.pk).update(count=F("count") + count)
