"""Recordings: sync from BBB, the club's own actions on them, and deleting them on BBB.

The scheduled retention cleanup and its notices live in ``recordings/cleanup.py`` and delete through
``recordings_delete_on_servers`` here.

Deleting is careful (rule 5): after ``deleteRecordings`` succeeded (or answered ``notFound``, a
well-formed answer saying that none of the ids exists any more), ``getRecordings`` with ``state=any``
and the batch's ids confirms each one; only a recording BBB no longer lists (or lists as deleted)
is marked deleted. Timeouts, HTTP errors, unparseable answers and any other FAILED answer leave
every recording of that call untouched; the next run tries again. Each batch re-checks protection
and retention under a row lock just before its BBB call.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bbb import BBBError, BBBUnavailable
from bbb.types import Recording as BBBRecording
from clubs.audit import audit_entry_fields
from clubs.models import AuditEntry
from meetings.bbb_clients import client_for
from meetings.models import Meeting, Server
from recordings.models import Recording
from rooms.models import Room

logger = logging.getLogger(__name__)

# Every state in which a recording still exists on its BBB server.
LIVE_BBB_STATES = ["processing", "processed", "published", "unpublished"]
# Only these can be deleted on BBB; a "processing" recording would answer notFound while it exists.
DELETABLE_STATES = [Recording.State.PUBLISHED, Recording.State.UNPUBLISHED]
# meetingIDs per getRecordings call of the sweep (40 hex characters each keeps the URL short).
SWEEP_MEETING_CHUNK = 50
SWEEP_PAGE_SIZE = 100


class RecordingActionFailed(Exception):
    """A club action on a recording failed; ``str(exc)`` is a German sentence for the user."""


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


def recordings_delete_on_servers(
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
    result = recordings_delete_on_servers(
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
