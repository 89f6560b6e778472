"""allauth's own pages (konto/), which the permission matrix leaves out, and the staff MFA rule."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_there_is_no_open_signup(db, client):
    response = client.get(reverse("account_signup"))
    assert "signup_closed" in response.templates[0].name or response.status_code in (302, 403)


def test_login_by_email_with_remember_me(db, client):
    UserFactory(email="anna@example.org")
    page = client.get(reverse("account_login")).content.decode()
    assert 'name="remember"' in page
    response = client.post(reverse("account_login"), {"login": "anna@example.org", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_unverified_email_cannot_log_in(db, client):
    UserFactory(email="neu@example.org", verified=False)
    response = client.post(reverse("account_login"), {"login": "neu@example.org", "password": "correct-horse-battery"})
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_failed_logins_are_rate_limited(db, client):
    UserFactory(email="anna@example.org")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "anna@example.org", "password": "falsch"})
    response = client.post(reverse("account_login"), {"login": "anna@example.org", "password": "correct-horse-battery"})
    assert response.status_code in (200, 429)
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_admin_login_goes_through_allauth(db, client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_mfa_pages_need_a_login(db, client):
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_staff_without_totp_is_sent_to_set_it_up(db, client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get(reverse("admin:index"), follow=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    page = client.get(response["Location"], follow=True).content.decode()
    assert "Für den Zugang zur Verwaltung brauchen Sie die Zwei-Faktor-Authentifizierung." in page


def test_staff_with_totp_reaches_the_admin(db, client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_recovery_codes_alone_are_not_enough(db, client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    Authenticator.objects.create(user=staff, type=Authenticator.Type.RECOVERY_CODES, data={})
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_rule_can_be_switched_off(db, client, settings):
    settings.STAFF_REQUIRE_MFA = False
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_non_staff_pages_are_not_affected(personas, client):
    client.force_login(personas.staff)
    assert client.get(reverse("accounts:profile")).status_code == 200
