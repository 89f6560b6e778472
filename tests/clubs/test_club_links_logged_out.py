"""Club links in emails work for someone who is logged out (issue 16, item 3)."""

from __future__ import annotations

from django.urls import reverse

from clubs.models import Role
from tests.e2e.helpers import PASSWORD
from tests.factories import ClubFactory, MembershipFactory, UserFactory


def test_anonymous_visitor_of_a_club_link_is_sent_to_the_login_page_and_back(client, db):
    club = ClubFactory(slug="tsv-beispiel")
    owner = MembershipFactory(club=club, role=Role.OWNER).user
    url = reverse("clubs:members", kwargs={"club_slug": club.slug})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"
    response = client.post(response["Location"], {"login": owner.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == url


def test_anonymous_visitor_learns_nothing_about_whether_a_club_exists(client, db):
    ClubFactory(slug="gibt-es")
    existing = client.get(reverse("clubs:dashboard", kwargs={"club_slug": "gibt-es"}))
    missing = client.get(reverse("clubs:dashboard", kwargs={"club_slug": "gibt-es-nicht"}))
    assert existing.status_code == missing.status_code == 302


def test_logged_in_outsider_still_gets_404(client, db):
    club = ClubFactory(slug="fremd")
    client.force_login(UserFactory())
    assert client.get(reverse("clubs:dashboard", kwargs={"club_slug": club.slug})).status_code == 404
