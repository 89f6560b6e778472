from __future__ import annotations

import json

from django.conf import settings
from django.urls import reverse

from accounts.models import User
from clubs.models import AuditEntry, Membership, Role
from tests.factories import MembershipFactory, RoomFactory, UserFactory


def test_profile_changes_name_and_language_and_the_session_follows(personas, client):
    client.force_login(personas.member)
    response = client.post(reverse("accounts:profile"), {"name": "Mia Neu", "language": "en"})
    assert response.status_code == 302
    personas.member.refresh_from_db()
    assert personas.member.name == "Mia Neu" and personas.member.language == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert 'lang="en"' in client.get(reverse("accounts:profile")).content.decode()


def test_profile_refuses_an_empty_name_and_keeps_the_old_one(personas, client):
    client.force_login(personas.member)
    old = personas.member.name
    response = client.post(reverse("accounts:profile"), {"name": "", "language": "xx"})
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    personas.member.refresh_from_db()
    assert personas.member.name == old and personas.member.language == "de"


def test_language_switcher_persists_the_choice_on_the_account(personas, client):
    client.force_login(personas.member)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    personas.member.refresh_from_db()
    assert personas.member.language == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_language_switcher_works_for_visitors_and_ignores_unknown_languages(db, client, personas):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    client.force_login(personas.member)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    personas.member.refresh_from_db()
    assert personas.member.language == "de"


def test_export_downloads_the_persons_data_as_json(personas, client):
    RoomFactory(club=personas.club, name="Mein Raum", created_by=personas.admin)
    AuditEntry.objects.create(action="test.action", actor=personas.admin, club=personas.club)
    client.force_login(personas.admin)
    response = client.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="herzdigital-daten-')
    data = json.loads(response.content)
    assert data["account"]["email"] == personas.admin.email
    [membership] = data["memberships"]
    assert (membership["club"], membership["role"], membership["type"]) == (
        "TSV Beispiel e.V.",
        "admin",
        "clubs.membership",
    )
    assert data["rooms_created"][0]["name"] == "Mein Raum"
    assert data["activity_log"][0]["action"] == "test.action"
    assert "password" not in response.content.decode()
    # nothing about other people
    assert personas.owner.email not in response.content.decode()


def test_sole_owner_cannot_delete_the_account(personas, client):
    client.force_login(personas.owner)
    page = client.get(reverse("accounts:delete")).content.decode()
    assert "Sie können Ihr Konto derzeit nicht löschen." in page
    assert "TSV Beispiel e.V." in page
    response = client.post(reverse("accounts:delete"), {"password": "correct-horse-battery"})
    assert response.status_code == 200
    assert User.objects.filter(pk=personas.owner.pk).exists()


def test_sole_owner_deletion_is_refused_by_the_service_too(personas):
    import pytest
    from django.core.exceptions import ValidationError

    from accounts import services

    with pytest.raises(ValidationError) as excinfo:
        services.user_delete(user=personas.owner)
    assert "Übertragen Sie zuerst die Inhaberschaft" in excinfo.value.messages[0]
    assert User.objects.filter(pk=personas.owner.pk).exists()


def test_owner_with_a_co_owner_can_delete(personas, client):
    MembershipFactory(club=personas.club, role=Role.OWNER)
    client.force_login(personas.owner)
    response = client.post(reverse("accounts:delete"), {"password": "correct-horse-battery"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=personas.owner.pk).exists()
    entry = AuditEntry.objects.get(action="account.deleted")
    assert entry.actor_label.startswith("Gelöschtes Konto ") and entry.target_id == str(personas.owner.pk)
    assert not AuditEntry.objects.filter(actor_label=personas.owner.email).exists()


def test_deletion_needs_the_password(personas, client):
    client.force_login(personas.member)
    response = client.post(reverse("accounts:delete"), {"password": "falsch"})
    assert "Das Passwort ist nicht richtig." in response.content.decode()
    assert User.objects.filter(pk=personas.member.pk).exists()
    client.post(reverse("accounts:delete"), {"password": "correct-horse-battery"})
    assert not User.objects.filter(pk=personas.member.pk).exists()
    assert not Membership.objects.filter(user_id=personas.member.pk).exists()


def test_member_of_a_closed_club_is_not_blocked(db, client):
    from clubs.models import Club

    user = UserFactory()
    MembershipFactory(user=user, role=Role.OWNER, club__status=Club.Status.CLOSED)
    client.force_login(user)
    client.post(reverse("accounts:delete"), {"password": "correct-horse-battery"})
    assert not User.objects.filter(pk=user.pk).exists()
