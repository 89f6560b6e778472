"""Statistics as CSV: per club (the statistics page's months) and service-wide (staff), the same figures."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from meetings.stats import club_monthly_stats, clubs_usage, this_month
from tests.factories import ClubFactory, MeetingFactory, RoomFactory


def rows_of(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def meetings_for(club, *, now):
    room = RoomFactory(club=club, name="Vorstand")
    MeetingFactory(room=room, started_at=now, participant_seconds=3 * 3600, peak_participants=9, ended_at=now)
    MeetingFactory(room=room, started_at=now, participant_seconds=1800, peak_participants=4, ended_at=now)
    return room


def test_club_csv_has_the_figures_of_the_statistics_page(client, personas):
    now = timezone.now()
    meetings_for(personas.club, now=now)
    client.force_login(personas.owner)
    response = client.get(reverse("meetings:statistics_csv", kwargs={"club_slug": personas.club.slug}))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="statistik-{personas.club.slug}.csv"' in response["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0] == [
        "Monat",
        "Besprechungen",
        "Teilnehmendenstunden",
        "Höchstzahl gleichzeitig",
        "Meistgenutzte Räume",
    ]
    months = club_monthly_stats(club=personas.club, months=12)
    assert len(rows) == 13
    assert rows[1] == [months[0].month.strftime("%Y-%m"), "2", "3.5", "9", "Vorstand (2, 3.5)"]
    page = client.get(reverse("meetings:statistics", kwargs={"club_slug": personas.club.slug})).content.decode()
    assert "3,5" in page and 'href="/c/tsv-beispiel/statistik.csv"' in page


def test_club_csv_is_only_for_those_who_may_see_statistics(client, personas):
    url = reverse("meetings:statistics_csv", kwargs={"club_slug": personas.club.slug})
    client.force_login(personas.outsider)
    assert client.get(url).status_code == 404


def test_service_csv_lists_every_club_of_the_month_with_a_total_for_staff_only(client, personas, settings):
    settings.STAFF_REQUIRE_MFA = False  # the MFA gate of the admin is tested in tests/admin/test_login.py
    now = timezone.now()
    meetings_for(personas.club, now=now)
    other = ClubFactory(name="Chor Süd")
    MeetingFactory(room=RoomFactory(club=other), started_at=now, participant_seconds=7200, peak_participants=30)
    MeetingFactory(room=RoomFactory(club=other), started_at=now - timedelta(days=70), participant_seconds=99999)
    url = reverse("service_statistics_csv")
    client.force_login(personas.member)
    assert client.get(url).status_code == 302  # to the admin login
    client.force_login(personas.staff)
    rows = rows_of(client.get(url))
    assert rows[0] == ["Verein", "Kurzname", "Besprechungen", "Teilnehmendenstunden", "Höchstzahl gleichzeitig"]
    assert rows[1:] == [
        ["TSV Beispiel e.V.", "tsv-beispiel", "2", "3.5", "9"],
        ["Chor Süd", other.slug, "1", "2.0", "30"],
        ["Summe", "", "3", "5.5", ""],
    ]
    # The dashboard's busiest clubs are the same figures.
    assert [(c["name"], c["participant_hours"]) for c in clubs_usage(month=this_month(), limit=10)] == [
        ("TSV Beispiel e.V.", 3.5),
        ("Chor Süd", 2.0),
    ]
    earlier = (now - timedelta(days=70)).strftime("%Y-%m")
    assert rows_of(client.get(url, {"monat": earlier}))[-1][2] == "1"
    assert client.get(url, {"monat": "kein-monat"}).status_code == 404
