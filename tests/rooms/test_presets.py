"""Room presets by purpose: what they set, what stays the person's choice, and what BBB receives."""

from __future__ import annotations

import re

import pytest
import requests
from django.urls import reverse

from rooms import presets, services
from rooms.models import Room, RoomPreset


def url(name: str, club, room=None) -> str:
    kwargs = {"club_slug": club.slug}
    if room is not None:
        kwargs["room_id"] = room.pk
    return reverse(f"rooms:{name}", kwargs=kwargs)


def data(**extra) -> dict:
    values = {"name": "Mitgliederversammlung 2027", "welcome_text": "", "viewer_code": "", "moderator_code": ""}
    # What the create form shows ticked (club defaults) is posted back, as a browser would.
    values.update({"max_participants": "", "end_when_no_moderator_delay": "5", "mute_on_start": "on"})
    values.update(extra)
    return values


def settings_of(room: Room) -> dict:
    return {name: getattr(room, name) for name in presets.PRESET_FIELDS}


def test_every_preset_sets_every_preset_field():
    for preset in RoomPreset.values:
        assert set(presets.PRESETS[preset]) == set(presets.PRESET_FIELDS), preset


def test_choosing_a_preset_sets_its_values(client, personas):
    client.force_login(personas.admin)
    response = client.post(url("create", personas.club), data(preset="mitgliederversammlung"))
    assert response.status_code == 302
    room = Room.objects.get()
    assert room.preset == "mitgliederversammlung"
    assert settings_of(room) == presets.PRESETS["mitgliederversammlung"]


def test_what_the_person_changes_under_erweitert_wins_over_the_preset(client, personas):
    client.force_login(personas.admin)
    client.post(
        url("create", personas.club), data(preset="mitgliederversammlung", lock_disable_cam="on", duration="90")
    )
    room = Room.objects.get()
    assert room.lock_disable_cam is True  # the preset says False, the person ticked it
    assert room.duration == 90  # the preset says 240
    assert room.webcams_only_for_moderator is True  # untouched: from the preset


def test_changing_the_preset_later_applies_the_new_one_and_keeps_own_changes(client, personas):
    room = services.room_create(
        club=personas.club,
        actor=personas.admin,
        name="Gruppe",
        preset="mitgliederversammlung",
        **presets.preset_settings("mitgliederversammlung", club=personas.club),
    )
    client.force_login(personas.admin)
    current = {name: getattr(room, name) for name in presets.PRESET_FIELDS}
    form = data(name="Gruppe", preset="selbsthilfe", duration="45")
    form.update({name: "on" for name, value in current.items() if value is True})
    form["end_when_no_moderator_delay"] = str(current["end_when_no_moderator_delay"])
    client.post(url("edit", personas.club, room), form)
    room.refresh_from_db()
    expected = dict(presets.PRESETS["selbsthilfe"], duration=45)
    assert room.preset == "selbsthilfe" and settings_of(room) == expected


def test_editing_one_setting_with_the_same_preset_changes_only_that(client, personas):
    room = services.room_create(
        club=personas.club,
        actor=personas.admin,
        name="Kurs",
        preset="kurs",
        **presets.preset_settings("kurs", club=personas.club),
    )
    client.force_login(personas.admin)
    form = data(name="Kurs", preset="kurs", end_when_no_moderator_delay="5", duration="180")
    form.update({name: "on" for name in presets.PRESET_FIELDS if getattr(room, name) is True})
    form.pop("lock_disable_private_chat")  # the one change: allow private chats again
    client.post(url("edit", personas.club, room), form)
    room.refresh_from_db()
    assert settings_of(room) == dict(presets.PRESETS["kurs"], lock_disable_private_chat=False)


def test_a_club_without_recording_gets_presets_without_recording(personas):
    personas.club.recording_allowed = False
    assert presets.preset_settings("kurs", club=personas.club)["record"] is False


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("duration", "0", "Bitte geben Sie eine Dauer zwischen 1 und 1440 Minuten an."),
        ("duration", "2000", "Bitte geben Sie eine Dauer zwischen 1 und 1440 Minuten an."),
        ("end_when_no_moderator_delay", "0", "Bitte geben Sie zwischen 1 und 60 Minuten an."),
        ("end_when_no_moderator_delay", "99", "Bitte geben Sie zwischen 1 und 60 Minuten an."),
        ("preset", "fasching", "Bitte eine gültige Auswahl treffen."),
    ],
)
def test_bad_settings_are_refused_in_german_and_nothing_is_written(client, personas, field, value, message):
    client.force_login(personas.admin)
    response = client.post(url("create", personas.club), data(**{field: value}))
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert not Room.objects.exists()
    if field != "preset":
        assert re.search(r'<details id="advanced" open', content)  # the error is not hidden


