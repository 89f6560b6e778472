"""deploy/: the production examples show the multi-machine shape (web x2, worker x2, one beat, PostgreSQL, Redis)."""

from __future__ import annotations

import yaml

from tests.processes import ROOT

COMPOSE = ROOT / "deploy" / "docker-compose.yml"


def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_compose_runs_two_webs_two_workers_one_beat_postgres_and_redis():
    found = services()
    commands = {name: service.get("command", "") for name, service in found.items()}
    assert sorted(n for n, c in commands.items() if c.startswith("gunicorn")) == ["web-1", "web-2"]
    assert sorted(n for n, c in commands.items() if " worker " in c) == ["worker-1", "worker-2"]
    assert [n for n, c in commands.items() if " beat " in c] == ["beat"]
    assert found["postgres"]["image"].startswith("postgres:")
    assert found["redis"]["image"].startswith("redis:")


def test_every_app_process_runs_in_production_on_the_shared_postgres_and_redis():
    for name, service in services().items():
        if name in {"postgres", "redis"}:
            continue
        env = service["environment"]
        assert env["HERZDIGITAL_ENV"] == "production", name
        assert env["REDIS_URL"] == "redis://redis:6379/0", name
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"], name
        assert service["env_file"] == "herzdigital.env", name


def test_workers_consume_both_queues():
    for name in ("worker-1", "worker-2"):
        assert "-Q default,maintenance" in services()[name]["command"]
