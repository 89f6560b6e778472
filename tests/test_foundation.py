from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from herzdigital import health
from tests.processes import ROOT


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"}
    }
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


PRODUCTION_ENV = {
    "HERZDIGITAL_ENV": "production",
    "SECRET_KEY": "x7Jq0-a-long-random-production-secret-key-for-the-test-3f9c2b1d8e7a6",
    "ALLOWED_HOSTS": "herzdigital.example.org",
    "SITE_URL": "https://herzdigital.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
}


def test_check_deploy_with_production_settings_reports_nothing():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("", {"prepare_threshold": 5}), ("false", {})],
    ids=["default", "pgbouncer"],
)
def test_postgresql_uses_prepared_statements_unless_switched_off(setting, expected):
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://herzdigital@127.0.0.1:5432/herzdigital"}
    if setting:
        env["DB_PREPARED_STATEMENTS"] = setting
    code = "from django.conf import settings; print(repr(settings.DATABASES['default'].get('OPTIONS', {})))"
    result = _manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == repr(expected)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_required_settings(missing):
    # Empty rather than absent: CI's own environment sets REDIS_URL, which _manage passes on.
    env = {**PRODUCTION_ENV, missing: ""}
    result = _manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_production_workers_refuse_to_start_without_site_url(tmp_path):
    """Mails sent by a worker would otherwise link to a guessed, wrong address (issue 16, item 1)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SITE_URL"}}
    env.update({k: v for k, v in PRODUCTION_ENV.items() if k != "SITE_URL"}, VAR_DIR=str(tmp_path))
    for command in (["worker", "--pool", "solo"], ["beat"]):
        result = subprocess.run(
            [sys.executable, "-m", "celery", "-A", "herzdigital", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode != 0
        assert "SITE_URL must be set in production" in result.stderr


def test_a_503_of_the_health_url_is_logged_as_warning_not_error(client, db, caplog):
    cache.delete(health.HEARTBEAT_BEAT_KEY)
    with caplog.at_level("INFO"):
        assert client.get("/healthz").status_code == 503
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.levelname == "WARNING" for r in records), [(r.levelname, r.msg) for r in records]


def test_other_server_errors_are_still_logged_as_errors():
    import logging

    from herzdigital.logging import HealthProbeFilter

    request = type("R", (), {"path": "/c/verein/"})()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Service Unavailable: %s", ("/",), None)
    record.status_code, record.request = 503, request
    HealthProbeFilter().filter(record)
    assert record.levelname == "ERROR"
    server = logging.LogRecord(
        "django.server", logging.ERROR, __file__, 1, '"%s" %s %s', ("GET /healthz HTTP/1.1", "503", "9"), None
    )
    server.status_code = 503
    HealthProbeFilter().filter(server)
    assert server.levelname == "WARNING"


def test_env_example_documents_every_variable_the_settings_read():
    settings_source = (ROOT / "herzdigital" / "settings.py").read_text()
    import re

    used = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_source))
    documented = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert used - documented == set()


def test_healthz_is_503_without_heartbeat(client, db):
    cache.delete(health.HEARTBEAT_BEAT_KEY)
    cache.delete(health.HEARTBEAT_WORKER_KEY)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] is True
    assert body["checks"]["beat"] is False


def test_healthz_is_200_with_fresh_heartbeats_and_names_no_secret(client, settings, db):
    health.heartbeat_record(role="beat", at=timezone.now())
    health.heartbeat_record(role="worker", at=timezone.now())
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    text = response.content.decode()
    assert settings.SECRET_KEY not in text
    assert "postgres" not in text and "redis://" not in text
    assert json.loads(text)["status"] == "ok"


def test_stale_heartbeat_makes_healthz_fail(client, settings, db):
    old = timezone.now() - timezone.timedelta(seconds=settings.HEARTBEAT_MAX_AGE + 5)
    health.heartbeat_record(role="beat", at=old)
    health.heartbeat_record(role="worker", at=timezone.now())
    assert client.get("/healthz").status_code == 503


def test_home_page_renders_in_german(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="de"' in response.content.decode()


def test_beat_schedule_contains_the_heartbeat():
    from herzdigital.celery import app, build_beat_schedule

    app.loader.import_default_modules()
    assert "heartbeat" in build_beat_schedule()


def test_static_htmx_is_vendored():
    assert (ROOT / "static" / "vendor" / "htmx.min.js").stat().st_size > 10_000
    assert not list(Path(ROOT / "templates").rglob("*.html")) or all(
        "cdn" not in p.read_text().lower() and "https://" not in p.read_text()
        for p in (ROOT / "templates").rglob("*.html")
    )
