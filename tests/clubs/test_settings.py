from __future__ import annotations

import pytest
from django.urls import reverse

from clubs.models import AuditEntry


def settings_url(club):
    return reverse("clubs:settings", kwargs={"club_slug": club.slug})


def data(club, **overrides):
    values = {
        "name": club.name,
        "description": "Neue Beschreibung",
        "retention_days": "30",
        "default_mute_on_start": "on",
        "default_waiting_room": "",
        "default_anyone_can_start": "",
        "default_record": "",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v != ""}


@pytest.fixture
def club(personas):
    personas.club.max_retention_days = 90
    personas.club.retention_days = 60
    personas.club.save()
    return personas.club


def test_admin_saves_settings_with_audit(personas, club, client):
    client.force_login(personas.admin)
    response = client.post(settings_url(club), data(club, default_waiting_room="on"))
    assert response.status_code == 302
    club.refresh_from_db()
    assert club.retention_days == 30 and club.default_waiting_room and club.description == "Neue Beschreibung"
    entry = AuditEntry.objects.get(action="club.settings_changed")
    assert entry.details["retention_days"] == 30


def test_retention_above_the_maximum_is_refused(personas, club, client):
    client.force_login(personas.admin)
    response = client.post(settings_url(club), data(club, retention_days="91", description="geändert"))
    assert response.status_code == 200
    assert "Die Aufbewahrung darf höchstens 90 Tage betragen." in response.content.decode()
    club.refresh_from_db()
    assert club.retention_days == 60 and club.description == ""
    assert not AuditEntry.objects.exists()


def test_keep_forever_is_refused_when_staff_set_a_maximum(personas, club, client):
    client.force_login(personas.admin)
    response = client.post(settings_url(club), data(club, retention_days=""))
    assert "„unbegrenzt“ ist nicht möglich" in response.content.decode()
    club.refresh_from_db()
    assert club.retention_days == 60


def test_keep_forever_is_allowed_without_a_maximum(personas, client):
    club = personas.club
    club.retention_days = 30
    club.save()
    client.force_login(personas.owner)
    client.post(settings_url(club), data(club, retention_days=""))
    club.refresh_from_db()
    assert club.retention_days is None


def test_zero_days_and_duplicate_names_are_explained(personas, club, client):
    client.force_login(personas.admin)
    response = client.post(settings_url(club), data(club, retention_days="0"))
    assert "mindestens einen Tag" in response.content.decode()
    response = client.post(settings_url(club), data(club, name=personas.other_club.name.upper()))
    assert "Ein anderer Verein trägt bereits diesen Namen." in response.content.decode()
    club.refresh_from_db()
    assert club.name == "TSV Beispiel e.V."


def test_default_recording_needs_the_recording_quota(personas, club):
    from django.core.exceptions import ValidationError

    from clubs import services

    club.recording_allowed = False
    club.save()
    with pytest.raises(ValidationError) as excinfo:
        services.club_update(
            club=club,
            actor=personas.admin,
            name=club.name,
            description="",
            retention_days=30,
            default_mute_on_start=True,
            default_waiting_room=False,
            default_anyone_can_start=False,
            default_record=True,
        )
    assert "keine Aufzeichnungen freigeschaltet" in str(excinfo.value)
    club.refresh_from_db()
    assert club.default_record is False


def test_settings_page_shows_the_quota(personas, club, client):
    client.force_login(personas.admin)
    page = client.get(settings_url(club)).content.decode()
    assert "Kontingent Ihres Vereins" in page
    assert "höchstens 90 Tage" in page


def test_service_refuses_a_plain_member(personas, club):
    from django.core.exceptions import PermissionDenied

    from clubs import services

    with pytest.raises(PermissionDenied):
        services.club_update(
            club=club,
            actor=personas.member,
            name="Gekapert",
            description="",
            retention_days=30,
            default_mute_on_start=True,
            default_waiting_room=False,
            default_anyone_can_start=False,
            default_record=False,
        )
    club.refresh_from_db()
    assert club.name == "TSV Beispiel e.V."
