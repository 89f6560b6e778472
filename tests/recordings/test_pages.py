"""Club self-service recording pages: list, rename, publish, protect, delete, public room list."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from clubs.models import AuditEntry
from recordings.cleanup import recording_deletion_date
from recordings.models import Recording
from recordings.services import recordings_reconcile
from tests.factories import RecordingFactory, RoomFactory
from tests.recordings.recording_sim import bbb_fixture  # noqa: F401 (fixture "bbb")


@pytest.fixture
def room(personas):
    personas.club.retention_days = 30
    personas.club.save()
    return RoomFactory(club=personas.club, name="Vorstandsraum")


@pytest.fixture
def synced(bbb, room):
    """Two recordings of the club's room, fetched from the simulator into the database."""
    ids = [bbb.add(room, days_ago=2, name="Mitgliederversammlung"), bbb.add(room, days_ago=1, published=False)]
    assert recordings_reconcile(server=bbb.server).ok
    return [Recording.objects.get(record_id=i) for i in ids]


def _url(name, club, **kwargs):
    return reverse(f"recordings:{name}", kwargs={"club_slug": club.slug, **kwargs})


def test_members_see_the_list_with_formats_and_states_but_no_actions(client, personas, synced, bbb):
    published, unpublished = synced
    calls = sum(bbb.sim.calls.values())
    client.force_login(personas.member)

    response = client.get(_url("list", personas.club))

    assert response.status_code == 200
    text = response.content.decode()
    assert "Mitgliederversammlung" in text
    assert "Veröffentlicht" in text and "Nicht veröffentlicht" in text
    deletion = recording_deletion_date(published).strftime("%d.%m.%Y")
    assert f"Wird am {deletion} gelöscht" in text
    assert published.formats[0]["url"] in text
    assert "Umbenennen" not in text and "Löschen</a>" not in text
    assert sum(bbb.sim.calls.values()) == calls  # no BBB call on a page view


def test_club_admins_see_the_actions(client, personas, synced):
    client.force_login(personas.admin)
    text = client.get(_url("list", personas.club)).content.decode()
    assert "Umbenennen" in text and "Vor Löschen schützen" in text and "Veröffentlichen" in text


def test_processing_and_protected_states_are_shown(client, personas, room):
    RecordingFactory(room=room, club=room.club, state=Recording.State.PROCESSING, published=False, name="Neu")
    RecordingFactory(room=room, club=room.club, protected=True, name="Wichtig")
    client.force_login(personas.member)
    text = client.get(_url("list", personas.club)).content.decode()
    assert "Wird verarbeitet" in text and "Geschützt" in text


def test_keep_forever_shows_no_deletion_date(client, personas, room):
    personas.club.retention_days = None
    personas.club.save()
    RecordingFactory(room=room, club=room.club)
    client.force_login(personas.member)
    text = client.get(_url("list", personas.club)).content.decode()
    assert "gelöscht" not in text.split("<table")[1]
    assert "unbegrenzt aufbewahrt" in text


@pytest.mark.parametrize("count", [3, 30])
def test_the_list_uses_a_constant_number_of_queries(client, personas, room, count, django_assert_max_num_queries):
    other_room = RoomFactory(club=personas.club)
    for n in range(count):
        RecordingFactory(room=room if n % 2 else other_room, club=personas.club)
    client.force_login(personas.member)
    with django_assert_max_num_queries(12):
        assert client.get(_url("list", personas.club)).status_code == 200


def test_the_room_page_lists_only_that_rooms_recordings(client, personas, room):
    RecordingFactory(room=room, club=room.club, name="Hier")
    RecordingFactory(room=RoomFactory(club=room.club), club=room.club, name="Anderswo")
    client.force_login(personas.member)
    text = client.get(_url("room", personas.club, friendly_id=room.friendly_id)).content.decode()
    assert "Hier" in text and "Anderswo" not in text


def test_other_clubs_recordings_and_rooms_are_not_found(client, personas, room):
    foreign_room = RoomFactory(club=personas.other_club)
    foreign = RecordingFactory(room=foreign_room, club=personas.other_club, name="Fremd")
    client.force_login(personas.admin)
    assert "Fremd" not in client.get(_url("list", personas.club)).content.decode()
    assert client.get(_url("room", personas.club, friendly_id=foreign_room.friendly_id)).status_code == 404
    assert client.post(_url("delete", personas.club, recording_id=foreign.pk)).status_code == 404


