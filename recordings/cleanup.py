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
from django.core.mail import EmailMessage, get_connection
from django.db import connections, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from clubs.models import Club, Membership, Role, club_retention_days
from herzdigital.locks import Lock
from recordings.models import CleanupRun, Recording
from recordings.services import DELETABLE_STATES, recordings_delete_on_servers

logger = logging.getLogger(__name__)

# The daily cleanup runs at this local time (beat schedule in recordings/tasks.py).
CLEANUP_HOUR, CLEANUP_MINUTE = 3, 15
# One cleanup run at a time (herzdigital.locks); the lock expires with the run's time limit
# (RECORDING_CLEANUP_TIME_LIMIT) and is refreshed before every batch, so a killed run frees it soon.
CLEANUP_LOCK_NAME = "recordings-cleanup"


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
    skipped: int = 0  # selected, but no longer due when their batch came (protected meanwhile, …)

    def summary(self) -> str:
        verb = "would delete" if self.dry_run else "deleted"
        done = self.selected if self.dry_run else self.deleted
        text = (
            f"{verb} {done} of {self.selected} selected recording(s); failed={self.failed}; "
            f"no longer due={self.skipped}; bbb_calls={self.bbb_calls}"
        )
        if self.capped:
            text += f"; stopped at the cap of {self.cap} per run"
        return text


def _expired_condition(
    *, now: datetime, club_slug: str | None, club_ids: set[int] | None = None
) -> tuple[Q | None, dict[int, tuple[str, int]]]:
    clubs = Club.objects.filter(Q(retention_days__isnull=False) | Q(max_retention_days__isnull=False))
    if club_slug:
        clubs = clubs.filter(slug=club_slug)
    if club_ids is not None:
        clubs = clubs.filter(pk__in=club_ids)
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

    One run at a time: a lock (Redis, or a database row) taken before selecting, living as long as
    the run's time limit and refreshed before every batch, so a run killed mid-way blocks the next
    one for at most RECORDING_CLEANUP_TIME_LIMIT. Every run leaves a ``CleanupRun`` row for the
    admin; a skipped run says why there and in the log. The dry run takes no lock and writes nothing.
    """
    cap = settings.RECORDING_CLEANUP_MAX_PER_RUN
    if limit is not None:
        cap = min(cap, limit)
    report = CleanupReport(dry_run=dry_run, cap=cap)
    if dry_run:
        _cleanup_select(report, club_slug=club_slug)
        return report
    lock = Lock(CLEANUP_LOCK_NAME, ttl=settings.RECORDING_CLEANUP_TIME_LIMIT)
    if not lock.acquire():
        report.skipped_locked = True
        holder = CleanupRun.objects.filter(outcome=CleanupRun.Outcome.RUNNING).order_by("-started_at").first()
        since = f" (started {timezone.localtime(holder.started_at):%Y-%m-%d %H:%M:%S})" if holder else ""
        message = (
            f"skipped: another cleanup run holds the lock{since}; it expires at the latest "
            f"{settings.RECORDING_CLEANUP_TIME_LIMIT} s after that run's last batch"
        )
        report.errors.append(message)
        logger.warning("recording cleanup %s", message)
        CleanupRun.objects.create(outcome=CleanupRun.Outcome.SKIPPED, finished_at=timezone.now(), message=message)
        return report
    run = CleanupRun.objects.create()
    try:
        selected, info = _cleanup_select(report, club_slug=club_slug)
        result = recordings_delete_on_servers(
            recordings=selected,
            actor=None,
            reason="retention expired",
            batch_size=max(1, settings.RECORDING_CLEANUP_BATCH_SIZE),
            action="recording.cleanup_deleted",
            still_due=_still_expired,
            keep_going=lock.refresh,
        )
    except BaseException as exc:  # a time limit, a crash: say so in the admin, then let it travel
        CleanupRun.objects.filter(pk=run.pk).update(
            outcome=CleanupRun.Outcome.FAILED, finished_at=timezone.now(), message=f"{exc.__class__.__name__}: {exc}"
        )
        raise
    finally:
        lock.release()
    report.deleted = len(result.deleted)
    report.failed = len(result.failed)
    report.skipped = len(result.skipped)
    report.bbb_calls = result.bbb_calls
    report.errors.extend(result.errors)
    not_deleted = set(result.failed) | set(result.skipped)
    for recording in selected:
        if recording.pk in not_deleted:
            report.per_club[info[recording.club_id][0]] -= 1
    CleanupRun.objects.filter(pk=run.pk).update(
        outcome=CleanupRun.Outcome.DONE,
        finished_at=timezone.now(),
        selected=report.selected,
        deleted=report.deleted,
        failed=report.failed,
        message="\n".join([report.summary(), *report.errors])[:5000],
    )
    logger.info("recording cleanup: %s", report.summary())
    return report


def _still_expired(queryset: QuerySet, batch: list[Recording]) -> QuerySet:
    """Of a batch's locked rows, those still unprotected and expired under the clubs' current retention."""
    condition, _info = _expired_condition(now=timezone.now(), club_slug=None, club_ids={r.club_id for r in batch})
    if condition is None:
        return queryset.none()
    return queryset.filter(condition, protected=False)


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

    Each recording is announced once: before a club's email goes out, its recordings are claimed
    with one conditional ``UPDATE … WHERE deletion_notice_sent_at IS NULL RETURNING id``, so two
    overlapping runs (two beats, a retried task) cannot both send it; the one whose claim came
    second gets no rows and sends nothing. If sending fails, the claim is given back for the next
    run. Returns the number of emails.
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
    with get_connection() as connection:
        for club_id, candidates in by_club.items():
            claimed = _notice_claim([r.pk for r in candidates], at=now)
            recordings = [r for r in candidates if r.pk in claimed]
            if not recordings:
                continue
            club = recordings[0].club
            recipients = [(u.email, u.language) for u in owners.get(club_id, [])] or [
                (club.contact_email, settings.LANGUAGE_CODE)
            ]
            try:
                for email, language in recipients:
                    _send_notice(
                        club=club, recordings=recordings, email=email, language=language, connection=connection
                    )
                    sent += 1
            except Exception:
                Recording.objects.filter(pk__in=claimed, deletion_notice_sent_at=now).update(
                    deletion_notice_sent_at=None
                )
                raise
    return sent


def _notice_claim(pks: list[int], *, at: datetime) -> set[int]:
    """Atomically mark the still unannounced ones of ``pks`` as announced; returns those this call marked.

    PostgreSQL: a concurrent claim of the same rows waits for the row locks, re-checks the condition
    and finds them taken. SQLite serialises writers. Both support ``RETURNING`` (SQLite >= 3.35).
    """
    if not pks:
        return set()
    conn = connections[Recording.objects.db]
    table = conn.ops.quote_name(Recording._meta.db_table)
    column = conn.ops.quote_name(Recording._meta.get_field("deletion_notice_sent_at").column)
    pk_column = conn.ops.quote_name(Recording._meta.pk.column)
    value = Recording._meta.get_field("deletion_notice_sent_at").get_db_prep_save(at, conn)
    with transaction.atomic(), conn.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE {pk_column} IN ({', '.join(['%s'] * len(pks))}) "  # noqa: S608
            f"AND {column} IS NULL RETURNING {pk_column}",
            [value, *pks],
        )
        return {row[0] for row in cursor.fetchall()}


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
