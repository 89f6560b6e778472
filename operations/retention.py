"""Retention of personal data other than recordings (those have their club's retention, recordings/).

Each kind has a setting in days (0 = keep forever) with a cautious default, and a dry run that
counts without changing anything (``manage.py purge_personal_data --dry-run``):

- ``RETENTION_UNVERIFIED_ACCOUNT_DAYS``: accounts that never confirmed an address are deleted
  through ``accounts.services.user_delete`` (which pseudonymises every reference); a pending club
  application whose only member that account was goes with it.
- ``RETENTION_INVITATION_DAYS``: invitations nobody accepted, that long after they expired or were
  revoked, are deleted (an accepted invitation is the record of a membership and stays).
- ``RETENTION_MEETING_NAMES_DAYS``: ended meetings forget who started them; counts, durations and
  participant-hours stay for the statistics.
- ``RETENTION_AUDIT_DAYS``: older audit entries are deleted.
- Sessions: expired ones are deleted (their age is SESSION_MAX_AGE_DAYS).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.services import clubs_blocking_deletion, sessions_purge_expired, user_delete
from clubs.audit import audit_log
from clubs.models import AuditEntry, Club, Invitation
from meetings.models import Meeting

logger = logging.getLogger(__name__)

KINDS = ("unverified_accounts", "invitations", "meeting_names", "audit_entries", "sessions")


@dataclass
class RetentionReport:
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    kept_forever: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would purge" if self.dry_run else "purged"
        parts = [f"{kind} {self.counts.get(kind, 0)}" for kind in KINDS if kind not in self.kept_forever]
        text = f"{verb}: " + ", ".join(parts)
        if self.kept_forever:
            text += "; kept forever: " + ", ".join(self.kept_forever)
        if self.skipped:
            text += "; skipped: " + ", ".join(self.skipped)
        return text


def _cutoff(days: int, now: datetime) -> datetime | None:
    return now - timedelta(days=days) if days > 0 else None


def unverified_accounts(*, cutoff: datetime) -> QuerySet[User]:
    verified = EmailAddress.objects.filter(verified=True).values("user_id")
    return User.objects.filter(date_joined__lt=cutoff, is_staff=False, is_superuser=False).exclude(pk__in=verified)


def expired_invitations(*, cutoff: datetime) -> QuerySet[Invitation]:
    return Invitation.objects.filter(accepted_at__isnull=True).filter(
        Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)
    )


def meetings_with_names(*, cutoff: datetime) -> QuerySet[Meeting]:
    return Meeting.objects.filter(ended_at__lt=cutoff, started_by__isnull=False)


def personal_data_purge(*, dry_run: bool, now: datetime | None = None) -> RetentionReport:
    """Apply every retention setting once; safe to run twice (the second run finds nothing)."""
    now = now or timezone.now()
    report = RetentionReport(dry_run=dry_run)
    days = {
        "unverified_accounts": settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS,
        "invitations": settings.RETENTION_INVITATION_DAYS,
        "meeting_names": settings.RETENTION_MEETING_NAMES_DAYS,
        "audit_entries": settings.RETENTION_AUDIT_DAYS,
    }
    cutoffs = {kind: _cutoff(value, now) for kind, value in days.items()}
    report.kept_forever = [kind for kind, cutoff in cutoffs.items() if cutoff is None]
    if cutoffs["unverified_accounts"]:
        report.counts["unverified_accounts"] = _purge_unverified(report, cutoffs["unverified_accounts"], dry_run)
    if cutoffs["invitations"]:
        invitations = expired_invitations(cutoff=cutoffs["invitations"])
        report.counts["invitations"] = invitations.count() if dry_run else invitations.delete()[0]
    if cutoffs["meeting_names"]:
        meetings = meetings_with_names(cutoff=cutoffs["meeting_names"])
        report.counts["meeting_names"] = meetings.count() if dry_run else meetings.update(started_by=None)
    if cutoffs["audit_entries"]:
        entries = AuditEntry.objects.filter(created_at__lt=cutoffs["audit_entries"])
        report.counts["audit_entries"] = entries.count() if dry_run else entries.delete()[0]
    report.counts["sessions"] = sessions_purge_expired(dry_run=dry_run)
    if not dry_run:
        logger.info("personal data retention: %s", report.summary())
    return report


def _abandoned_applications(user: User) -> QuerySet[Club]:
    """Pending clubs whose only member is ``user``: applications nobody ever confirmed."""
    return (
        Club.objects.filter(status=Club.Status.PENDING, memberships__user=user)
        .annotate(members=Count("memberships"))
        .filter(members=1)
    )


def _blocked(user: User) -> bool:
    """Still the only owner of a club in use (other than its own abandoned application): a person decides."""
    abandoned = set(_abandoned_applications(user).values_list("pk", flat=True))
    return any(club.pk not in abandoned for club in clubs_blocking_deletion(user=user))


def _purge_unverified(report: RetentionReport, cutoff: datetime, dry_run: bool) -> int:
    purged = 0
    for user in unverified_accounts(cutoff=cutoff):
        if _blocked(user):
            report.skipped.append(f"account {user.pk} (only owner of a club)")
            continue
        purged += 1
        if dry_run:
            continue
        with transaction.atomic():
            for club in _abandoned_applications(user):
                audit_log(action="club.application_expired", target=club, reason="owner never verified")
                club.delete()
            user_delete(user=user)
    return purged
