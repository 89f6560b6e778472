"""Faults of a BBB server during the sync: answers that are SUCCESS but no list, suspicious drops,
slow servers (issue 21, items 3 and 6). Against the real simulator, with faults injected into it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from bbb.simulator import Simulator, render, serve_in_thread
from bbb.simulator.base import _xml
from meetings import sync
from meetings.bbb_clients import client_for, clients_reset
from meetings.models import Meeting
from tests.sync_fixtures import SIM_SECRET, SimServer, bbb_sim  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


class FaultySimulator(Simulator):
    """The real simulator; ``bare_success`` makes getMeetings answer SUCCESS without a list, ``hidden``
    meetings are left out of getMeetings (getMeetingInfo still knows them)."""

    bare_success = False
    hidden: set[str]

    def _api_getMeetings(self, p, body):  # noqa: N802 (BBB call name)
        if self.bare_success:
            return _xml(render.success())
        return _xml(render.meetings_answer([m for m in self.meetings.values() if m.meeting_id not in self.hidden]))


@pytest.fixture
def faulty(db) -> Iterator[SimServer]:
    simulator = FaultySimulator(secret=SIM_SECRET, recording_delay=0, callbacks_enabled=False)
    simulator.hidden = set()
    http, url = serve_in_thread(simulator)
    clients_reset()
    sim = SimServer(simulator, url)
    sim.server_row()
    yield sim
    http.shutdown()
    http.server_close()
    clients_reset()


def _aged(meeting: Meeting, seconds: int) -> Meeting:
    Meeting.objects.filter(pk=meeting.pk).update(created_at=timezone.now() - timedelta(seconds=seconds))
    meeting.refresh_from_db()
    return meeting


def _running(sim: SimServer, *, age: int) -> Meeting:
    meeting = _aged(sim.open_meeting(status=Meeting.Status.RUNNING), age)
    sim.run(meeting.meeting_id, attendees=2)
    return meeting


def _open(meeting: Meeting) -> bool:
    meeting.refresh_from_db()
    return meeting.ended_at is None


def test_a_success_answer_without_a_meetings_list_ends_no_meeting(faulty):
    meetings = [_running(faulty, age=3600) for _ in range(2)]
    faulty.sim.bare_success = True

    result = sync.server_sync(server=faulty.server)

    assert not result.ok and "without a meetings list" in result.error
    assert all(_open(m) for m in meetings)
    faulty.server.refresh_from_db()
    assert faulty.server.consecutive_failures == 1


def test_a_real_no_meetings_answer_still_ends_the_missing_meeting(faulty):
    meeting = _aged(faulty.open_meeting(status=Meeting.Status.RUNNING), 3600)  # not on BBB: noMeetings

    result = sync.server_sync(server=faulty.server)

    assert result.ok and result.ended == 1
    assert not _open(meeting)


def test_all_meetings_vanishing_at_once_are_kept_while_getmeetinginfo_still_finds_them(faulty):
    meetings = [_running(faulty, age=3600) for _ in range(3)]
    faulty.sim.hidden = {m.meeting_id for m in meetings}

    result = sync.server_sync(server=faulty.server)

    assert result.ok and result.ended == 0
    assert all(_open(m) for m in meetings)
    assert faulty.sim.calls["getMeetingInfo"] == 3


def test_all_meetings_gone_at_once_end_once_getmeetinginfo_confirms(faulty):
    meetings = [_aged(faulty.open_meeting(status=Meeting.Status.RUNNING), 3600) for _ in range(2)]

    result = sync.server_sync(server=faulty.server)

    assert result.ended == 2
    assert not any(_open(m) for m in meetings)
    assert faulty.sim.calls["getMeetingInfo"] == 2


def test_one_confirmation_that_a_meeting_still_runs_keeps_every_unconfirmed_one(faulty, settings):
    settings.SYNC_CONFIRM_MAX = 1
    meetings = [_running(faulty, age=3600) for _ in range(3)]
    faulty.sim.hidden = {m.meeting_id for m in meetings}

    result = sync.server_sync(server=faulty.server)

    assert result.ended == 0 and all(_open(m) for m in meetings)
    assert faulty.sim.calls["getMeetingInfo"] == 1


def test_a_young_meeting_that_vanishes_is_confirmed_the_old_one_beside_it_is_not(faulty):
    young = _running(faulty, age=120)  # past the grace period, but young
    old = _aged(faulty.open_meeting(status=Meeting.Status.RUNNING), 3600)  # really gone
    still = _running(faulty, age=3600)
    faulty.sim.hidden = {young.meeting_id}

    result = sync.server_sync(server=faulty.server)

    assert result.ended == 1
    assert _open(young) and not _open(old) and _open(still)
    assert faulty.sim.calls["getMeetingInfo"] == 1


def test_an_old_meeting_missing_among_listed_ones_ends_without_extra_calls(faulty):
    gone = _aged(faulty.open_meeting(status=Meeting.Status.RUNNING), 3600)
    still = _running(faulty, age=3600)

    result = sync.server_sync(server=faulty.server)

    assert result.ended == 1 and not _open(gone) and _open(still)
    assert faulty.sim.calls["getMeetingInfo"] == 0


def test_a_slow_server_fails_its_poll_within_the_short_sync_timeout(faulty, bbb_sim, settings):  # noqa: F811
    settings.BBB_READ_TIMEOUT = 10.0
    settings.SYNC_READ_TIMEOUT = 0.5
    clients_reset()
    slow = _running(faulty, age=3600)
    faulty.sim.configure(latency=3.0)  # answers, but too late for a sync
    fast_server = bbb_sim.server_row()
    fast = bbb_sim.open_meeting()
    bbb_sim.run(fast.meeting_id, attendees=4)

    started = time.monotonic()
    results = [sync.server_sync_locked(server_id=pk) for pk in (faulty.server.pk, fast_server.pk)]
    elapsed = time.monotonic() - started

    assert elapsed < 2.0, elapsed  # the slow poll gave up after 0.5 s, without retrying
    assert not results[0].ok and results[1].ok
    assert _open(slow)
    fast.refresh_from_db()
    assert fast.status == Meeting.Status.RUNNING and fast.participant_count == 4
    assert faulty.sim.calls["getMeetings"] == 1


def test_user_actions_keep_the_longer_bbb_timeouts(faulty, settings):
    from meetings.bbb_clients import sync_client_for

    settings.BBB_CONNECT_TIMEOUT, settings.BBB_READ_TIMEOUT = 3.0, 10.0
    settings.SYNC_CONNECT_TIMEOUT, settings.SYNC_READ_TIMEOUT = 1.0, 2.0
    clients_reset()
    assert client_for(faulty.server).timeout == (3.0, 10.0)
    assert sync_client_for(faulty.server).timeout == (1.0, 2.0)
    assert sync_client_for(faulty.server).retries == 0