def test_outsiders_get_404_and_members_403_for_changes(client, personas, room):
    recording = RecordingFactory(room=room, club=room.club)
    client.force_login(personas.outsider)
    assert client.get(_url("list", personas.club)).status_code == 404
    client.force_login(personas.member)
    for name in ["rename", "publish", "protect", "delete"]:
        assert client.post(_url(name, personas.club, recording_id=recording.pk)).status_code == 403
    recording.refresh_from_db()
    assert not recording.protected and recording.deleted_at is None


def test_rename_keeps_the_name_on_bbb(client, personas, synced, bbb):
    recording = synced[0]
    client.force_login(personas.admin)

    response = client.post(_url("rename", personas.club, recording_id=recording.pk), {"name": "JHV 2026"})

    assert response.status_code == 302
    recording.refresh_from_db()
    assert recording.name == "JHV 2026"
    assert bbb.sim.recordings[recording.record_id].metadata["name"] == "JHV 2026"
    assert AuditEntry.objects.filter(action="recording.renamed", target_id=str(recording.pk)).exists()
    # The next sweep reads the name back from BBB and keeps it.
    recordings_reconcile(server=bbb.server)
    recording.refresh_from_db()
    assert recording.name == "JHV 2026"


def test_rename_with_an_empty_name_asks_again_and_calls_no_bbb(client, personas, synced, bbb):
    recording = synced[0]
    client.force_login(personas.admin)
    response = client.post(_url("rename", personas.club, recording_id=recording.pk), {"name": "  "})
    assert response.status_code == 200
    assert "Bitte geben Sie einen Namen ein." in response.content.decode()
    assert bbb.calls("updateRecordings") == 0


