"""The maintenance banner: notices staff write in the admin, shown on every page while they are due."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from operations.models import MaintenanceNotice

CACHE_KEY = "operations:maintenance-notices"
# The notices that have not ended yet are cached (every page shows them); saving one clears the cache.
CACHE_SECONDS = 300


def notices_current(*, now: datetime | None = None) -> list[MaintenanceNotice]:
    """The notices to show now: at most one query per CACHE_SECONDS, none while nothing is planned."""
    now = now or timezone.now()
    upcoming = cache.get(CACHE_KEY)
    if upcoming is None:
        upcoming = list(MaintenanceNotice.objects.filter(shows_until__gt=now).order_by("shows_from"))
        cache.set(CACHE_KEY, upcoming, CACHE_SECONDS)
    return [notice for notice in upcoming if notice.shows_from <= now < notice.shows_until]


def notices_changed() -> None:
    cache.delete(CACHE_KEY)
