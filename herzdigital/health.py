"""Liveness figures for /healthz: database, cache/broker, and beat/worker heartbeat freshness."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

HEARTBEAT_BEAT_KEY = "health:heartbeat:beat"
HEARTBEAT_WORKER_KEY = "health:heartbeat:worker"


def heartbeat_record(*, role: str, at: datetime) -> None:
    key = HEARTBEAT_BEAT_KEY if role == "beat" else HEARTBEAT_WORKER_KEY
    cache.set(key, at.isoformat(), settings.HEARTBEAT_MAX_AGE * 10)


def _age_seconds(value: str | None, now: datetime) -> float | None:
    moment = parse_datetime(value) if value else None
    return round((now - moment).total_seconds(), 1) if moment else None


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _check_cache() -> bool:
    try:
        cache.set("health:probe", "ok", 30)
        return cache.get("health:probe") == "ok"
    except Exception:
        return False


def _check_broker() -> bool:
    from herzdigital.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def health_report() -> tuple[bool, dict]:
    """Return (healthy, report). The report names no host, password or other secret."""
    now = timezone.now()
    beat_age = _age_seconds(cache.get(HEARTBEAT_BEAT_KEY), now) if _check_cache() else None
    worker_age = _age_seconds(cache.get(HEARTBEAT_WORKER_KEY), now) if _check_cache() else None
    max_age = settings.HEARTBEAT_MAX_AGE
    checks = {
        "database": _check_database(),
        "cache": _check_cache(),
        "broker": _check_broker(),
        "beat": beat_age is not None and beat_age <= max_age,
        "worker": worker_age is not None and worker_age <= max_age,
    }
    report = {
        "status": "ok" if all(checks.values()) else "fail",
        "checks": checks,
        "beat_age_seconds": beat_age,
        "worker_age_seconds": worker_age,
        "max_age_seconds": max_age,
    }
    return all(checks.values()), report
