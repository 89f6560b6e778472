"""Recordings: sync from BBB, the club's own actions on them, and the scheduled retention cleanup.

Deleting is careful (rule 5): after ``deleteRecordings`` succeeded (or answered ``notFound``, a
well-formed answer saying that none of the ids exists any more), ``getRecordings`` with ``state=any``
and the batch's ids confirms each one; only a recording BBB no longer lists (or lists as deleted)
is marked deleted. Timeouts, HTTP errors, unparseable answers and any other FAILED answer leave
every recording of that call untouched; the next run tries again. Each batch re-checks protection
and retention under a row lock just before its BBB call.

Retention: a club keeps recordings for ``retention_days`` (None = keep forever). Staff may cap it
with ``max_retention_days``; the cap also applies to a club that chose "keep forever", because a
cap that a club could switch off would not be a cap. Protected recordings are never selected.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
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
from django.utils.translation import gettext as _

from bbb import BBBError, BBBUnavailable
from bbb.types import Recording as BBBRecording
from clubs.audit import audit_entry_fields
from clubs.models import AuditEntry, Club, Membership, Role
from herzdigital.locks import Lock
from meetings.bbb_clients import client_for
from meetings.models import Meeting, Server
from recordings.models import CleanupRun, Recording
from rooms.models import Room

logger = logging.getLogger(__name__)

# Every state in which a recording still exists on its BBB server.
LIVE_BBB_STATES = ["processing", "processed", "published", "unpublished"]
# Only these can be deleted on BBB; a "processing" recording would answer notFound while it exists.
DELETABLE_STATES = [Recording.State.PUBLISHED, Recording.State.UNPUBLISHED]
# meetingIDs per getRecordings call of the sweep (40 hex characters each keeps the URL short).
SWEEP_MEETING_CHUNK = 50
SWEEP_PAGE_SIZE = 100
# The daily cleanup runs at this local time (beat schedule in recordings/tasks.py).
CLEANUP_HOUR, CLEANUP_MINUTE = 3, 15
# One cleanup run at a time (herzdigital.locks); the lock expires with the run's time limit
# (RECORDING_CLEANUP_TIME_LIMIT) and is refreshed before every batch, so a killed run frees it soon.
CLEANUP_LOCK_NAME = "recordings-cleanup"


class RecordingActionFailed(Exception):
    """A club action on a recording failed; ``str(exc)`` is a German sentence for the user."""


# -- retention ---------------------------------------------------------------------------------


def club_retention_days(club: Club) -> int | None:
    """Days a club's recordings are kept (None = forever), after the staff's cap."""
    days, cap = club.retention_days, club.max_retention_days
    if days is None:
        return cap
    if cap is None:
        return days
    return min(days, cap)


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


# -- sync ----------------------------------------------------------------------------------------


def _formats(recording: BBBRecording) -> list[dict[str, Any]]:
    return [
        {
            "type": fmt.type,
            "url": fmt.url or "",
            "length_minutes": fmt.length_minutes or 0,
            "size": fmt.size or 0,
            "previews": [p.url for p in fmt.previews][:3],
        }
        for fmt in recording.formats
    ]


def _fields_from_bbb(recording: BBBRecording) -> dict[str, Any]:
    state = recording.state if recording.state in Recording.State.values else Recording.State.PROCESSING
    duration = 0
    if recording.start_time and recording.end_time:
        duration = max(0, int((recording.end_time - recording.start_time).total_seconds()))
    formats = _formats(recording)
    size = recording.size or sum(f["size"] for f in formats) or recording.raw_size or 0
    metadata = dict(recording.metadata)
    # A rename is stored on BBB as meta "name"; otherwise the meeting's name is the recording's.
    name = metadata.get("name") or recording.name or metadata.get("meetingName") or recording.record_id
    return {
        "bbb_meeting_id": recording.meeting_id or "",
        "internal_meeting_id": recording.internal_meeting_id or "",
        "name": name[:255],
        "state": state,
        "published": recording.published,
        "started_at": recording.start_time,
        "ended_at": recording.end_time,
        "duration_seconds": duration,
        "participants": recording.participants or 0,
        "size_bytes": size,
        "formats": formats,
        "metadata": metadata,
    }


SYNCED_FIELDS = [
    "bbb_meeting_id",
    "internal_meeting_id",
    "name",
    "state",
    "published",
    "started_at",
    "ended_at",
    "duration_seconds",
    "participants",
    "size_bytes",
    "formats",
    "metadata",
    "last_synced_at",
    "gone_at",
    "server",
    "updated_at",
]


@transaction.atomic
def recording_upsert_many(*, server: Server, recordings: Sequence[BBBRecording]) -> int:
    """Create or update recordings by record id with a constant number of queries.

    Recordings of meetings that are not ours (no Room with that meetingID) are ignored. Rows we
    deleted stay deleted. Returns the number of rows written.
    """
    if not recordings:
        return 0
    now = timezone.now()
    meeting_ids = {r.meeting_id for r in recordings if r.meeting_id}
    rooms = {
        room.meeting_id: room
        for room in Room.objects.filter(meeting_id__in=meeting_ids).only("pk", "club_id", "meeting_id")
    }
    internal_ids = {r.internal_meeting_id for r in recordings if r.internal_meeting_id}
    meetings = dict(
        Meeting.objects.filter(internal_meeting_id__in=internal_ids).values_list("internal_meeting_id", "pk")
    )
    existing = {
        rec.record_id: rec
        for rec in Recording.objects.filter(record_id__in=[r.record_id for r in recordings]).select_for_update()
    }
    to_create: list[Recording] = []
    to_update: list[Recording] = []
    for bbb_recording in recordings:
        values = _fields_from_bbb(bbb_recording)
        row = existing.get(bbb_recording.record_id)
        if row is not None:
            if row.deleted_at is not None:
                continue
            for name, value in values.items():
                setattr(row, name, value)
            row.server = server
            row.last_synced_at = now
            row.gone_at = None
            row.updated_at = now
            to_update.append(row)
            continue
        room = rooms.get(bbb_recording.meeting_id or "")
        if room is None:
            continue
        to_create.append(
            Recording(
                club_id=room.club_id,
                room_id=room.pk,
                meeting_id=meetings.get(bbb_recording.internal_meeting_id or ""),
                server=server,
                record_id=bbb_recording.record_id,
                last_synced_at=now,
                **values,
            )
        )
    if to_create:
        Recording.objects.bulk_create(to_create, batch_size=500, ignore_conflicts=True)
    if to_update:
        Recording.objects.bulk_update(to_update, SYNCED_FIELDS, batch_size=500)
    return len(to_create) + len(to_update)


def recording_fetch(*, server: Server, record_id: str) -> int:
    """Fetch one recording (after the recording-ready callback) and upsert it. Raises on BBB errors."""
    page = client_for(server).get_recordings(record_ids=[record_id], states=LIVE_BBB_STATES)
    found = [r for r in page.recordings if r.record_id == record_id]
    return recording_upsert_many(server=server, recordings=found)


def recordings_fetch_for_meeting(*, meeting: Meeting) -> int:
    """Fetch the recordings of one meeting (after it ended) and upsert them."""
    client = client_for(meeting.server)
    found = list(client.iter_recordings(meeting_ids=[meeting.meeting_id], states=LIVE_BBB_STATES))
    return recording_upsert_many(server=meeting.server, recordings=found)


@dataclass
class ReconcileResult:
    ok: bool
    seen: int = 0
    upserted: int = 0
    gone: int = 0
    bbb_calls: int = 0
    error: str = ""


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def recordings_reconcile(*, server: Server) -> ReconcileResult:
    """Reconcile one server's recordings of our meetings with BBB.

    Reads every page first; only when every call answered and every page was complete does it
    write: upsert what BBB listed, mark ours that BBB no longer lists as "gone" (never deleted).
    A failed or partial sweep changes nothing.
    """
    started = timezone.now()
    our_meeting_ids = set(Room.objects.values_list("meeting_id", flat=True))
    our_meeting_ids |= set(
        Recording.objects.filter(server=server, deleted_at__isnull=True)
        .exclude(state=Recording.State.GONE)
        .values_list("bbb_meeting_id", flat=True)
    )
    meeting_ids = sorted(m for m in our_meeting_ids if m)
    client = client_for(server)
    seen: dict[str, BBBRecording] = {}
    calls = 0
    try:
        for chunk in _chunks(meeting_ids, SWEEP_MEETING_CHUNK):
            offset = 0
            totals: set[int] = set()
            chunk_seen: set[str] = set()
            while True:
                page = client.get_recordings(
                    meeting_ids=list(chunk), states=LIVE_BBB_STATES, offset=offset, limit=SWEEP_PAGE_SIZE
                )
                calls += 1
                for recording in page.recordings:
                    chunk_seen.add(recording.record_id)
                    seen[recording.record_id] = recording
                if page.total_elements is None:  # BBB < 2.6: everything on one page
                    break
                totals.add(page.total_elements)
                offset += SWEEP_PAGE_SIZE
                if not page.recordings or offset >= page.total_elements:
                    break
            if len(totals) > 1 or (totals and len(chunk_seen) < min(totals)):
                # Recordings came or went between pages, so some may have slipped past us unseen.
                return ReconcileResult(ok=False, bbb_calls=calls, error="incomplete pagination")
    except (BBBError, BBBUnavailable) as exc:
        logger.warning("recording sweep of %s failed, nothing changed: %s", server, exc)
        return ReconcileResult(ok=False, bbb_calls=calls, error=str(exc))

    wanted = set(meeting_ids)
    with transaction.atomic():
        upserted = 0
        found = list(seen.values())
        for part in _chunks(found, 500):
            upserted += recording_upsert_many(server=server, recordings=part)
        candidates = (
            Recording.objects.filter(server=server, deleted_at__isnull=True, created_at__lt=started)
            .exclude(state=Recording.State.GONE)
            .values_list("pk", "record_id", "bbb_meeting_id")
        )
        missing = [pk for pk, record_id, meeting_id in candidates if meeting_id in wanted and record_id not in seen]
        now = timezone.now()
        for part in _chunks(missing, 500):
            Recording.objects.filter(pk__in=part).update(state=Recording.State.GONE, gone_at=started, updated_at=now)
        gone = len(missing)
    return ReconcileResult(ok=True, seen=len(seen), upserted=upserted, gone=gone, bbb_calls=calls)


def recording_resync(*, recording: Recording) -> Recording:
    """Ask BBB for this one recording again; missing from a successful answer means gone."""
    try:
        page = client_for(recording.server).get_recordings(record_ids=[recording.record_id], states=LIVE_BBB_STATES)
    except (BBBError, BBBUnavailable) as exc:
        raise RecordingActionFailed(_bbb_failure_message()) from exc
    found = [r for r in page.recordings if r.record_id == recording.record_id]
    if found:
        recording_upsert_many(server=recording.server, recordings=found)
    elif recording.deleted_at is None:
        now = timezone.now()
        Recording.objects.filter(pk=recording.pk, deleted_at__isnull=True).update(
            state=Recording.State.GONE, gone_at=now, updated_at=now
        )
    recording.refresh_from_db()
    return recording


# -- club actions --------------------------------------------------------------------------------


def _bbb_failure_message() -> str:
    return _(
        "Der Aufzeichnungsserver ist gerade nicht erreichbar. Es wurde nichts geändert. "
        "Bitte versuchen Sie es in einigen Minuten erneut."
    )


def _audit(*, action: str, recording: Recording, actor: Any, reason: str = "", details: dict | None = None) -> None:
    AuditEntry.objects.create(
        **audit_entry_fields(
            action=action,
            actor=actor,
            club=recording.club,
            target=recording,
            reason=reason,
            details={"record_id": recording.record_id, **(details or {})},
        )
    )


def _require_on_server(recording: Recording) -> None:
    if recording.deleted_at is not None or recording.state == Recording.State.GONE:
        raise RecordingActionFailed(_("Diese Aufzeichnung gibt es auf dem Server nicht mehr."))


def recording_rename(*, recording: Recording, actor: Any, name: str) -> Recording:
    """Rename on BBB (meta ``name`` via updateRecordings), then here."""
    name = name.strip()[:255]
    if not name:
        raise RecordingActionFailed(_("Bitte geben Sie einen Namen ein."))
    _require_on_server(recording)
    try:
        client_for(recording.server).update_recordings([recording.record_id], {"name": name})
    except BBBError as exc:
        if exc.message_key == "notFound":
            raise RecordingActionFailed(
                _(
                    "Die Aufzeichnung wird noch verarbeitet oder ist nicht mehr vorhanden. "
                    "Bitte versuchen Sie es später."
                )
            ) from exc
        raise RecordingActionFailed(_bbb_failure_message()) from exc
    except BBBUnavailable as exc:
        raise RecordingActionFailed(_bbb_failure_message()) from exc
    with transaction.atomic():
        old_name = recording.name
        recording.name = name
        recording.metadata = {**recording.metadata, "name": name}
        recording.save(update_fields=["name", "metadata", "updated_at"])
        _audit(action="recording.renamed", recording=recording, actor=actor, details={"old_name": old_name})
    return recording


def recording_set_published(*, recording: Recording, actor: Any, published: bool) -> Recording:
    _require_on_server(recording)
    if recording.state not in DELETABLE_STATES:
        raise RecordingActionFailed(_("Die Aufzeichnung wird noch verarbeitet. Bitte versuchen Sie es später."))
    try:
        client_for(recording.server).publish_recordings([recording.record_id], published)
    except (BBBError, BBBUnavailable) as exc:
        raise RecordingActionFailed(_bbb_failure_message()) from exc
    with transaction.atomic():
        recording.published = published
        recording.state = Recording.State.PUBLISHED if published else Recording.State.UNPUBLISHED
        recording.save(update_fields=["published", "state", "updated_at"])
        _audit(action="recording.published" if published else "recording.unpublished", recording=recording, actor=actor)
    return recording


@transaction.atomic
def recording_set_protected(*, recording: Recording, actor: Any, protected: bool) -> Recording:
    """Protect from (or expose again to) the retention cleanup. Local only: no BBB call.

    Takes the row lock first: while a cleanup batch holding it deletes the recording on BBB, this
    waits, then finds it deleted and raises ``RecordingActionFailed`` instead of claiming protection.
    """
    current = Recording.objects.select_for_update().filter(pk=recording.pk).values_list("deleted_at", flat=True)
    if not current or current[0] is not None:
        raise RecordingActionFailed(_("Diese Aufzeichnung wurde bereits gelöscht."))
    recording.protected = protected
    fields = ["protected", "updated_at"]
    if not protected:
        # It may expire soon again: its owners deserve a fresh notice.
        recording.deletion_notice_sent_at = None
        fields.append("deletion_notice_sent_at")
    recording.save(update_fields=fields)
    _audit(action="recording.protected" if protected else "recording.unprotected", recording=recording, actor=actor)
    return recording


@dataclass
class DeleteResult:
    deleted: list[int] = field(default_factory=list)  # pks marked deleted
    failed: list[int] = field(default_factory=list)  # pks left untouched (BBB did not confirm)
    skipped: list[int] = field(default_factory=list)  # no longer due when their batch came (e.g. protected)
    bbb_calls: int = 0
    errors: list[str] = field(default_factory=list)


def _delete_on_servers(
    *,
    recordings: Iterable[Recording],
    actor: Any,
    reason: str,
    batch_size: int,
    action: str = "recording.deleted",
    still_due: Callable[[QuerySet, list[Recording]], QuerySet] | None = None,
    keep_going: Callable[[], bool] | None = None,
) -> DeleteResult:
    """The one deletion loop: per server, batches of ids per deleteRecordings call.

    ``recordings`` must be ordered by server. Each batch is one transaction: its rows are locked
    (``select_for_update``) and re-read — ``still_due`` narrows them to those that may still be
    deleted (the cleanup re-checks protection and retention here, so a recording protected since
    the selection is skipped) — then ``deleteRecordings`` names them and ``getRecordings`` with
    ``state=any`` confirms each id: only ids absent from that answer (or listed as deleted) are
    marked deleted, in the same transaction. A protect request waits for the batch's lock and then
    finds the row deleted. Ids BBB still holds (e.g. processing during a rebuild) stay untouched.
    After a transport failure the rest of that server's recordings are not tried in this run.
    ``keep_going`` is asked before every batch (the cleanup refreshes its lock there).
    """
    result = DeleteResult()
    by_server: dict[int, list[Recording]] = defaultdict(list)
    for recording in recordings:
        by_server[recording.server_id].append(recording)
    servers = Server.objects.in_bulk(list(by_server))
    batches = [
        (servers[server_id], list(batch))
        for server_id, rows in by_server.items()
        for batch in _chunks(rows, max(1, batch_size))
    ]
    server_down: set[int] = set()
    for n, (server, batch) in enumerate(batches):
        if keep_going is not None and not keep_going():
            result.errors.append("stopped: the run lost its lock")
            result.failed.extend(r.pk for _, rest in batches[n:] for r in rest)
            break
        if server.pk in server_down:
            result.failed.extend(r.pk for r in batch)
            continue
        reachable = _delete_batch(
            server=server, batch=batch, actor=actor, reason=reason, action=action, still_due=still_due, result=result
        )
        if not reachable:
            server_down.add(server.pk)
    return result


def _delete_batch(
    *,
    server: Server,
    batch: list[Recording],
    actor: Any,
    reason: str,
    action: str,
    still_due: Callable[[QuerySet, list[Recording]], QuerySet] | None,
    result: DeleteResult,
) -> bool:
    """Delete one batch on BBB and mark what BBB confirms; False when the server is unreachable.

    Where the database has row locks (PostgreSQL) the batch's rows stay locked from the re-check to
    the mark. SQLite has none, and a transaction there takes the write lock of the whole file
    (``transaction_mode=IMMEDIATE``), so it would block every write during the BBB calls: there the
    re-check is a plain read just before the call and the mark a short transaction of its own.
    """
    pks = [r.pk for r in batch]
    conn = connections[Recording.objects.db]
    with transaction.atomic() if conn.features.has_select_for_update else nullcontext():
        queryset = Recording.objects.select_for_update(of=("self",)).filter(
            pk__in=pks, deleted_at__isnull=True, state__in=DELETABLE_STATES
        )
        if still_due is not None:
            queryset = still_due(queryset, batch)
        rows = list(queryset.only("pk", "record_id", "club_id", "server_id", "name").order_by("pk"))
        result.skipped.extend(sorted(set(pks) - {r.pk for r in rows}))
        if not rows:
            return True
        client = client_for(server)
        record_ids = [r.record_id for r in rows]
        result.bbb_calls += 1
        try:
            client.delete_recordings(record_ids)
        except BBBError as exc:
            if exc.message_key != "notFound":  # notFound: none of them left; the check below says which
                result.errors.append(f"{server}: {exc}")
                result.failed.extend(r.pk for r in rows)
                return True
        except BBBUnavailable as exc:
            result.errors.append(f"{server}: {exc}")
            result.failed.extend(r.pk for r in rows)
            return False
        result.bbb_calls += 1
        try:
            page = client.get_recordings(record_ids=record_ids, states=["any"])
        except (BBBError, BBBUnavailable) as exc:
            # BBB may have deleted them; unconfirmed, they stay, and the next run's check confirms them.
            result.errors.append(f"{server}: deletion not confirmed: {exc}")
            result.failed.extend(r.pk for r in rows)
            return not isinstance(exc, BBBUnavailable)
        wanted = set(record_ids)
        held = {r.record_id for r in page.recordings if r.record_id in wanted and r.state != "deleted"}
        confirmed = [r for r in rows if r.record_id not in held]
        result.failed.extend(r.pk for r in rows if r.record_id in held)
        _mark_deleted(confirmed, actor=actor, reason=reason, action=action, result=result)
    return True


@transaction.atomic
def _mark_deleted(batch: list[Recording], *, actor: Any, reason: str, action: str, result: DeleteResult) -> None:
    """Mark rows deleted and audit them; rows another run marked meanwhile are not marked (nor audited) twice."""
    if not batch:
        return
    now = timezone.now()
    claimed = set(
        Recording.objects.select_for_update()
        .filter(pk__in=[r.pk for r in batch], deleted_at__isnull=True)
        .values_list("pk", flat=True)
    )
    batch = [r for r in batch if r.pk in claimed]
    Recording.objects.filter(pk__in=claimed).update(state=Recording.State.DELETED, deleted_at=now, updated_at=now)
    entries = []
    for recording in batch:
        fields = audit_entry_fields(
            action=action,
            actor=actor,
            target=recording,
            reason=reason,
            details={"record_id": recording.record_id, "server_id": recording.server_id},
            actor_label="" if actor is not None else "cleanup",
        )
        fields.pop("club")
        entries.append(AuditEntry(club_id=recording.club_id, **fields))
    AuditEntry.objects.bulk_create(entries)
    result.deleted.extend(r.pk for r in batch)


def recordings_delete(*, recordings: Iterable[Recording], actor: Any, reason: str) -> DeleteResult:
    """Delete recordings on their servers (batched deleteRecordings), mark confirmed ones deleted.

    Recordings still being processed are not sent (BBB would answer notFound while it still has
    them) and count as failed; recordings already gone or deleted are skipped.
    """
    pending: list[Recording] = []
    busy: list[int] = []
    for recording in recordings:
        if recording.deleted_at is not None or recording.state == Recording.State.GONE:
            continue
        (pending if recording.state in DELETABLE_STATES else busy).append(recording)
    pending.sort(key=lambda r: (r.server_id, r.pk))
    result = _delete_on_servers(
        recordings=pending, actor=actor, reason=reason, batch_size=settings.RECORDING_CLEANUP_BATCH_SIZE
    )
    result.failed.extend(r.pk for r in busy)
    return result


def recording_delete(*, recording: Recording, actor: Any, reason: str) -> Recording:
    """Delete one recording; raises RecordingActionFailed when BBB did not confirm."""
    if recording.deleted_at is not None:
        return recording
    if recording.state == Recording.State.GONE:
        # Nothing left on BBB to delete: a successful answer already said so (the sweep).
        with transaction.atomic():
            now = timezone.now()
            Recording.objects.filter(pk=recording.pk).update(state=Recording.State.DELETED, deleted_at=now)
            _audit(action="recording.deleted", recording=recording, actor=actor, reason=reason)
        recording.refresh_from_db()
        return recording
    if recording.state not in DELETABLE_STATES:
        raise RecordingActionFailed(_("Die Aufzeichnung wird noch verarbeitet. Bitte versuchen Sie es später."))
    result = recordings_delete(recordings=[recording], actor=actor, reason=reason)
    if recording.pk not in result.deleted:
        raise RecordingActionFailed(_bbb_failure_message())
    recording.refresh_from_db()
    return recording


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
        result = _delete_on_servers(
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


# -- public room page ----------------------------------------------------------------------------


def recordings_public_for_room(room: Room) -> list[Recording]:
    """Published recordings a room shows on its public page (only when the room allows it)."""
    if not room.show_recordings_publicly:
        return []
    return list(
        Recording.objects.filter(
            room=room, deleted_at__isnull=True, published=True, state=Recording.State.PUBLISHED
        ).order_by("-started_at")[:50]
    )