def test_rename_while_bbb_is_down_keeps_the_input_and_explains(client, personas, synced, bbb):
    recording = synced[0]
    bbb.sim.configure(down=True)
    client.force_login(personas.admin)
    response = client.post(_url("rename", personas.club, recording_id=recording.pk), {"name": "Neu"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "nicht erreichbar" in text and 'value="Neu"' in text
    recording.refresh_from_db()
    assert recording.name == "Mitgliederversammlung"


def test_publish_and_unpublish(client, personas, synced, bbb):
    published, unpublished = synced
    client.force_login(personas.admin)

    client.post(_url("publish", personas.club, recording_id=published.pk), {"published": "0"})
    client.post(_url("publish", personas.club, recording_id=unpublished.pk), {"published": "1"})

    published.refresh_from_db()
    unpublished.refresh_from_db()
    assert (published.state, published.published) == (Recording.State.UNPUBLISHED, False)
    assert (unpublished.state, unpublished.published) == (Recording.State.PUBLISHED, True)
    assert bbb.bbb_state(published.record_id) == "unpublished"
    assert bbb.bbb_state(unpublished.record_id) == "published"


def test_protect_is_local_and_audited(client, personas, synced, bbb):
    recording = synced[0]
    calls = sum(bbb.sim.calls.values())
    client.force_login(personas.admin)

    response = client.post(_url("protect", personas.club, recording_id=recording.pk), {"protected": "1"})

    assert response.status_code == 302
    recording.refresh_from_db()
    assert recording.protected
    assert sum(bbb.sim.calls.values()) == calls
    assert AuditEntry.objects.filter(action="recording.protected", actor=personas.admin).exists()
    client.post(_url("protect", personas.club, recording_id=recording.pk), {"protected": "0"})
    recording.refresh_from_db()
    assert not recording.protected


def test_delete_asks_for_confirmation_then_deletes_on_bbb(client, personas, synced, bbb):
    recording = synced[0]
    client.force_login(personas.admin)
    url = _url("delete", personas.club, recording_id=recording.pk)

    confirm = client.get(url)
    assert confirm.status_code == 200 and "Endgültig löschen" in confirm.content.decode()
    assert bbb.calls("deleteRecordings") == 0

    response = client.post(url)

    assert response.status_code == 302
    recording.refresh_from_db()
    assert recording.deleted_at is not None and recording.state == Recording.State.DELETED
    assert bbb.bbb_state(recording.record_id) == "deleted"
    entry = AuditEntry.objects.get(action="recording.deleted", target_id=str(recording.pk))
    assert entry.actor == personas.admin
    assert f'id="aufzeichnung-{recording.pk}"' not in client.get(_url("list", personas.club)).content.decode()


def test_delete_while_bbb_is_down_keeps_the_recording(client, personas, synced, bbb):
    recording = synced[0]
    bbb.sim.configure(down=True)
    client.force_login(personas.admin)
    response = client.post(_url("delete", personas.club, recording_id=recording.pk), follow=True)
    assert "nicht erreichbar" in response.content.decode()
    recording.refresh_from_db()
    assert recording.deleted_at is None


def test_public_room_page_lists_published_recordings_when_the_room_allows(client, room):
    RecordingFactory(room=room, club=room.club, name="Öffentlicher Vortrag")
    RecordingFactory(
        room=room, club=room.club, name="Interne Sitzung", published=False, state=Recording.State.UNPUBLISHED
    )
    url = reverse("rooms:public", kwargs={"friendly_id": room.friendly_id})
    assert "Öffentlicher Vortrag" not in client.get(url).content.decode()

    room.show_recordings_publicly = True
    room.save()
    text = client.get(url).content.decode()
    assert "Öffentlicher Vortrag" in text and "Interne Sitzung" not in text


@pytest.mark.parametrize(
    ("started_local", "expected"),
    [("2026-03-01 02:00", "2026-03-31"), ("2026-03-01 03:15", "2026-03-31"), ("2026-03-01 10:00", "2026-04-01")],
)
def test_the_deletion_date_is_the_first_cleanup_run_after_expiry(personas, room, started_local, expected):
    from datetime import date, datetime

    started = timezone.make_aware(datetime.strptime(started_local, "%Y-%m-%d %H:%M"))
    recording = RecordingFactory(room=room, club=room.club, started_at=started)
    assert recording_deletion_date(recording) == date.fromisoformat(expected)
    recording.protected = True
    assert recording_deletion_date(recording) is None
    recording.protected, recording.state = False, Recording.State.PROCESSING  # not deletable yet
    assert recording_deletion_date(recording) is None


def test_a_recording_still_processing_is_not_deleted(client, personas, room, bbb):
    recording = RecordingFactory(
        room=room, club=room.club, server=bbb.server, state=Recording.State.PROCESSING, published=False
    )
    client.force_login(personas.admin)
    response = client.post(_url("delete", personas.club, recording_id=recording.pk), follow=True)
    assert "wird noch verarbeitet" in response.content.decode()
    recording.refresh_from_db()
    assert recording.deleted_at is None
    assert bbb.calls("deleteRecordings") == 0


def test_deleting_several_recordings_uses_one_call_per_batch(personas, room, bbb):
    from recordings.services import recordings_delete

    ids = [bbb.add(room, days_ago=n) for n in range(3)]
    recordings_reconcile(server=bbb.server)
    rows = list(Recording.objects.filter(record_id__in=ids))
    processing = RecordingFactory(room=room, club=room.club, server=bbb.server, state=Recording.State.PROCESSING)

    result = recordings_delete(recordings=[*rows, processing], actor=personas.staff, reason="admin action")

    assert sorted(result.deleted) == sorted(r.pk for r in rows)
    assert result.failed == [processing.pk]
    assert bbb.calls("deleteRecordings") == 1
    assert AuditEntry.objects.filter(action="recording.deleted", reason="admin action").count() == 3


def test_playback_links_are_rendered_only_for_http_urls(client, personas, room):
    """Issue 15.11: a URL from BBB's answer is put into href only when it is http(s)."""
    formats = [
        {"type": "presentation", "url": "javascript:alert(document.cookie)", "size": 1},
        {"type": "video", "url": "https://bbb.example.org/playback/video/r1/", "size": 1},
    ]
    RecordingFactory(room=room, club=room.club, name="Sitzung", formats=formats)
    client.force_login(personas.member)
    text = client.get(_url("list", personas.club)).content.decode()
    assert "javascript:" not in text
    assert 'href="https://bbb.example.org/playback/video/r1/"' in text
