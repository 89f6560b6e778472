"""Staff reach the admin through allauth's login with a second factor, never through the admin form."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.admin.conftest import PASSWORD


def test_admin_login_page_redirects_to_allauth_login(db):
    response = Client().get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_anonymous_visitor_of_the_admin_is_sent_to_the_login(db):
    response = Client().get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_staff_with_totp_must_enter_the_code_before_the_admin_opens(staff):
    client = Client()
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("admin:index")).status_code == 302  # not logged in yet


def test_staff_logged_in_with_password_and_code_sees_the_admin(staff_client):
    response = staff_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "herzdigital – Verwaltung" in response.content.decode()


def test_staff_without_a_second_factor_cannot_reach_the_admin(db):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    response = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] != reverse("mfa_authenticate")
    for name in ("admin:index", "admin:clubs_club_changelist", "admin:meetings_server_changelist"):
        url = reverse(name)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
