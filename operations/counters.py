"""Counters for /metrics that survive restarts and are shared by every machine (rows of MetricCounter)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from operations.models import MetricCounter

SYNC_RUNS = "sync_runs"
SYNC_FAILURES = "sync_failures"
SYNC_SECONDS = "sync_seconds"
CLEANUP_DELETED = "cleanup_deleted"
CLEANUP_FAILED = "cleanup_failed"


def counter_add(*, name: str, label: str = "", amount: float = 1) -> None:
    """Add ``amount`` to a counter: one UPDATE, an INSERT the first time (a racing INSERT retries)."""
    if amount == 0:
        return
    if MetricCounter.objects.filter(name=name, label=label).update(value=F("value") + amount):
        return
    try:
        with transaction.atomic():
            MetricCounter.objects.create(name=name, label=label, value=amount)
    except IntegrityError:
        MetricCounter.objects.filter(name=name, label=label).update(value=F("value") + amount)


def sync_observe(*, server_id: int, seconds: float, ok: bool, skipped: bool = False) -> None:
    """Book one sync of a server; a sync skipped because another held the lock is not a run."""
    if skipped:
        return
    label = str(server_id)
    counter_add(name=SYNC_RUNS, label=label)
    counter_add(name=SYNC_SECONDS, label=label, amount=seconds)
    if not ok:
        counter_add(name=SYNC_FAILURES, label=label)


def counters_by_name() -> dict[str, dict[str, float]]:
    """Every counter as ``{name: {label: value}}`` (one query)."""
    result: dict[str, dict[str, float]] = {}
    for name, label, value in MetricCounter.objects.values_list("name", "label", "value"):
        result.setdefault(name, {})[label] = value
    return result
