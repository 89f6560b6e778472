"""Finding 10: an unverified address never blocks its real owner; registration does not enumerate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from clubs.models import Club, Invitation, Membership, Role
from tests.factories import UserFactory

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


def test_a_squatted_unverified_address_does_not_block_the_real_owner(client, db):
    client.post(URL, form_data(name="Fake e.V.", contact_name="Sam Squatter"))
    squatter = User.objects.get(email="lena@example.org")
    assert not EmailAddress.objects.get(user=squatter).verified
    response = client.post(URL, form_data())
    assert response["Location"] == reverse("clubs:register_done")
    lena = User.objects.get(email="lena@example.org")
    assert lena.pk != squatter.pk and lena.name == "Lena Läufer"
    assert not Club.objects.filter(name="Fake e.V.").exists()  # the squatter's pending club went with it
    assert Membership.objects.get(user=lena).club.name == "Lauftreff Nord e.V."


def test_a_verified_address_stays_with_its_owner(client, db, django_capture_on_commit_callbacks):
    UserFactory(email="lena@example.org", name="Lena")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data(contact_name="Someone Else"))
    assert User.objects.get(email="lena@example.org").name == "Lena"
    assert not Club.objects.filter(name="Lauftreff Nord e.V.").exists()
    assert "bereits ein Konto" in mail.outbox[-1].body


def test_registration_answers_the_same_for_known_and_unknown_addresses(client, db):
    UserFactory(email="bekannt@example.org")
    known = client.post(URL, form_data(email="bekannt@example.org"))
    fresh = client.post(URL, form_data(name="Anderer Verein e.V.", email="neu@example.org"))
    assert known.status_code == fresh.status_code == 302
    assert known["Location"] == fresh["Location"]


def test_a_squatter_with_another_verified_address_keeps_the_account_but_not_the_address(db):
    from accounts.addresses import address_release_unverified

    squatter = UserFactory(email="mein@example.org")
    User.objects.filter(pk=squatter.pk).update(email="lena@example.org")
    EmailAddress.objects.create(user=squatter, email="lena@example.org", verified=False)
    address_release_unverified(email="lena@example.org")
    squatter.refresh_from_db()
    assert squatter.email == "mein@example.org"
    assert not EmailAddress.objects.filter(email="lena@example.org").exists()


def test_an_invited_person_is_not_blocked_by_an_unverified_squat(personas, client):
    squatter = UserFactory(email="neu@example.org", verified=False)
    EmailAddress.objects.create(user=squatter, email="neu@example.org", verified=False)
    invitation = Invitation.objects.create(
        club=personas.club,
        email="neu@example.org",
        role=Role.MEMBER,
        expires_at=timezone.now() + timedelta(days=14),
    )
    url = reverse("clubs:invitation_accept", kwargs={"token": invitation.token})
    assert "gibt es bereits ein Konto" not in client.get(url).content.decode()
    data = {"name": "Nora", "language": "de", "password1": "sicheres-passwort-77", "password2": "sicheres-passwort-77"}
    assert client.post(url, data).status_code == 302
    nora = User.objects.get(email="neu@example.org")
    assert nora.pk != squatter.pk and Membership.objects.filter(club=personas.club, user=nora).exists()
