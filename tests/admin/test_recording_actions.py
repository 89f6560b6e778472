"""Recording actions (delete on BBB with confirmation, protect, unprotect, re-sync) and filters."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from clubs.models import AuditEntry
from recordings.models import Recording
from tests.admin.conftest import messages_of, run_action
from tests.factories import ClubFactory, RecordingFactory, RoomFactory


@pytest.fixture
def on_bbb(bbb_server, sim):
    """Create a recording on the simulator and its row here; returns a factory."""

    def make(name: str = "Vorstandssitzung", days_ago: float = 1, **fields) -> Recording:
        room = fields.pop("room", None) or RoomFactory()
        start = int((time.time() - days_ago * 86400) * 1000)
        record_id = sim.add_recording(room.meeting_id, name=name, start_time=start)
        return RecordingFactory(
            room=room,
            server=bbb_server,
            record_id=record_id,
            bbb_meeting_id=room.meeting_id,
            name=name,
            started_at=timezone.now() - timedelta(days=days_ago),
            size_bytes=50_000_000,
            **fields,
        )

    return make


def test_delete_shows_a_confirmation_page_listing_the_recordings(staff_client, on_bbb, sim):
    first, second = on_bbb("Erste Sitzung"), on_bbb("Zweite Sitzung")
    protected = on_bbb("Geschützte Sitzung", protected=True)
    response = run_action(staff_client, "recordings_recording", "delete_on_bbb", [first.pk, second.pk, protected.pk])
    html = response.content.decode()
    assert response.templates[0].name == "admin/recordings/recording/delete_on_bbb.html"
    assert "Erste Sitzung" in html and "Zweite Sitzung" in html
    assert "Nicht gelöscht werden (geschützt oder bereits gelöscht): Geschützte Sitzung" in html
    assert sim.calls["deleteRecordings"] == 0
    assert not Recording.objects.filter(deleted_at__isnull=False).exists()


def test_delete_confirmed_with_a_reason_deletes_on_bbb_then_here_and_audits(staff_client, staff, on_bbb, sim):
    recording, kept = on_bbb("Alte Sitzung"), on_bbb("Bleibt")
    response = run_action(
        staff_client, "recordings_recording", "delete_on_bbb", [recording.pk], apply="1", reason="Wunsch des Vereins"
    )
    assert messages_of(response) == ["1 Aufzeichnung(en) auf BBB gelöscht."]
    assert sim.recordings[recording.record_id].state == "deleted"
    assert sim.recordings[kept.record_id].state == "published"
    recording.refresh_from_db()
    assert recording.deleted_at is not None and recording.state == Recording.State.DELETED
    entry = AuditEntry.objects.get(action="recording.deleted")
    assert (entry.actor, entry.reason, entry.target_id) == (staff, "Wunsch des Vereins", str(recording.pk))


def test_delete_without_a_reason_asks_again_and_deletes_nothing(staff_client, on_bbb, sim):
    recording = on_bbb()
    response = run_action(staff_client, "recordings_recording", "delete_on_bbb", [recording.pk], apply="1", reason="")
    assert "Bitte geben Sie einen Grund an" in response.content.decode()
    assert sim.calls["deleteRecordings"] == 0
    recording.refresh_from_db()
    assert recording.deleted_at is None


def test_delete_while_bbb_is_down_keeps_the_recording_and_says_so(staff_client, on_bbb, sim):
    recording = on_bbb()
    sim.configure(down=True)
    response = run_action(
        staff_client, "recordings_recording", "delete_on_bbb", [recording.pk], apply="1", reason="Alt"
    )
    [message] = messages_of(response)
    assert message.startswith("1 Aufzeichnung(en) nicht gelöscht, weil BBB das Löschen nicht bestätigt hat")
    recording.refresh_from_db()
    assert recording.deleted_at is None and recording.state == Recording.State.PUBLISHED
    assert sim.recordings[recording.record_id].state == "published"
    assert not AuditEntry.objects.filter(action="recording.deleted").exists()


def test_delete_of_only_protected_recordings_explains_why_nothing_happens(staff_client, on_bbb, sim):
    recording = on_bbb(protected=True)
    response = run_action(staff_client, "recordings_recording", "delete_on_bbb", [recording.pk])
    assert messages_of(response) == [
        "Keine der ausgewählten Aufzeichnungen kann gelöscht werden (geschützt oder schon gelöscht)."
    ]
    assert sim.calls["deleteRecordings"] == 0


def test_protect_and_unprotect_change_the_row_and_are_audited_without_bbb_calls(staff_client, staff, on_bbb, sim):
    recording = on_bbb()
    calls_before = sum(sim.calls.values())
    response = run_action(staff_client, "recordings_recording", "protect", [recording.pk])
    assert messages_of(response) == ["1 Aufzeichnung(en) geschützt."]
    recording.refresh_from_db()
    assert recording.protected is True
    response = run_action(staff_client, "recordings_recording", "unprotect", [recording.pk])
    assert messages_of(response) == ["Schutz bei 1 Aufzeichnung(en) aufgehoben."]
    recording.refresh_from_db()
    assert recording.protected is False
    assert list(AuditEntry.objects.order_by("pk").values_list("action", "actor")) == [
        ("recording.protected", staff.pk),
        ("recording.unprotected", staff.pk),
    ]
    assert sum(sim.calls.values()) == calls_before


def test_resync_reads_the_recording_from_bbb(staff_client, on_bbb, sim):
    recording = on_bbb("Auf BBB")
    Recording.objects.filter(pk=recording.pk).update(name="Veraltet", state=Recording.State.PROCESSING)
    response = run_action(staff_client, "recordings_recording", "resync", [recording.pk])
    assert messages_of(response) == ["1 Aufzeichnung(en) mit BBB abgeglichen."]
    assert sim.calls["getRecordings"] == 1
    recording.refresh_from_db()
    assert (recording.name, recording.state) == ("Auf BBB", Recording.State.PUBLISHED)


def test_resync_of_a_recording_bbb_no_longer_has_marks_it_gone(staff_client, on_bbb, sim):
    recording = on_bbb()
    del sim.recordings[recording.record_id]
    run_action(staff_client, "recordings_recording", "resync", [recording.pk])
    recording.refresh_from_db()
    assert recording.state == Recording.State.GONE and recording.deleted_at is None


def test_resync_while_bbb_is_down_changes_nothing_and_says_so(staff_client, on_bbb, sim):
    recording = on_bbb("Bleibt so")
    sim.configure(down=True)
    response = run_action(staff_client, "recordings_recording", "resync", [recording.pk])
    [message] = messages_of(response)
    assert message.startswith("Bleibt so: Der Aufzeichnungsserver ist gerade nicht erreichbar.")
    recording.refresh_from_db()
    assert recording.state == Recording.State.PUBLISHED


def _listed(staff_client, query: str) -> set[str]:
    response = staff_client.get(f"/admin/recordings/recording/?{query}")
    assert response.status_code == 200
    return {r.name for r in response.context["cl"].result_list}


def test_will_be_deleted_filter_follows_the_cleanup_rule(staff_client, settings):
    settings.RECORDING_DELETION_NOTICE_DAYS = 7
    club = ClubFactory(retention_days=30)
    forever = ClubFactory(retention_days=None, max_retention_days=None)
    now = timezone.now()
    RecordingFactory(name="Abgelaufen", room=RoomFactory(club=club), started_at=now - timedelta(days=40))
    RecordingFactory(name="Bald", room=RoomFactory(club=club), started_at=now - timedelta(days=26))
    RecordingFactory(name="Frisch", room=RoomFactory(club=club), started_at=now - timedelta(days=2))
    RecordingFactory(name="Geschützt", room=RoomFactory(club=club), started_at=now - timedelta(days=40), protected=True)
    RecordingFactory(name="Für immer", room=RoomFactory(club=forever), started_at=now - timedelta(days=900))
    assert _listed(staff_client, "will_be_deleted=due") == {"Abgelaufen"}
    assert _listed(staff_client, "will_be_deleted=soon") == {"Bald"}
    assert _listed(staff_client, "will_be_deleted=no") == {"Frisch", "Geschützt", "Für immer"}


def test_age_filter(staff_client):
    now = timezone.now()
    RecordingFactory(name="Neu", started_at=now - timedelta(days=3))
    RecordingFactory(name="Zwei Monate", started_at=now - timedelta(days=60))
    RecordingFactory(name="Uralt", started_at=now - timedelta(days=500))
    assert _listed(staff_client, "age=7") == {"Neu"}
    assert _listed(staff_client, "age=90") == {"Zwei Monate"}
    assert _listed(staff_client, "age=old") == {"Uralt"}


def test_recording_list_shows_the_cleanups_deletion_date(staff_client):
    from recordings.cleanup import recording_deletion_date

    club = ClubFactory(retention_days=30)
    recording = RecordingFactory(room=RoomFactory(club=club), started_at=timezone.now() - timedelta(days=10))
    day = recording_deletion_date(recording)
    assert timedelta(days=19) <= day - timezone.localdate() <= timedelta(days=21)
    assert day.strftime("%d.%m.%Y") in staff_client.get("/admin/recordings/recording/").content.decode()
