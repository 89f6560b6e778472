"""Deletion notices: club owners hear about recordings the cleanup deletes soon, once each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from clubs.models import Role
from recordings import tasks as recording_tasks
from recordings.models import Recording
from recordings.services import recording_resync, recordings_reconcile
from tests.factories import ClubFactory, MembershipFactory, RecordingFactory, RoomFactory, UserFactory
from tests.recordings.recording_sim import bbb_fixture  # noqa: F401 (fixture "bbb")


@pytest.fixture
def club(db, settings):
    settings.RECORDING_DELETION_NOTICE_DAYS = 7
    return ClubFactory(retention_days=30)


def _recording(club, days_ago, **kwargs):
    room = RoomFactory(club=club)
    return RecordingFactory(room=room, club=club, started_at=timezone.now() - timedelta(days=days_ago), **kwargs)


def test_owners_get_one_email_listing_recordings_due_within_the_notice_period(club):
    owners = [MembershipFactory(club=club, role=Role.OWNER).user for _ in range(2)]
    MembershipFactory(club=club, role=Role.ADMIN)
    due = _recording(club, 25, name="Kassenprüfung")
    later = _recording(club, 10, name="Sommerfest")
    protected = _recording(club, 28, name="Geschützte Sitzung", protected=True)

    assert recording_tasks.recordings_deletion_notices() == 2

    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in owners)
    body = mail.outbox[0].body
    assert "Kassenprüfung" in body and "Sommerfest" not in body and "Geschützte Sitzung" not in body
    assert f"/c/{club.slug}/aufzeichnungen/" in body
    assert "gelöscht" in mail.outbox[0].subject
    due.refresh_from_db()
    later.refresh_from_db()
    protected.refresh_from_db()
    assert due.deletion_notice_sent_at is not None
    assert later.deletion_notice_sent_at is None and protected.deletion_notice_sent_at is None


def test_each_recording_is_announced_once(club):
    MembershipFactory(club=club, role=Role.OWNER)
    _recording(club, 25)
    recording_tasks.recordings_deletion_notices()
    mail.outbox.clear()

    assert recording_tasks.recordings_deletion_notices() == 0
    assert mail.outbox == []


def test_keep_forever_clubs_get_no_notice(db):
    club = ClubFactory(retention_days=None)
    MembershipFactory(club=club, role=Role.OWNER)
    _recording(club, 4000)
    assert recording_tasks.recordings_deletion_notices() == 0


def test_the_notice_is_written_in_the_owners_language(club, monkeypatch):
    from django.utils import translation

    from recordings import cleanup as recordings

    seen = []
    original = recordings.render_to_string

    def spy(*args, **kwargs):
        seen.append(translation.get_language())
        return original(*args, **kwargs)

    monkeypatch.setattr(recordings, "render_to_string", spy)
    owner = UserFactory(language="en")
    MembershipFactory(club=club, user=owner, role=Role.OWNER)
    _recording(club, 25)

    recording_tasks.recordings_deletion_notices()

    assert seen and set(seen) == {"en"}
    assert mail.outbox[0].to == [owner.email]


def test_resync_marks_a_recording_missing_from_a_successful_answer_gone(bbb):
    room = RoomFactory()
    record_id = bbb.add(room)
    recordings_reconcile(server=bbb.server)
    recording = Recording.objects.get(record_id=record_id)
    del bbb.sim.recordings[record_id]

    recording_resync(recording=recording)

    assert recording.state == Recording.State.GONE and recording.deleted_at is None


def test_resync_while_bbb_is_down_changes_nothing(bbb):
    from recordings.services import RecordingActionFailed

    room = RoomFactory()
    record_id = bbb.add(room)
    recordings_reconcile(server=bbb.server)
    recording = Recording.objects.get(record_id=record_id)
    bbb.sim.configure(down=True)
    with pytest.raises(RecordingActionFailed):
        recording_resync(recording=recording)
    recording.refresh_from_db()
    assert recording.state == Recording.State.PUBLISHED
