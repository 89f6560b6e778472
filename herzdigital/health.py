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
BEAT_LEADER_KEY = "health:beat:leader"
BEAT_STANDBY_KEY = "health:beat:standby"


def heartbeat_record(*, role: str, at: datetime) -> None:
    key = HEARTBEAT_BEAT_KEY if role == "beat" else HEARTBEAT_WORKER_KEY
    cache.set(key, at.isoformat(), settings.HEARTBEAT_MAX_AGE * 10)


def beat_role_record(*, identity: str, leader: bool, at: datetime) -> None:
    """A beat says whether it schedules (leader) or idles (standby); shown by /healthz."""
    timeout = settings.HEARTBEAT_MAX_AGE * 10
    if leader:
        cache.set(BEAT_LEADER_KEY, {"id": identity, "at": at.isoformat()}, timeout)
        standby = cache.get(BEAT_STANDBY_KEY) or {}
        if identity in standby:  # it was standby before it took over
            standby.pop(identity)
            cache.set(BEAT_STANDBY_KEY, standby, timeout)
        return
    standby = cache.get(BEAT_STANDBY_KEY) or {}
    standby[identity] = at.isoformat()
    cache.set(BEAT_STANDBY_KEY, standby, timeout)


def beat_role_forget(*, identity: str) -> None:
    """A beat that stops cleanly leaves the standby list at once instead of lingering for HEARTBEAT_MAX_AGE."""
    standby = cache.get(BEAT_STANDBY_KEY) or {}
    if standby.pop(identity, None) is not None:
        cache.set(BEAT_STANDBY_KEY, standby, settings.HEARTBEAT_MAX_AGE * 10)


def _beats(now: datetime) -> dict:
    """The scheduling beat and the idle ones seen within HEARTBEAT_MAX_AGE (opaque ids, no host names)."""
    max_age = settings.HEARTBEAT_MAX_AGE
    leader = cache.get(BEAT_LEADER_KEY) or {}
    leader_age = _age_seconds(leader.get("at"), now)
    standby = [
        {"id": identity, "age_seconds": age, "state": "standby: another beat schedules"}
        for identity, at in sorted((cache.get(BEAT_STANDBY_KEY) or {}).items())
        if (age := _age_seconds(at, now)) is not None and age <= max_age and identity != leader.get("id")
    ]
    fresh_leader = leader_age is not None and leader_age <= max_age
    return {"leader": leader.get("id") if fresh_leader else None, "standby": standby}


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
        "beats": _beats(now) if checks["cache"] else {"leader": None, "standby": []},
    }
    return all(checks.values()), report
