"""Sessions as deployed: read through Redis (cached_db), never written for a guest's page view or join."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from accounts import services as account_services
from meetings.models import Meeting
from rooms import services
from tests.factories import RoomFactory, UserFactory
from tests.processes import ROOT

CACHED_DB = "django.contrib.sessions.backends.cached_db"


def _session_engine(**env: str) -> str:
    full_env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "REDIS_URL"}}
    full_env.update(env, DJANGO_SETTINGS_MODULE="herzdigital.settings")
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def test_with_redis_sessions_are_read_through_the_cache_and_kept_in_the_database():
    assert _session_engine(REDIS_URL="redis://127.0.0.1:6379/15") == CACHED_DB
    assert _session_engine() == "django.contrib.sessions.backends.db"


def _session_queries(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if Session._meta.db_table in q["sql"]]


@override_settings(SESSION_ENGINE=CACHED_DB)
def test_a_logged_in_page_view_reads_the_session_without_a_database_query(client, personas):
    client.force_login(personas.member)
    client.get(reverse("clubs:dashboard", kwargs={"club_slug": personas.club.slug}))  # fills the cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("clubs:dashboard", kwargs={"club_slug": personas.club.slug}))
    assert response.status_code == 200
    assert _session_queries(captured) == []


@pytest.fixture
def running_room(personas, bbb_server, simulator):
    room = RoomFactory(club=personas.club, name="Elternabend")
    services.meeting_start(room=room, display_name="Vorstand")
    Meeting.objects.filter(room=room).update(status=Meeting.Status.RUNNING)
    return room


@pytest.mark.parametrize("engine", ["django.contrib.sessions.backends.db", CACHED_DB])
def test_a_guest_opening_the_room_page_and_joining_writes_no_session(client, running_room, engine):
    with override_settings(SESSION_ENGINE=engine), CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("rooms:public", kwargs={"friendly_id": running_room.friendly_id}))
        joined = client.post(reverse("rooms:join", kwargs={"friendly_id": running_room.friendly_id}), {"name": "Gabi"})
    assert page.status_code == 200 and joined.status_code == 302
    assert settings.SESSION_COOKIE_NAME not in page.cookies and settings.SESSION_COOKIE_NAME not in joined.cookies
    assert _session_queries(captured) == []
    assert not Session.objects.exists()


@override_settings(SESSION_ENGINE=CACHED_DB)
def test_deleting_an_account_removes_its_sessions_from_the_cache_too(db):
    user = UserFactory()
    store = import_module(CACHED_DB).SessionStore
    session = store()
    session["_auth_user_id"] = str(user.pk)
    session.create()
    assert store().exists(session.session_key)
    account_services.user_delete(user=user)
    assert not Session.objects.filter(session_key=session.session_key).exists()
    assert not store().exists(session.session_key)  # cached_db answers from Redis first