def test_service_refuses_out_of_range_values(personas):
    with pytest.raises(ValueError):
        services.room_create(club=personas.club, actor=personas.admin, name="X", duration=0)
    assert not Room.objects.exists()


# -- what BBB receives and does ---------------------------------------------------------------------


def assembly_room(personas) -> Room:
    return services.room_create(
        club=personas.club,
        actor=personas.admin,
        name="Mitgliederversammlung",
        preset="mitgliederversammlung",
        **presets.preset_settings("mitgliederversammlung", club=personas.club),
    )


def test_the_simulator_receives_the_presets_create_parameters(personas, bbb_server, simulator):
    room = assembly_room(personas)
    services.meeting_start(room=room, display_name="Vorstand")
    assert simulator.calls == {"create": 1}
    got = simulator.meetings[room.meeting_id].params
    assert {
        "lockSettingsDisableCam": "false",
        "lockSettingsDisableMic": "false",
        "lockSettingsDisablePrivateChat": "true",
        "lockSettingsDisablePublicChat": "false",
        "lockSettingsDisableNotes": "true",
        "lockSettingsHideUserList": "false",
        "webcamsOnlyForModerator": "true",
        "muteOnStart": "true",
        "guestPolicy": "ALWAYS_ACCEPT",
        "duration": "240",
        "endWhenNoModerator": "true",
        "endWhenNoModeratorDelayInMinutes": "10",
        "record": "false",
    }.items() <= got.items()


def test_self_help_preset_asks_the_moderator_and_never_records(personas, bbb_server, simulator):
    personas.club.recording_allowed = True
    personas.club.save()
    room = services.room_create(
        club=personas.club,
        actor=personas.admin,
        name="Gruppe",
        preset="selbsthilfe",
        **presets.preset_settings("selbsthilfe", club=personas.club),
    )
    services.meeting_start(room=room, display_name="Leitung")
    got = simulator.meetings[room.meeting_id].params
    assert got["guestPolicy"] == "ASK_MODERATOR" and got["record"] == "false"
    assert "duration" not in got


def _enter(join_url: str, simulator) -> tuple[requests.Session, str]:
    """Follow the join URL like the HTML5 client: redirects, then connect (POST), then the meeting page."""
    session = requests.Session()
    page = session.get(join_url, timeout=5)
    token = re.search(r'name="sessionToken" value="([^"]+)"', page.text).group(1)
    if "sim-connect-form" in page.text:
        page = session.post(f"{simulator.base_url}/html5client/connect", data={"sessionToken": token}, timeout=5)
    assert page.status_code == 200 and "sim-meeting-name" in page.text
    return session, page.text


def test_the_simulator_honours_locks_and_ends_without_moderator(personas, bbb_server, simulator):
    room = assembly_room(personas)
    moderator_url = services.meeting_start(room=room, display_name="Vorstand")
    meeting = room.meetings.get()
    viewer_url = services.meeting_join_url(meeting=meeting, name="Mitglied", role="VIEWER")
    _session, viewer_page = _enter(viewer_url, simulator)
    assert 'data-lock="private-chat"' in viewer_page and 'data-lock="notes"' in viewer_page
    assert 'data-lock="camera"' not in viewer_page
    assert 'data-webcams-only-for-moderator="true"' in viewer_page and 'data-muted-on-start="true"' in viewer_page
    moderator, moderator_page = _enter(moderator_url, simulator)
    assert 'data-lock="' not in moderator_page  # locks are for viewers
    token = re.search(r'name="sessionToken" value="([^"]+)"', moderator_page).group(1)
    moderator.post(f"{simulator.base_url}/html5client/leave", data={"sessionToken": token}, timeout=5)
    simulator.advance(9 * 60)
    assert room.meeting_id in simulator.meetings  # still within the 10 minutes
    simulator.advance(2 * 60)
    assert room.meeting_id not in simulator.meetings  # ENDED_DUE_TO_NO_MODERATOR
