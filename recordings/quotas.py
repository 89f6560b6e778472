"""The club's storage quota for recordings: how much its recordings take, and when it is full."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _

from clubs.models import Club
from recordings.models import Recording

MB = 1024 * 1024


@dataclass(frozen=True)
class StorageUsage:
    """A club's recording storage: the sizes BBB reported for its recordings that still exist."""

    used_bytes: int
    quota_bytes: int | None  # None: unlimited

    @property
    def percent(self) -> int | None:
        if not self.quota_bytes:
            return None
        return min(100, int(100 * self.used_bytes / self.quota_bytes))

    @property
    def warning_bytes(self) -> int | None:
        """Where the warning starts (for the bar's ``low`` mark)."""
        return self.quota_bytes * settings.QUOTA_WARNING_PERCENT // 100 if self.quota_bytes else None

    @property
    def full(self) -> bool:
        """No room for another recording: the quota is used up (exactly full counts as full)."""
        return self.quota_bytes is not None and self.used_bytes >= self.quota_bytes

    @property
    def warning(self) -> bool:
        """Near the quota (QUOTA_WARNING_PERCENT, 80 % by default), not yet full."""
        if self.quota_bytes is None or self.full:
            return False
        return 100 * self.used_bytes >= settings.QUOTA_WARNING_PERCENT * self.quota_bytes


def storage_quota_bytes(club: Club) -> int | None:
    """The club's own quota, else the service default; 0 means unlimited (None)."""
    megabytes = club.recording_storage_quota_mb
    if megabytes is None:
        megabytes = settings.RECORDING_STORAGE_DEFAULT_QUOTA_MB
    return megabytes * MB if megabytes else None


def storage_usage(*, club: Club) -> StorageUsage:
    """One aggregate query. Deleted recordings and those gone from BBB take no space any more."""
    used = (
        Recording.objects.filter(club=club, deleted_at__isnull=True)
        .exclude(state=Recording.State.GONE)
        .aggregate(total=Sum("size_bytes"))["total"]
    )
    return StorageUsage(used_bytes=used or 0, quota_bytes=storage_quota_bytes(club))


def storage_full_message() -> str:
    return _(
        "Der Speicherplatz Ihres Vereins für Aufzeichnungen ist voll. Diese Besprechung wird nicht aufgezeichnet. "
        "Löschen Sie alte Aufzeichnungen oder wenden Sie sich an uns."
    )
