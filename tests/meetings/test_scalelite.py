"""Servers of kind Scalelite: never end meetings from getMeetings; partial answers end nothing (issue 14 bug 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from meetings import sync
from meetings.admin import ServerForm
from meetings.bbb_clients import clients_reset
from meetings.models import Meeting, Server

pytest_plugins = ["tests.sync_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def scalelite(bbb_sim, settings):
    settings.SYNC_GRACE_SECONDS = 0
    bbb_sim.sim.configure(profile="scalelite", backends=("bbb-1", "bbb-2"))
    bbb_sim.server_row(kind=Server.Kind.SCALELITE)
    return bbb_sim


def running_meeting(sim_server, attendees: int = 2) -> Meeting:
    meeting = sim_server.open_meeting(status=Meeting.Status.RUNNING)
    Meeting.objects.filter(pk=meeting.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    sim_server.run(meeting.meeting_id, attendees=attendees)
    return Meeting.objects.get(pk=meeting.pk)


def sync_once(sim_server) -> sync.SyncResult:
    return sync.server_sync(server=Server.objects.get(pk=sim_server.server.pk), client=sim_server.client())


def test_get_meetings_disabled_ends_nothing_and_is_not_asked(scalelite):
    meeting = running_meeting(scalelite, attendees=3)
    scalelite.sim.configure(get_meetings_disabled=True)  # Scalelite would answer "noMeetings"

    result = sync_once(scalelite)

    meeting.refresh_from_db()
    assert result.ok and result.ended == 0
    assert meeting.ended_at is None and meeting.participant_count == 3 and meeting.status == Meeting.Status.RUNNING
    assert scalelite.sim.calls["getMeetings"] == 0 and scalelite.sim.calls["getMeetingInfo"] == 1


def test_one_backend_down_ends_nothing_and_keeps_the_server_healthy(scalelite):
    first, second = running_meeting(scalelite, 2), running_meeting(scalelite, 4)
    sync_once(scalelite)
    backends = {m["meetingID"]: m["backend"] for m in scalelite.sim.state()["meetings"]}
    assert backends[first.meeting_id] != backends[second.meeting_id]
    scalelite.sim.configure(down_backends=(backends[first.meeting_id],))
    scalelite.sim.add_attendees(second.meeting_id, 1)

    result = sync_once(scalelite)

    first.refresh_from_db()
    second.refresh_from_db()
    server = Server.objects.get(pk=scalelite.server.pk)
    assert result.ok and result.ended == 0
    assert first.ended_at is None and first.participant_count == 2  # unanswered: left as it was
    assert second.ended_at is None and second.participant_count == 5
    assert server.healthy and server.consecutive_failures == 0
    assert "unanswered" in server.last_error and "internalError" in server.last_error


def test_every_backend_down_is_a_failed_poll_that_ends_nothing(scalelite):
    meeting = running_meeting(scalelite)
    scalelite.sim.configure(down_backends=("bbb-1", "bbb-2"))
    result = sync_once(scalelite)
    meeting.refresh_from_db()
    assert not result.ok and meeting.ended_at is None
    assert Server.objects.get(pk=scalelite.server.pk).consecutive_failures == 1


def test_a_meeting_scalelite_no_longer_knows_ends(scalelite, sent_tasks, django_capture_on_commit_callbacks):
    meeting = running_meeting(scalelite)
    scalelite.client().end(meeting.meeting_id)
    scalelite.sim.advance(1)
    with django_capture_on_commit_callbacks(execute=True):
        result = sync_once(scalelite)
    meeting.refresh_from_db()
    assert result.ended == 1 and meeting.end_reason == sync.EndReason.NOT_LISTED


def test_polling_is_bounded_per_tick_and_rotates(scalelite, settings):
    settings.SCALELITE_MEETINGS_PER_TICK = 2
    meetings = [running_meeting(scalelite, 1) for _ in range(3)]
    sync_once(scalelite)
    assert scalelite.sim.calls["getMeetingInfo"] == 2
    sync_once(scalelite)
    assert scalelite.sim.calls["getMeetingInfo"] == 4
    assert all(Meeting.objects.get(pk=m.pk).last_synced_at is not None for m in meetings)


def test_no_open_meetings_still_checks_the_server_with_a_signed_call(scalelite):
    result = sync_once(scalelite)
    assert result.ok and scalelite.sim.calls["isMeetingRunning"] == 1
    Server.objects.filter(pk=scalelite.server.pk).update(secret="a-wrong-secret-for-this-scalelite")
    clients_reset()
    assert not sync.server_sync(server=Server.objects.get(pk=scalelite.server.pk)).ok


def test_server_form_offers_scalelite_no_sha384():
    data = {
        "name": "lb",
        "kind": "scalelite",
        "api_url": "https://lb.example.org/bigbluebutton/api/",
        "secret": "s" * 40,
        "checksum_algorithm": "sha384",
        "enabled": "on",
        "capacity": 300,
    }
    form = ServerForm(data=data)
    assert "sha384" not in dict(form.fields["checksum_algorithm"].choices)
    assert not form.is_valid() and "checksum_algorithm" in form.errors
    assert ServerForm(data={**data, "checksum_algorithm": "sha512"}).is_valid()
    assert "sha384" in dict(ServerForm(data={**data, "kind": "bbb"}).fields["checksum_algorithm"].choices)
    with pytest.raises(ValidationError):
        Server(name="x", kind=Server.Kind.SCALELITE, checksum_algorithm="sha384").clean()


def test_setup_servers_registers_a_scalelite_from_the_environment(settings):
    from django.core.management import call_command

    settings.BBB_URL, settings.BBB_SECRET, settings.BBB_KIND = (
        "https://lb.example.org/bigbluebutton/api/",
        "s" * 40,
        "scalelite",
    )
    settings.BBB_CHECKSUM_ALGORITHM = "sha512"
    call_command("setup_servers")
    assert Server.objects.get(name="BBB").kind == Server.Kind.SCALELITE
    settings.BBB_CHECKSUM_ALGORITHM = "sha384"
    with pytest.raises(ValidationError):
        call_command("setup_servers")
