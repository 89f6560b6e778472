"""The approval queue tells staff truthfully whether an applicant confirmed the email address (issue 16, item 4)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.urls import reverse

from clubs.models import Club, Role
from tests.factories import ClubFactory, MembershipFactory, UserFactory


def test_application_queue_shows_email_confirmed_only_for_applicants_who_confirmed(staff_client):
    # Other people's addresses first, so that no club id happens to equal an EmailAddress id.
    for _ in range(5):
        UserFactory()
    confirmed = ClubFactory(name="Bestätigt e.V.", status=Club.Status.PENDING, approved_at=None)
    MembershipFactory(club=confirmed, role=Role.OWNER, user=UserFactory(email="ja@example.org"))
    unconfirmed = ClubFactory(name="Unbestätigt e.V.", status=Club.Status.PENDING, approved_at=None)
    MembershipFactory(club=unconfirmed, role=Role.OWNER, user=UserFactory(email="nein@example.org", verified=False))
    EmailAddress.objects.create(user=unconfirmed.memberships.get().user, email="nein@example.org", verified=False)

    response = staff_client.get(reverse("admin:clubs_clubapplication_changelist"))
    rows = {c.name: c.applicant_verified for c in response.context["cl"].result_list}
    assert rows == {"Bestätigt e.V.": True, "Unbestätigt e.V.": False}
    html = response.content.decode()
    row = {name: next(r for r in html.split("<tr") if f">{name}</a>" in r) for name in rows}
    assert "icon-yes.svg" in row["Bestätigt e.V."].split("field-email_verified")[1]
    assert "icon-no.svg" in row["Unbestätigt e.V."].split("field-email_verified")[1]


def test_application_page_shows_email_confirmed(staff_client):
    club = ClubFactory(name="Geprüft e.V.", status=Club.Status.PENDING, approved_at=None)
    for _ in range(3):
        UserFactory()
    MembershipFactory(club=club, role=Role.OWNER, user=UserFactory(email="geprueft@example.org"))
    html = staff_client.get(reverse("admin:clubs_clubapplication_change", args=[club.pk])).content.decode()
    verified_field = html.split("field-email_verified")[1].split("field-terms_accepted")[0]
    assert "icon-yes.svg" in verified_field, verified_field
