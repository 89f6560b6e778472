from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from clubs.models import AuditEntry, Club, Membership, Role
from tests.factories import ClubFactory, UserFactory

URL = "/verein-anmelden/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def form_data(**overrides):
    data = {
        "name": "Lauftreff Nord e.V.",
        "kind": "sport",
        "description": "Wir laufen jeden Samstag.",
        "contact_name": "Lena Läufer",
        "email": "lena@example.org",
        "phone": "",
        "password1": "ein-sehr-gutes-passwort-42",
        "password2": "ein-sehr-gutes-passwort-42",
        "accept_terms": "on",
    }
    data.update(overrides)
    return data


def nothing_written(before_clubs: int, before_users: int) -> bool:
    return Club.objects.count() == before_clubs and User.objects.count() == before_users


def test_registration_creates_pending_club_owner_and_sends_verification(client, db, django_capture_on_commit_callbacks):
    assert reverse("clubs:register") == URL
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("clubs:register_done")
    club = Club.objects.get(name="Lauftreff Nord e.V.")
    assert club.status == Club.Status.PENDING
    assert club.slug == "lauftreff-nord-ev"
    assert club.terms_accepted_at is not None
    user = User.objects.get(email="lena@example.org")
    assert user.check_password("ein-sehr-gutes-passwort-42")
    assert Membership.objects.get(club=club, user=user).role == Role.OWNER
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lena@example.org"]
    assert "/konto/confirm-email/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="club.registered", club=club).exists()
    done = client.get(response["Location"])
    assert "So geht es weiter" in done.content.decode()
    assert "lena@example.org" in done.content.decode()


def test_umlauts_are_spelled_out_in_the_slug(client, db):
    client.post(URL, form_data(name="Schützenverein Übersee"))
    assert Club.objects.get(name="Schützenverein Übersee").slug == "schuetzenverein-uebersee"


def test_duplicate_club_name_is_refused_and_nothing_is_written(client, db):
    ClubFactory(name="Lauftreff Nord e.V.")
    clubs, users = Club.objects.count(), User.objects.count()
    response = client.post(URL, form_data(name="  lauftreff   NORD e.V. "))
    assert response.status_code == 200
    assert "Ein Verein mit diesem Namen ist bereits angemeldet" in response.content.decode()
    assert nothing_written(clubs, users)
    assert not EmailAddress.objects.filter(email="lena@example.org").exists()
    assert mail.outbox == []


def test_email_with_an_existing_account_writes_nothing_and_tells_only_the_owner(
    client, db, django_capture_on_commit_callbacks
):
    UserFactory(email="lena@example.org")
    clubs, users = Club.objects.count(), User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data(email="LENA@example.org"))
    assert response.status_code == 302 and response["Location"] == reverse("clubs:register_done")
    assert nothing_written(clubs, users)
    assert [m.to for m in mail.outbox] == [["lena@example.org"]]
    assert "bereits ein Konto" in mail.outbox[0].body


def test_a_logged_in_volunteer_registers_a_second_club_with_her_own_account(client, db):
    """Issue 16, item 11: no new account, no address or password to type; she owns the new, pending club."""
    first = ClubFactory(name="Lauftreff Süd e.V.")
    lena = UserFactory(email="lena@example.org", name="Lena Läufer")
    Membership.objects.create(club=first, user=lena, role=Role.MEMBER)
    client.force_login(lena)
    page = client.get(URL).content.decode()
    assert 'name="email"' not in page and 'name="password1"' not in page
    assert "lena@example.org" in page and 'value="Lena Läufer"' in page
    users = User.objects.count()
    data = {k: v for k, v in form_data().items() if k not in {"email", "password1", "password2"}}
    response = client.post(URL, data)
    club = Club.objects.get(name="Lauftreff Nord e.V.")
    assert response.status_code == 302 and response["Location"] == reverse("clubs:dashboard", args=[club.slug])
    assert User.objects.count() == users
    assert club.status == Club.Status.PENDING and club.contact_email == "lena@example.org"
    assert Membership.objects.get(club=club, user=lena).role == Role.OWNER
    dashboard = client.get(response["Location"]).content.decode()
    assert "wartet auf die Freigabe" in dashboard and "Werktagen" in dashboard


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password2": "etwas-anderes-99"}, "Die beiden Passwörter stimmen nicht überein."),
        ({"accept_terms": ""}, "Bitte stimmen Sie den Nutzungsbedingungen und Datenschutzhinweisen zu."),
        ({"password1": "kurz", "password2": "kurz"}, "Dieses Passwort ist zu kurz"),
        ({"email": "keine-adresse"}, "gültige E-Mail-Adresse"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_written(client, db, overrides, message):
    response = client.post(URL, form_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert nothing_written(0, 0)
    # what was typed is kept (except passwords)
    assert "Lauftreff Nord e.V." in response.content.decode()


def test_registration_is_rate_limited_per_ip(client, db):
    for i in range(10):
        client.post(URL, form_data(name=f"Verein {i}", email=f"v{i}@example.org"))
    response = client.post(URL, form_data(name="Noch einer", email="noch@example.org"))
    assert response.status_code == 429
    assert "Zu viele Anmeldungen" in response.content.decode()
    assert not Club.objects.filter(name="Noch einer").exists()


def test_pending_club_can_be_seen_by_its_owner_after_verification_but_not_create_rooms(client, db):
    client.post(URL, form_data())
    user = User.objects.get(email="lena@example.org")
    club = Club.objects.get(name="Lauftreff Nord e.V.")
    client.force_login(user)
    response = client.get(reverse("clubs:dashboard", kwargs={"club_slug": club.slug}))
    assert response.status_code == 200
    assert "wartet auf die Freigabe" in response.content.decode()
    from clubs import permissions

    assert not permissions.can_manage_rooms(Membership.objects.get(user=user))


def test_the_service_alone_sends_a_verification_link_to_the_site_url(db, django_capture_on_commit_callbacks):
    from clubs import services

    with django_capture_on_commit_callbacks(execute=True):
        club = services.club_register(
            name="Elternbeirat Grundschule",
            kind="eltern",
            contact_name="Emil Eltern",
            email="Emil@Example.org",
            password="ein-sehr-gutes-passwort-42",
            description="",
            phone="",
            language="en",
        )
    assert club.contact_email == "emil@example.org"
    assert User.objects.get(email="emil@example.org").language == "en"
    assert "http://testserver/konto/confirm-email/" in mail.outbox[0].body
