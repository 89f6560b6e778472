"""Staff mails: every new club application, and the daily digest with what needs a person."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from clubs.models import Club
from herzdigital.celery import build_beat_schedule
from operations import counters
from operations.digest import staff_digest_build, staff_digest_send
from tests.factories import ClubFactory, RecordingFactory, RoomFactory, ServerFactory

MB = 1024 * 1024
STAFF = ["betrieb@herzdigital.example", "technik@herzdigital.example"]


@pytest.fixture
def staff_addresses(settings):
    settings.STAFF_NOTIFY_EMAILS = STAFF
    return STAFF


def register(client, name: str = "Lauftreff Nord e.V.", email: str = "lena@example.org"):
    cache.clear()  # registration is rate-limited per address
    return client.post(
        "/verein-anmelden/",
        {
            "name": name,
            "kind": "sport",
            "description": "Wir laufen jeden Samstag.",
            "contact_name": "Lena Läufer",
            "email": email,
            "password1": "ein-sehr-gutes-passwort-42",
            "password2": "ein-sehr-gutes-passwort-42",
            "accept_terms": "on",
        },
    )


def test_a_new_application_mails_every_staff_address(client, db, staff_addresses, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert register(client).status_code == 302
    club = Club.objects.get(name="Lauftreff Nord e.V.")
    staff_mails = [m for m in mail.outbox if m.to == STAFF]
    assert len(staff_mails) == 1
    message = staff_mails[0]
    assert message.subject == "[herzdigital] Neue Vereinsanmeldung: Lauftreff Nord e.V."
    assert "Lena Läufer <lena@example.org>" in message.body
    assert "Wir laufen jeden Samstag." in message.body
    assert f"http://testserver/admin/clubs/clubapplication/{club.pk}/change/" in message.body


def test_no_staff_mail_without_addresses(client, db, settings, django_capture_on_commit_callbacks):
    settings.STAFF_NOTIFY_EMAILS = []
    with django_capture_on_commit_callbacks(execute=True):
        register(client)
    assert [m.to for m in mail.outbox] == [["lena@example.org"]]  # only the applicant's verification


def test_a_refused_registration_mails_no_staff(client, db, staff_addresses, django_capture_on_commit_callbacks):
    ClubFactory(name="Lauftreff Nord e.V.")
    with django_capture_on_commit_callbacks(execute=True):
        assert register(client).status_code == 200  # the form shows "name taken"
    assert not [m for m in mail.outbox if m.to == STAFF]


def test_digest_content(db, staff_addresses, settings):
    settings.QUOTA_WARNING_PERCENT = 80
    settings.RECORDING_DELETION_NOTICE_DAYS = 7
    now = timezone.now()
    pending = ClubFactory(name="Chor Süd", status=Club.Status.PENDING, contact_email="chor@example.org")
    ClubFactory(name="Schon aktiv")
    sick = ServerFactory(name="bbb-krank", healthy=False, consecutive_failures=5, last_error="BBBUnavailable: timeout")
    flaky = ServerFactory(name="bbb-wackelig", consecutive_failures=1)
    fine = ServerFactory(name="bbb-gut")
    counters.counter_add(name=counters.SYNC_FAILURES, label=str(flaky.pk), amount=3)
    ServerFactory(name="bbb-alt", healthy=False, retired=True)  # retired: not a problem any more
    # Rooms: 4 of 5 is 80 %.
    crowded = ClubFactory(name="Voller Verein", max_rooms=5, retention_days=30, recording_storage_quota_mb=10)
    rooms = RoomFactory.create_batch(4, club=crowded)
    # Storage: 9 of 10 MB. One recording due in 5 days, one only in 20, one protected.
    RecordingFactory(club=crowded, room=rooms[0], server=fine, size_bytes=9 * MB, started_at=now - timedelta(days=25))
    RecordingFactory(club=crowded, room=rooms[0], server=fine, started_at=now - timedelta(days=10))
    RecordingFactory(club=crowded, room=rooms[0], server=fine, protected=True, started_at=now - timedelta(days=40))
    ClubFactory(name="Kleiner Verein", max_rooms=5)

    digest = staff_digest_build(now=now)

    assert digest.applications == [pending]
    assert digest.unhealthy_servers == [sick]
    assert [(p.server.name, p.failed_syncs) for p in digest.failed_syncs] == [("bbb-wackelig", 3)]
    assert digest.recordings_due == 1
    assert digest.recordings_due_by_club == [(crowded.slug, 1)]
    assert [(c.club.name, c.quota, c.percent) for c in digest.clubs_near_quota] == [
        ("Voller Verein", "rooms", 80),
        ("Voller Verein", "storage", 90),
    ]

    assert staff_digest_send(now=now) == 1
    message = mail.outbox[-1]
    assert message.to == STAFF
    assert message.subject == "[herzdigital] Tagesübersicht: 6 Punkte brauchen Aufmerksamkeit"
    body = message.body
    assert "Offene Vereinsanmeldungen: 1\n- Chor Süd (chor@example.org" in body
    assert "Nicht erreichbare Server: 1\n- bbb-krank: BBBUnavailable: timeout" in body
    assert "- bbb-wackelig: 3 fehlgeschlagen, zurzeit 1 in Folge" in body
    assert f"Aufzeichnungen, die bald gelöscht werden: 1\n- {crowded.slug}: 1" in body
    assert "- Voller Verein: Räume 4 von 5 (80 %)" in body
    assert "- Voller Verein: Speicherplatz 9,0\xa0MB von 10,0\xa0MB (90 %)" in body
    assert "bbb-alt" not in body and "Kleiner Verein" not in body and "Schon aktiv" not in body


def test_the_next_digest_counts_only_failures_since_the_last_one(db, staff_addresses):
    flaky = ServerFactory(name="bbb-wackelig")
    counters.counter_add(name=counters.SYNC_FAILURES, label=str(flaky.pk), amount=3)
    staff_digest_send()
    assert staff_digest_build().failed_syncs == []
    counters.counter_add(name=counters.SYNC_FAILURES, label=str(flaky.pk), amount=2)
    assert [p.failed_syncs for p in staff_digest_build().failed_syncs] == [2]


def test_a_quiet_day_says_so(db, staff_addresses):
    ServerFactory(name="bbb-gut")
    staff_digest_send()
    assert mail.outbox[-1].subject == "[herzdigital] Tagesübersicht: alles in Ordnung"


def test_digest_and_purge_are_scheduled_daily_on_the_maintenance_queue():
    schedule = {entry["task"]: entry for entry in build_beat_schedule().values()}
    for task in ("operations.tasks.staff_digest", "operations.tasks.personal_data_purge"):
        assert schedule[task]["options"]["queue"] == "maintenance"


def test_a_second_club_registered_with_an_existing_account_mails_staff_too(
    db, staff_addresses, django_capture_on_commit_callbacks
):
    from clubs.services import club_register_for_user
    from tests.factories import UserFactory

    user = UserFactory(name="Olga Owner")
    with django_capture_on_commit_callbacks(execute=True):
        club_register_for_user(user=user, name="Zweiter Verein", kind="verein", contact_name="Olga Owner")
    assert [m.subject for m in mail.outbox if m.to == STAFF] == ["[herzdigital] Neue Vereinsanmeldung: Zweiter Verein"]


def test_send_staff_digest_command(db, staff_addresses, capsys):
    from django.core.management import call_command

    ClubFactory(name="Chor Süd", status=Club.Status.PENDING)
    call_command("send_staff_digest", "--dry-run")
    assert "applications 1, unhealthy servers 0" in capsys.readouterr().out
    assert mail.outbox == []
    call_command("send_staff_digest")
    assert "sent 1 mail(s)" in capsys.readouterr().out
    assert mail.outbox[-1].subject == "[herzdigital] Tagesübersicht: 1 Punkt braucht Aufmerksamkeit"
