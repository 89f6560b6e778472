"""Real processes for integration tests: a Celery worker, the BBB simulator, and a browser joining through it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def require_broker() -> None:
    """A worker needs the broker: with Redis configured, Redis must answer (skipped locally, failed on CI)."""
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return  # the file-system broker needs no server
    import redis

    from tests.conftest import require_service

    try:
        redis.Redis.from_url(settings.REDIS_URL).ping()
        ok = True
    except redis.RedisError:
        ok = False
    require_service(ok, "Redis")


def test_database_url() -> str:
    """The URL of the database the test run uses right now (the test database, not the real one)."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "herzdigital.settings",
            "DATABASE_URL": test_database_url(),
            "VAR_DIR": str(settings.VAR_DIR),
            "SITE_URL": settings.SITE_URL,
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


@contextmanager
def celery_worker(queues: str = "default,maintenance", **extra_env: str) -> Iterator[subprocess.Popen]:
    """A real `celery worker` process on the configured broker (file system or Redis)."""
    log = open(Path(settings.VAR_DIR) / "worker.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "herzdigital",
            "worker",
            "-Q",
            queues,
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=process_env(**extra_env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def connect(join_url: str) -> tuple[requests.Session, str, str]:
    """A browser follows a join URL into the simulator's HTML5 client, which connects; returns session, base, token."""
    browser = requests.Session()
    loading = browser.get(join_url, timeout=10)
    assert "/html5client/join" in loading.url, loading.url
    token = parse_qs(urlsplit(loading.url).query)["sessionToken"][0]
    base = f"{urlsplit(loading.url).scheme}://{urlsplit(loading.url).netloc}"
    page = browser.post(f"{base}/html5client/connect", data={"sessionToken": token}, timeout=10)
    assert "/html5client/meeting" in page.url
    return browser, base, token
