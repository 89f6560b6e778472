"""Retention: when recordings expire, the daily cleanup that deletes them, and the notices before.

Retention: a club keeps recordings for ``retention_days`` (None = keep forever). Staff may cap it
with ``max_retention_days``; the cap also applies to a club that chose "keep forever", because a
cap that a club could switch off would not be a cap. Protected recordings are never selected.

Deleting goes through ``recordings.services`` (rule 5: BBB first, the row only after BBB confirmed).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from clubs.models import Club, Membership, Role, club_retention_days
from recordings.models import Recording
from recordings.services import DELETABLE_STATES, recordings_delete_on_servers

logger = logging.getLogger(__name__)

# The daily cleanup runs at this local time (beat schedule in recordings/tasks.py).
CLEANUP_HOUR, CLEANUP_MINUTE = 3, 15
CLEANUP_LOCK_KEY = "rooms:recordings-cleanup-lock"
CLEANUP_LOCK_TTL = 6 * 3600


# -- retention ---------------------------------------------------------------------------------


def recording_deletion_date(recording: Recording) -> date | None:
    """The day (Europe/Berlin) on which the daily cleanup deletes this recording, or None.

    That is the first cleanup run (CLEANUP_HOUR:CLEANUP_MINUTE local time) after it expired.
    """
    if recording.protected or recording.deleted_at is not None or recording.state not in DELETABLE_STATES:
        return None
    days = club_retention_days(recording.club)
    if days is None or recording.started_at is None:
        return None
    expires = timezone.localtime(recording.started_at + timedelta(days=days))
    run = expires.replace(hour=CLEANUP_HOUR, minute=CLEANUP_MINUTE, second=0, microsecond=0)
    return expires.date() if expires <= run else expires.date() + timedelta(days=1)


# -- retention cleanup ---------------------------------------------------------------------------


@dataclass
class PlannedDeletion:
    record_id: str
    name: str
    club_slug: str
    started_at: datetime | None
    retention_days: int


@dataclass
class CleanupReport:
    dry_run: bool
    selected: int = 0
    deleted: int = 0
    failed: int = 0
    bbb_calls: int = 0
    capped: bool = False
    cap: int = 0
    per_club: dict[str, int] = field(default_factory=dict)
    planned: list[PlannedDeletion] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    skipped_locked: bool = False

    def summary(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        done = self.selected if self.dry_run else self.deleted
        text = (
            f"{verb} {done} of {self.selected} selected recording(s); failed={self.failed}; bbb_calls={self.bbb_calls}"
        )
        if self.capped:
            text += f"; stopped at the cap of {self.cap} per run"
        return text


def _expired_condition(*, now: datetime, club_slug: str | None) -> tuple[Q | None, dict[int, tuple[str, int]]]:
    clubs = Club.objects.filter(Q(retention_days__isnull=False) | Q(max_retention_days__isnull=False))
    if club_slug:
        clubs = clubs.filter(slug=club_slug)
    by_days: dict[int, list[int]] = defaultdict(list)
    info: dict[int, tuple[str, int]] = {}
    for club in clubs.only("pk", "slug", "retention_days", "max_retention_days"):
        days = club_retention_days(club)
        if days is None:
            continue
        by_days[days].append(club.pk)
        info[club.pk] = (club.slug, days)
    if not by_days:
        return None, info
    condition = Q()
    for days, club_ids in by_days.items():
        condition |= Q(club_id__in=club_ids, started_at__lt=now - timedelta(days=days))
    return condition, info


def recordings_expired(*, now: datetime | None = None, club_slug: str | None = None) -> tuple[QuerySet, dict]:
    """Expired, unprotected, deletable recordings of clubs with a retention, oldest first per server."""
    now = now or timezone.now()
    condition, info = _expired_condition(now=now, club_slug=club_slug)
    if condition is None:
        return Recording.objects.none(), info
    queryset = (
        Recording.objects.filter(condition, deleted_at__isnull=True, protected=False, state__in=DELETABLE_STATES)
        .only("pk", "record_id", "name", "club_id", "server_id", "started_at")
        .order_by("server_id", "started_at", "pk")
    )
    return queryset, info


def recordings_cleanup(*, dry_run: bool, club_slug: str | None = None, limit: int | None = None) -> CleanupReport:
    """The retention cleanup: delete expired recordings on BBB in batches, capped per run.

    One run at a time (a cache lock, taken before selecting); the dry run takes no lock and
    writes nothing.
    """
    cap = settings.RECORDING_CLEANUP_MAX_PER_RUN
    if limit is not None:
        cap = min(cap, limit)
    report = CleanupReport(dry_run=dry_run, cap=cap)
    if dry_run:
        _cleanup_select(report, club_slug=club_slug)
        return report
    if not cache.add(CLEANUP_LOCK_KEY, "1", timeout=CLEANUP_LOCK_TTL):
        report.skipped_locked = True
        report.errors.append("another cleanup run is in progress")
        return report
    try:
        selected, info = _cleanup_select(report, club_slug=club_slug)
        if not selected:
            return report
        result = recordings_delete_on_servers(
            recordings=selected,
            actor=None,
            reason="retention expired",
            batch_size=max(1, settings.RECORDING_CLEANUP_BATCH_SIZE),
            action="recording.cleanup_deleted",
        )
    finally:
        cache.delete(CLEANUP_LOCK_KEY)
    report.deleted = len(result.deleted)
    report.failed = len(result.failed)
    report.bbb_calls = result.bbb_calls
    report.errors.extend(result.errors)
    failed = set(result.failed)
    for recording in selected:
        if recording.pk in failed:
            report.per_club[info[recording.club_id][0]] -= 1
    logger.info("recording cleanup: %s", report.summary())
    return report


def _cleanup_select(report: CleanupReport, *, club_slug: str | None) -> tuple[list[Recording], dict]:
    queryset, info = recordings_expired(club_slug=club_slug)
    selected = list(queryset[: report.cap + 1])
    if len(selected) > report.cap:
        report.capped = True
        selected = selected[: report.cap]
    report.selected = len(selected)
    for recording in selected:
        slug = info[recording.club_id][0]
        report.per_club[slug] = report.per_club.get(slug, 0) + 1
    if report.dry_run:
        report.planned = [
            PlannedDeletion(r.record_id, r.name, info[r.club_id][0], r.started_at, info[r.club_id][1]) for r in selected
        ]
    return selected, info


# -- deletion notices ----------------------------------------------------------------------------


def recordings_deletion_notices_send(*, now: datetime | None = None) -> int:
    """Email club owners about recordings the cleanup deletes within RECORDING_DELETION_NOTICE_DAYS.

    Each recording is announced once (``deletion_notice_sent_at``). Returns the number of emails.
    """
    now = now or timezone.now()
    notice = timedelta(days=settings.RECORDING_DELETION_NOTICE_DAYS)
    condition, _info = _expired_condition(now=now + notice, club_slug=None)
    if condition is None:
        return 0
    due = list(
        Recording.objects.filter(
            condition,
            deleted_at__isnull=True,
            protected=False,
            deletion_notice_sent_at__isnull=True,
            state__in=DELETABLE_STATES,
        )
        .select_related("club", "room")
        .order_by("club_id", "started_at")
    )
    if not due:
        return 0
    by_club: dict[int, list[Recording]] = defaultdict(list)
    for recording in due:
        by_club[recording.club_id].append(recording)
    owners: dict[int, list[Any]] = defaultdict(list)
    for membership in Membership.objects.filter(club_id__in=by_club, role=Role.OWNER).select_related("user"):
        owners[membership.club_id].append(membership.user)
    sent = 0
    notified: list[int] = []
    with get_connection() as connection:
        for club_id, recordings in by_club.items():
            club = recordings[0].club
            recipients = [(u.email, u.language) for u in owners.get(club_id, [])] or [
                (club.contact_email, settings.LANGUAGE_CODE)
            ]
            for email, language in recipients:
                _send_notice(club=club, recordings=recordings, email=email, language=language, connection=connection)
                sent += 1
            notified.extend(r.pk for r in recordings)
    Recording.objects.filter(pk__in=notified).update(deletion_notice_sent_at=now)
    return sent


def _send_notice(*, club: Club, recordings: list[Recording], email: str, language: str, connection: Any) -> None:
    url = settings.SITE_URL + reverse("recordings:list", kwargs={"club_slug": club.slug}) + "?ablauf=bald"
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {
            "club": club,
            "url": url,
            "items": [(r, recording_deletion_date(r)) for r in recordings],
            "days": settings.RECORDING_DELETION_NOTICE_DAYS,
        }
        subject = render_to_string("recordings/email/deletion_notice_subject.txt", context).strip()
        body = render_to_string("recordings/email/deletion_notice.txt", context)
    EmailMessage(subject=subject, body=body, to=[email], connection=connection).send()
