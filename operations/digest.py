"""The staff's daily digest: what needs a person today, in one mail (STAFF_NOTIFY_EMAILS).

Open applications, unhealthy servers, failed syncs since the last digest, recordings the cleanup
deletes within RECORDING_DELETION_NOTICE_DAYS, and clubs near a quota (rooms, recording storage).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from clubs.models import Club
from meetings.models import Server
from operations import counters
from operations.staff_mail import staff_mail_send
from recordings.cleanup import recordings_expired
from recordings.models import Recording
from recordings.quotas import storage_quota_bytes

# The failure counts the last digest reported, so that the next one shows only what happened since.
DIGEST_SEEN_SYNC_FAILURES = "digest_seen_sync_failures"


@dataclass
class ServerProblem:
    server: Server
    failed_syncs: int  # failed polls since the last digest


@dataclass
class ClubNearQuota:
    club: Club
    quota: str  # "rooms" or "storage"
    used: int
    limit: int

    @property
    def percent(self) -> int:
        return int(100 * self.used / self.limit) if self.limit else 0


@dataclass
class Digest:
    applications: list[Club] = field(default_factory=list)
    unhealthy_servers: list[Server] = field(default_factory=list)
    failed_syncs: list[ServerProblem] = field(default_factory=list)  # healthy servers with failed polls
    recordings_due: int = 0
    recordings_due_by_club: list[tuple[str, int]] = field(default_factory=list)
    clubs_near_quota: list[ClubNearQuota] = field(default_factory=list)

    @property
    def attention(self) -> int:
        """How many items need someone (the subject says it)."""
        return (
            len(self.applications)
            + len(self.unhealthy_servers)
            + len(self.failed_syncs)
            + (1 if self.recordings_due else 0)
            + len(self.clubs_near_quota)
        )


def staff_digest_build(*, now: datetime | None = None) -> Digest:
    """The digest's content; reads only (a constant number of queries)."""
    now = now or timezone.now()
    digest = Digest()
    digest.applications = list(Club.objects.filter(status=Club.Status.PENDING).order_by("created_at"))
    servers = list(Server.objects.filter(retired=False).order_by("name"))
    digest.unhealthy_servers = [s for s in servers if not s.healthy]
    failures = counters.counters_by_name()
    current, seen = failures.get(counters.SYNC_FAILURES, {}), failures.get(DIGEST_SEEN_SYNC_FAILURES, {})
    for server in servers:
        if not server.healthy:
            continue  # listed with its error among the unhealthy servers
        since = int(current.get(str(server.pk), 0) - seen.get(str(server.pk), 0))
        if since > 0 or server.consecutive_failures:
            digest.failed_syncs.append(ServerProblem(server=server, failed_syncs=max(since, 0)))
    horizon = now + timedelta(days=settings.RECORDING_DELETION_NOTICE_DAYS)
    due, info = recordings_expired(now=horizon)
    by_club = due.order_by().values("club_id").annotate(n=Count("pk"))
    digest.recordings_due_by_club = sorted((info[row["club_id"]][0], row["n"]) for row in by_club)
    digest.recordings_due = sum(n for _, n in digest.recordings_due_by_club)
    digest.clubs_near_quota = _clubs_near_quota()
    return digest


def _clubs_near_quota() -> list[ClubNearQuota]:
    percent = settings.QUOTA_WARNING_PERCENT
    clubs = Club.objects.filter(status=Club.Status.ACTIVE).annotate(
        room_count=Count("rooms", distinct=True),
    )
    storage = dict(
        Recording.objects.filter(deleted_at__isnull=True, club__status=Club.Status.ACTIVE)
        .exclude(state=Recording.State.GONE)
        .order_by()
        .values("club_id")
        .annotate(total=Sum("size_bytes"))
        .filter(~Q(total=0))
        .values_list("club_id", "total")
    )
    near = []
    for club in clubs.order_by("name"):
        if club.max_rooms and 100 * club.room_count >= percent * club.max_rooms:
            near.append(ClubNearQuota(club=club, quota="rooms", used=club.room_count, limit=club.max_rooms))
        quota = storage_quota_bytes(club)
        used = storage.get(club.pk, 0)
        if quota and 100 * used >= percent * quota:
            near.append(ClubNearQuota(club=club, quota="storage", used=used, limit=quota))
    return near


def staff_digest_send(*, now: datetime | None = None) -> int:
    """Build and mail the digest; remembers the failure counts it reported. Returns the mails sent."""
    digest = staff_digest_build(now=now)
    sent = staff_mail_send(template="digest", context={"digest": digest, "site_url": settings.SITE_URL})
    if sent:
        values = counters.counters_by_name()
        seen = values.get(DIGEST_SEEN_SYNC_FAILURES, {})
        for label, value in values.get(counters.SYNC_FAILURES, {}).items():
            counters.counter_add(name=DIGEST_SEEN_SYNC_FAILURES, label=label, amount=value - seen.get(label, 0))
    return sent
