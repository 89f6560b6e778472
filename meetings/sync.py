"""Keep the database's picture of every BBB server current (rules 3 and 4 of ARCHITECTURE.md).

One ``getMeetings`` per server and tick, applied with a constant number of queries whatever the
number of rooms and meetings: one locked read of our open meetings on that server, one
``bulk_update`` and one update of the server row. A failed poll changes no meeting; only a
successful answer that no longer lists one of our meetings ends it, and only after a grace period.

BBB's end callback is the fast path: it ends a meeting at once. It is applied here;
``meetings/views/callbacks.py`` only translates HTTP. (The recording-ready callback belongs to the
recordings: ``recordings/callbacks.py``.)
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connections, transaction
from django.db.models import Case, Count, DateTimeField, F, Q, Sum, Value, When
from django.utils import timezone

import bbb
from bbb import BBBClient, BBBError, BBBUnavailable
from herzdigital.locks import locked
from meetings.bbb_clients import sync_client_for
from meetings.models import Meeting, Server
from meetings.signals import poll_applied

logger = logging.getLogger(__name__)

# Tasks of the recordings area, sent by name so that this module does not import it.
RECORDINGS_FETCH_FOR_MEETING = "recordings.tasks.recordings_fetch_for_meeting"

FAILURES_UNTIL_UNHEALTHY = 3
# A participant count is extrapolated at most this long (a worker outage must not invent hours).
MAX_SAMPLE_SECONDS = 600


class EndReason:
    """Values of ``Meeting.end_reason`` written here."""

    NOT_LISTED = "not_listed"  # a successful getMeetings no longer listed it
    CALLBACK = "end_callback"  # BBB's meta_endCallbackUrl


# The fields one sync may change on a meeting; one bulk_update writes them all.
SYNC_FIELDS = [
    "status",
    "started_at",
    "ended_at",
    "end_reason",
    "internal_meeting_id",
    "create_time",
    "participant_count",
    "moderator_count",
    "listener_count",
    "voice_count",
    "video_count",
    "peak_participants",
    "participant_seconds",
    "last_synced_at",
]

SERVER_SYNC_FIELDS = [
    "healthy",
    "consecutive_failures",
    "last_poll_at",
    "last_success_at",
    "last_error",
    "meeting_count",
    "participant_count",
    "foreign_meeting_count",
    "load",
]


@dataclass
class SyncResult:
    server_id: int
    ok: bool
    skipped: bool = False  # another sync of this server held the lock
    error: str = ""
    listed: int = 0  # meetings BBB listed (ours, foreign and breakouts)
    ours: int = 0
    foreign: int = 0
    ended: int = 0
    participants: int = 0

    def summary(self) -> str:
        if self.skipped:
            return f"server {self.server_id}: skipped ({self.error or 'locked by another sync'})"
        if not self.ok:
            return f"server {self.server_id}: poll failed: {self.error}"
        return (
            f"server {self.server_id}: {self.listed} listed, {self.ours} ours, {self.foreign} foreign, "
            f"{self.ended} ended, {self.participants} participants"
        )


# -- the tick ----------------------------------------------------------------------------------


def servers_to_sync() -> list[int]:
    """Enabled servers, plus disabled ones that still have open meetings (a drained server's
    meetings must still end in our database)."""
    return list(
        Server.objects.filter(Q(enabled=True) | Q(meetings__ended_at__isnull=True))
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def server_sync_locked(*, server_id: int) -> SyncResult:
    """Sync one server under its per-server lock; a second sync meanwhile is skipped, not queued."""
    with locked(f"sync-server:{server_id}", ttl=settings.SYNC_TIME_LIMIT + 10) as got:
        if not got:
            logger.info("sync of server %s skipped: another sync holds its lock", server_id)
            return SyncResult(server_id=server_id, ok=False, skipped=True)
        server = Server.objects.filter(pk=server_id).first()
        if server is None:
            return SyncResult(server_id=server_id, ok=False, skipped=True, error="server no longer exists")
        try:
            return server_sync(server=server)
        except SoftTimeLimitExceeded:
            # Too slow counts as unavailable; the apply transaction (if any) was rolled back.
            return server_poll_failed(server=server, error="sync exceeded its time limit", at=timezone.now())


def server_sync(*, server: Server, client: BBBClient | None = None) -> SyncResult:
    """Poll ``server`` once and apply the answer (or record the failure).

    The poll uses the sync's own short timeouts and no retries (``sync_client_for``): a slow or dead
    server fails its poll within ``SYNC_CONNECT_TIMEOUT``/``SYNC_READ_TIMEOUT`` and gives the worker
    slot back; the next tick is the retry. A suspicious drop (see ``server_poll_apply``) is confirmed
    per meeting with ``getMeetingInfo`` outside the apply transaction, then applied again.
    """
    poll_started = timezone.now()
    client = client or sync_client_for(server)
    if server.kind == Server.Kind.SCALELITE:
        return scalelite_sync(server=server, client=client, poll_started=poll_started)
    try:
        listed = client.get_meetings()
    except (BBBUnavailable, BBBError) as exc:
        return server_poll_failed(server=server, error=f"{exc.__class__.__name__}: {exc}", at=poll_started)
    try:
        return server_poll_apply(server=server, listed=listed, poll_started=poll_started)
    except SuspiciousDrop as drop:
        gone = meetings_confirm_gone(client=client, meeting_ids=drop.meeting_ids)
        logger.warning(
            "server %s: getMeetings no longer listed %d meeting(s) at once; getMeetingInfo confirmed %d gone",
            server.name,
            len(drop.meeting_ids),
            sum(gone.values()),
        )
        return server_poll_apply(server=server, listed=listed, poll_started=poll_started, confirmed=gone)


class SuspiciousDrop(Exception):
    """Raised inside the apply transaction (rolling it back) when an answer would end meetings
    whose disappearance needs confirming first."""

    def __init__(self, meeting_ids: list[str]):
        super().__init__(f"{len(meeting_ids)} meeting(s) to confirm")
        self.meeting_ids = meeting_ids


def meetings_confirm_gone(*, client: BBBClient, meeting_ids: list[str]) -> dict[str, bool]:
    """``meeting_id -> gone``: gone only when ``getMeetingInfo`` answers ``notFound``.

    At most SYNC_CONFIRM_MAX calls. If any asked meeting still exists, the listing that dropped it
    is not trusted for any of them (all are kept); if every asked one is gone, so are the rest.
    """
    asked = meeting_ids[: settings.SYNC_CONFIRM_MAX]
    gone: dict[str, bool] = {}
    for meeting_id in asked:
        try:
            client.get_meeting_info(meeting_id)
            gone[meeting_id] = False
        except BBBError as exc:
            gone[meeting_id] = exc.message_key == "notFound"
        except BBBUnavailable:
            gone[meeting_id] = False  # unknown is not gone (rule 4)
    trusted = all(gone.values())
    return {meeting_id: trusted and gone.get(meeting_id, True) for meeting_id in meeting_ids}


def server_poll_failed(*, server: Server, error: str, at: datetime) -> SyncResult:
    """Count a failed poll; the third in a row marks the server unhealthy. No meeting changes."""
    Server.objects.filter(pk=server.pk).update(
        consecutive_failures=F("consecutive_failures") + 1,
        # SET expressions see the row before the update: N-1 failures so far plus this one.
        healthy=Case(
            When(consecutive_failures__gte=FAILURES_UNTIL_UNHEALTHY - 1, then=Value(False)), default=F("healthy")
        ),
        last_poll_at=at,
        last_error=error[:500],
    )
    server.refresh_from_db(fields=["consecutive_failures", "healthy", "last_poll_at", "last_error"])
    log = logger.warning if not server.healthy else logger.info
    log("poll of server %s failed (%d in a row): %s", server.name, server.consecutive_failures, error)
    return SyncResult(server_id=server.pk, ok=False, error=error)


@transaction.atomic
def server_poll_apply(
    *,
    server: Server,
    listed: list[bbb.Meeting],
    poll_started: datetime,
    now: datetime | None = None,
    confirmed: dict[str, bool] | None = None,
) -> SyncResult:
    """Apply a successful ``getMeetings`` answer: three queries, whatever the number of meetings.

    Meetings are matched by meetingID (a room has at most one open meeting). ``select_for_update``
    keeps a concurrent end callback from being overwritten by this poll's older picture.

    A suspicious drop raises ``SuspiciousDrop`` (nothing written) unless ``confirmed`` says, per
    meetingID, whether ``getMeetingInfo`` confirmed it gone: every open meeting of the server gone at
    once (two or more), or any young one (younger than SYNC_YOUNG_MEETING_SECONDS) gone.
    """
    now = now or timezone.now()
    # Younger meetings may have been created while the poll was under way: not listed proves nothing.
    protected_since = min(poll_started, now - timedelta(seconds=settings.SYNC_GRACE_SECONDS))
    open_meetings = {
        meeting.meeting_id: meeting
        for meeting in Meeting.objects.select_for_update().filter(server=server, ended_at__isnull=True)
    }
    result = SyncResult(server_id=server.pk, ok=True, listed=len(listed))
    changed: list[Meeting] = []
    seen: list[tuple[Meeting, bbb.Meeting]] = []
    for item in listed:
        result.participants += item.participant_count or 0
        meeting = open_meetings.pop(item.meeting_id, None)
        if meeting is None:
            # Not an open meeting of ours (another front-end on this server, or one of ours that a
            # callback already ended and BBB still lists for a moment): it still loads the server.
            result.foreign += 0 if item.is_breakout else 1
            continue
        result.ours += 1
        _apply_listed(meeting, item, now)
        changed.append(meeting)
        seen.append((meeting, item))
    open_count = result.ours + len(open_meetings)
    missing = [m for m in open_meetings.values() if m.created_at < protected_since]
    if confirmed is None:
        young_since = now - timedelta(seconds=settings.SYNC_YOUNG_MEETING_SECONDS)
        if len(missing) >= 2 and len(missing) == open_count:
            suspicious = missing
        else:
            suspicious = [m for m in missing if (m.started_at or m.created_at) >= young_since]
        if suspicious:
            raise SuspiciousDrop([m.meeting_id for m in suspicious])
    else:
        missing = [m for m in missing if confirmed.get(m.meeting_id, True)]
    ended: list[Meeting] = []
    for meeting in missing:
        _apply_ended(meeting, now, EndReason.NOT_LISTED)
        changed.append(meeting)
        ended.append(meeting)
    result.ended = len(ended)
    _bulk_update(changed, SYNC_FIELDS)
    poll_applied.send(sender=Server, listed=seen, ended=ended, now=now)
    server.healthy = True
    server.consecutive_failures = 0
    server.last_poll_at = poll_started
    server.last_success_at = now
    server.last_error = ""
    server.meeting_count = result.listed
    server.participant_count = result.participants
    server.foreign_meeting_count = result.foreign
    server.load = result.participants  # in participants, comparable with Server.capacity
    server.save(update_fields=SERVER_SYNC_FIELDS)
    recorded = [meeting.pk for meeting in ended if meeting.record]
    if recorded:
        transaction.on_commit(lambda: _queue_meeting_recordings(recorded))
    return result


# -- Scalelite --------------------------------------------------------------------------------------


def scalelite_sync(*, server: Server, client: BBBClient, poll_started: datetime) -> SyncResult:
    """Poll a Scalelite endpoint: one ``getMeetingInfo`` per open meeting of ours, bounded per tick.

    Scalelite's getMeetings cannot be trusted for ending meetings: with GET_MEETINGS_API_DISABLED it
    answers SUCCESS "noMeetings" whatever runs, and when one backend does not answer it fails the
    whole call (blindsidenetworks/scalelite config/routes.rb, bigbluebutton_api_controller.rb
    #get_meetings). So rule 3's one getMeetings per tick does not apply here: the meetings least
    recently synced are asked one by one (``SCALELITE_MEETINGS_PER_TICK``). Only a definite
    ``notFound`` ends a meeting (Scalelite forgets meetings that ended); a failed answer
    (``internalError`` of a backend that is down, a timeout) leaves that meeting as it was, and the
    server counts as failed only when nothing answered.
    """
    candidates = list(
        Meeting.objects.filter(server=server, ended_at__isnull=True)
        .order_by(F("last_synced_at").asc(nulls_first=True), "pk")
        .values_list("pk", "meeting_id")[: settings.SCALELITE_MEETINGS_PER_TICK]
    )
    answers: dict[int, bbb.Meeting | None] = {}  # None: Scalelite says notFound
    failures: list[str] = []
    if not candidates:
        try:
            client.check_secret()  # a signed call keeps the health current
        except (BBBUnavailable, BBBError) as exc:
            return server_poll_failed(server=server, error=f"{exc.__class__.__name__}: {exc}", at=poll_started)
    for pk, meeting_id in candidates:
        try:
            answers[pk] = client.get_meeting_info(meeting_id)
        except BBBError as exc:
            if exc.message_key != "notFound":
                failures.append(f"{meeting_id}: {exc}")
                continue
            answers[pk] = None
        except BBBUnavailable as exc:
            failures.append(f"{meeting_id}: {exc}")
    if failures and not answers:
        return server_poll_failed(server=server, error=f"{len(failures)} failed, e.g. {failures[0]}", at=poll_started)
    return scalelite_poll_apply(server=server, answers=answers, failures=failures, poll_started=poll_started)


@transaction.atomic
def scalelite_poll_apply(
    *,
    server: Server,
    answers: dict[int, bbb.Meeting | None],
    failures: list[str],
    poll_started: datetime,
    now: datetime | None = None,
) -> SyncResult:
    """Apply the answers of one Scalelite poll; meetings without an answer are left alone."""
    now = now or timezone.now()
    protected_since = min(poll_started, now - timedelta(seconds=settings.SYNC_GRACE_SECONDS))
    meetings = Meeting.objects.select_for_update().filter(pk__in=list(answers), ended_at__isnull=True)
    result = SyncResult(server_id=server.pk, ok=True, listed=sum(1 for a in answers.values() if a is not None))
    changed: list[Meeting] = []
    ended: list[Meeting] = []
    seen: list[tuple[Meeting, bbb.Meeting]] = []
    for meeting in meetings:
        item = answers[meeting.pk]
        if item is not None:
            result.ours += 1
            _apply_listed(meeting, item, now)
            changed.append(meeting)
            seen.append((meeting, item))
        elif meeting.created_at < protected_since:
            _apply_ended(meeting, now, EndReason.NOT_LISTED)
            changed.append(meeting)
            ended.append(meeting)
    result.ended = len(ended)
    _bulk_update(changed, SYNC_FIELDS)
    # Meetings without an answer this tick are not in ``seen``: their attendance stays as it was.
    poll_applied.send(sender=Server, listed=seen, ended=ended, now=now)
    totals = Meeting.objects.filter(server=server, ended_at__isnull=True).aggregate(
        meetings=Count("pk"), participants=Sum("participant_count")
    )
    result.participants = totals["participants"] or 0
    server.healthy = True
    server.consecutive_failures = 0
    server.last_poll_at = poll_started
    server.last_success_at = now
    server.last_error = (f"{len(failures)} meeting(s) unanswered, e.g. {failures[0]}" if failures else "")[:500]
    server.meeting_count = totals["meetings"]
    server.participant_count = result.participants
    server.foreign_meeting_count = 0  # Scalelite does not tell (getMeetings is not used)
    server.load = result.participants
    server.save(update_fields=SERVER_SYNC_FIELDS)
    recorded = [meeting.pk for meeting in ended if meeting.record]
    if recorded:
        transaction.on_commit(lambda: _queue_meeting_recordings(recorded))
    return result


def _apply_listed(meeting: Meeting, item: bbb.Meeting, now: datetime) -> None:
    _add_participant_seconds(meeting, now)
    meeting.participant_count = item.participant_count or 0
    meeting.moderator_count = item.moderator_count or 0
    meeting.listener_count = item.listener_count or 0
    meeting.voice_count = item.voice_participant_count or 0
    meeting.video_count = item.video_count or 0
    meeting.peak_participants = max(meeting.peak_participants, meeting.participant_count)
    if item.internal_meeting_id:
        meeting.internal_meeting_id = item.internal_meeting_id
    if item.create_time is not None:  # the session BBB runs now (join URLs must carry its createTime)
        meeting.create_time = item.create_time
    # BBB lists a created meeting nobody has entered yet with running=false: it is starting.
    if item.running:
        meeting.status = Meeting.Status.RUNNING
        if meeting.started_at is None:
            meeting.started_at = now
    else:
        meeting.status = Meeting.Status.STARTING
    meeting.last_synced_at = now


def _apply_ended(meeting: Meeting, now: datetime, reason: str) -> None:
    _add_participant_seconds(meeting, now)
    meeting.status = Meeting.Status.ENDED
    meeting.ended_at = now
    meeting.end_reason = reason
    meeting.participant_count = 0
    meeting.moderator_count = 0
    meeting.listener_count = 0
    meeting.voice_count = 0
    meeting.video_count = 0
    meeting.last_synced_at = now


def _add_participant_seconds(meeting: Meeting, now: datetime) -> None:
    """Integrate the participant count since the last sample (left Riemann sum)."""
    if meeting.last_synced_at is None or not meeting.participant_count:
        return
    elapsed = min(max((now - meeting.last_synced_at).total_seconds(), 0.0), MAX_SAMPLE_SECONDS)
    meeting.participant_seconds += int(meeting.participant_count * elapsed)


def _bulk_update(meetings: list[Meeting], field_names: list[str]) -> None:
    """``UPDATE … FROM (VALUES …)``: one statement for all rows, linear in their number.

    Django's ``bulk_update`` builds one ``CASE WHEN id=… THEN …`` per field, which the database
    evaluates for every row (quadratic: 250 meetings took 4 s on SQLite), and Django 5.2 splits it
    into batches of ~35 rows on SQLite (it assumes the old 999-variable limit), so the query count
    would grow with the number of meetings. PostgreSQL and SQLite >= 3.33 both support UPDATE FROM
    and name VALUES columns ``column1…N``; other databases fall back to ``bulk_update``.
    """
    if not meetings:
        return
    conn = connections[Meeting.objects.db]  # the real wrapper: the proxy costs per attribute access
    if conn.vendor not in ("postgresql", "sqlite"):
        Meeting.objects.bulk_update(meetings, field_names)
        return
    qn = conn.ops.quote_name
    pk = Meeting._meta.pk
    fields = [Meeting._meta.get_field(name) for name in field_names]
    columns = [pk, *fields]
    if conn.vendor == "postgresql":  # VALUES rows need types there; SQLite stores what it gets
        row = "(" + ", ".join(f"CAST(%s AS {field.db_type(conn)})" for field in columns) + ")"
    else:
        row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    table = qn(Meeting._meta.db_table)
    assignments = ", ".join(f"{qn(field.column)} = v.column{n}" for n, field in enumerate(fields, start=2))
    # Integers and strings go to the driver as they are; only datetimes need the backend's adaptation.
    converters = [
        (field.attname, field.get_db_prep_save if isinstance(field, DateTimeField) else None) for field in columns
    ]
    rows_per_query = max(1, _max_query_params(conn) // len(columns))
    with conn.cursor() as cursor:
        for start in range(0, len(meetings), rows_per_query):
            chunk = meetings[start : start + rows_per_query]
            params = [
                convert(getattr(obj, attname), conn) if convert else getattr(obj, attname)
                for obj in chunk
                for attname, convert in converters
            ]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(chunk))}) AS v "  # noqa: S608
                f"WHERE {table}.{qn(pk.column)} = v.column1",
                params,
            )


def _max_query_params(conn) -> int:  # noqa: ANN001
    """Bind variables one statement may carry (psycopg: 65535; SQLite: its compiled-in limit)."""
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        return conn.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65535


def _queue_meeting_recordings(meeting_pks: list[int]) -> None:
    for meeting_pk in meeting_pks:
        current_app.send_task(RECORDINGS_FETCH_FOR_MEETING, args=[meeting_pk])


# -- callbacks -----------------------------------------------------------------------------------


class CallbackRejected(Exception):
    """A callback that changes nothing; ``status`` is the 4xx the view answers."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def meeting_end_by_callback(
    *, meeting_pk: int, bbb_meeting_id: str | None = None, recording_marks: bool = True
) -> Meeting | None:
    """BBB's end callback: end the meeting now and queue its recording fetch.

    Idempotent: bbb-web calls the URL twice per attempt (a probe GET, then the real GET) and retries
    anything but 2xx after 30 s, 1, 2 and 5 minutes (CallbackUrlService.java), so every call with a
    valid token answers 2xx; only the first one changes state, a repeat (or a replay of an old URL)
    finds the meeting ended and changes nothing. Raises ``CallbackRejected`` for invalid calls.
    """
    now = timezone.now()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=meeting_pk).first()
        if meeting is None:
            # Our own valid token for a meeting deleted since: nothing to do, and bbb-web would
            # retry anything but 2xx four times for nothing.
            return None
        if bbb_meeting_id is not None and bbb_meeting_id != meeting.meeting_id:
            raise CallbackRejected(400, "meetingID does not match the token")
        if meeting.ended_at is not None:
            return meeting
        _apply_ended(meeting, now, EndReason.CALLBACK)
        meeting.save(update_fields=SYNC_FIELDS)
        poll_applied.send(sender=Meeting, listed=[], ended=[meeting], now=now)
        if meeting.record and recording_marks:
            transaction.on_commit(lambda: _queue_meeting_recordings([meeting.pk]))
    return meeting
