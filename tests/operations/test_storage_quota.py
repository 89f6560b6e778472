"""Recording storage quota per club: the sizes BBB reported, a bar, a warning at 80 %, record=false when full."""

from __future__ import annotations

import pytest
from django.urls import reverse

from meetings.models import Meeting
from recordings import quotas as storage_quotas
from rooms import services
from tests.factories import RecordingFactory, RoomFactory

MB = 1024 * 1024


@pytest.fixture
def recording_room(personas):
    personas.club.recording_storage_quota_mb = 100
    personas.club.save()
    return RoomFactory(club=personas.club, name="Kurs", record=True, welcome_text="Hallo!")


def fill(club, room, size_bytes: int, server=None) -> None:
    extra = {"server": server} if server else {}
    RecordingFactory(club=club, room=room, size_bytes=size_bytes, **extra)


def test_usage_counts_only_recordings_that_still_exist(personas, recording_room):
    fill(personas.club, recording_room, 10 * MB)
    RecordingFactory(
        club=personas.club, room=recording_room, size_bytes=50 * MB, state="deleted", deleted_at="2026-01-01T00:00Z"
    )
    RecordingFactory(club=personas.club, room=recording_room, size_bytes=50 * MB, state="gone")
    RecordingFactory(club=personas.other_club, size_bytes=70 * MB)
    usage = storage_quotas.storage_usage(club=personas.club)
    assert usage.used_bytes == 10 * MB
    assert usage.quota_bytes == 100 * MB
    assert usage.percent == 10
    assert not usage.warning and not usage.full


@pytest.mark.parametrize(
    ("used", "warning", "full"),
    [
        (80 * MB - 1, False, False),
        (80 * MB, True, False),
        (100 * MB - 1, True, False),
        (100 * MB, False, True),  # exactly full: no room for another recording
        (100 * MB + 1, False, True),  # one over (BBB reported a size after the last start)
    ],
)
def test_warning_from_80_percent_and_full_from_exactly_the_quota(personas, recording_room, used, warning, full):
    fill(personas.club, recording_room, used)
    usage = storage_quotas.storage_usage(club=personas.club)
    assert (usage.warning, usage.full) == (warning, full)


def test_the_service_default_applies_without_a_club_quota_and_zero_means_unlimited(personas, settings):
    settings.RECORDING_STORAGE_DEFAULT_QUOTA_MB = 5
    assert storage_quotas.storage_quota_bytes(personas.club) == 5 * MB
    settings.RECORDING_STORAGE_DEFAULT_QUOTA_MB = 0
    assert storage_quotas.storage_quota_bytes(personas.club) is None
    personas.club.recording_storage_quota_mb = 0
    assert storage_quotas.storage_quota_bytes(personas.club) is None
    fill(personas.club, RoomFactory(club=personas.club), 10**12)
    assert not storage_quotas.storage_usage(club=personas.club).full


def test_one_byte_below_the_quota_still_records(personas, recording_room, bbb_server, simulator):
    fill(personas.club, recording_room, 100 * MB - 1, bbb_server)
    services.meeting_start(room=recording_room, actor=personas.admin, display_name="Ada")
    params = simulator.meetings[recording_room.meeting_id].params
    assert params["record"] == "true"
    assert params["welcome"] == "Hallo!"
    assert Meeting.objects.get(room=recording_room).record is True


@pytest.mark.parametrize("used", [100 * MB, 100 * MB + 1], ids=["exactly-full", "one-over"])
def test_a_full_quota_starts_the_meeting_with_record_false_and_says_why(
    personas, recording_room, bbb_server, simulator, used
):
    fill(personas.club, recording_room, used, bbb_server)
    services.meeting_start(room=recording_room, actor=personas.admin, display_name="Ada")
    params = simulator.meetings[recording_room.meeting_id].params
    assert params["record"] == "false"
    assert params["allowStartStopRecording"] == "false"
    # The reason greets everybody in the meeting, before the room's own welcome text.
    assert params["welcome"].startswith("Der Speicherplatz Ihres Vereins für Aufzeichnungen ist voll.")
    assert params["welcome"].endswith("Hallo!")
    assert Meeting.objects.get(room=recording_room).record is False


def test_a_second_create_for_the_running_meeting_keeps_record_false(personas, recording_room, bbb_server, simulator):
    fill(personas.club, recording_room, 100 * MB, bbb_server)
    services.meeting_start(room=recording_room, actor=personas.admin, display_name="Ada")
    simulator.reset()
    services.meeting_start(room=recording_room, actor=personas.admin, display_name="Bea")
    params = simulator.meetings[recording_room.meeting_id].params
    assert params["record"] == "false"
    assert "Speicherplatz" in params["welcome"]


def test_room_page_shows_the_reason_and_recordings_page_the_bar(client, personas, recording_room):
    fill(personas.club, recording_room, 100 * MB)
    client.force_login(personas.member)
    detail = client.get(reverse("rooms:detail", kwargs={"club_slug": personas.club.slug, "room_id": recording_room.pk}))
    assert "Diese Besprechung wird nicht aufgezeichnet" in detail.content.decode()
    page = client.get(reverse("recordings:list", kwargs={"club_slug": personas.club.slug})).content.decode()
    assert '<meter class="storage-meter storage-full"' in page
    assert "Der Speicherplatz ist voll" in page


def test_recordings_page_warns_at_80_percent(client, personas, recording_room):
    fill(personas.club, recording_room, 85 * MB)
    client.force_login(personas.member)
    page = client.get(reverse("recordings:list", kwargs={"club_slug": personas.club.slug})).content.decode()
    assert '<meter class="storage-meter storage-warn"' in page
    assert "85 %" in page
    assert "fast voll" in page
