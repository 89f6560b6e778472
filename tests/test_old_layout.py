"""`make run` on a `var/` created before the house split stops with a clear instruction.

The initial migrations of rooms, meetings and recordings were rewritten when servers, meetings and
recordings moved out of `rooms/`; a database of the old layout cannot be migrated, so `migrate` (the
first step of `make run`) refuses it and says to remove `var/`.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from herzdigital.checks import old_layout_database
from tests.processes import ROOT


def _old_layout_var(var: Path) -> None:
    """A var/ whose SQLite database holds the tables of the old rooms app."""
    db = sqlite3.connect(var / "db.sqlite3")
    db.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT, name TEXT, applied TEXT)")
    db.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('rooms', '0001_initial', '2026-11-28')")
    for table in ("rooms_room", "rooms_server", "rooms_meeting", "rooms_recording"):
        db.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)")
    db.commit()
    db.close()


def _migrate(var: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env["VAR_DIR"] = str(var)
    return subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_migrate_on_an_old_layout_var_stops_and_says_to_remove_var(tmp_path: Path):
    _old_layout_var(tmp_path)

    result = _migrate(tmp_path)

    assert result.returncode != 0
    assert "herzdigital.E001" in result.stderr
    assert f"rm -rf {tmp_path}" in result.stderr
    tables = {row[0] for row in sqlite3.connect(tmp_path / "db.sqlite3").execute("SELECT name FROM sqlite_master")}
    assert "meetings_server" not in tables  # refused before anything was migrated


def test_migrate_on_an_empty_var_creates_the_new_tables(tmp_path: Path):
    result = _migrate(tmp_path)

    assert result.returncode == 0, result.stderr
    tables = {row[0] for row in sqlite3.connect(tmp_path / "db.sqlite3").execute("SELECT name FROM sqlite_master")}
    assert {"rooms_room", "meetings_server", "meetings_meeting", "recordings_recording"} <= tables
    assert not tables & {"rooms_server", "rooms_meeting", "rooms_recording"}


@pytest.mark.django_db
def test_the_check_passes_on_a_current_database_and_fails_on_an_old_table():
    assert old_layout_database(databases=["default"]) == []
    assert old_layout_database(databases=None) == []  # plain `manage.py check` does not touch the database

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE rooms_server (id INTEGER PRIMARY KEY)")
    [error] = old_layout_database(databases=["default"])

    assert error.id == "herzdigital.E001"
    assert "rooms_server" in error.msg
