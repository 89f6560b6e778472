"""The pages: voting from a phone, the chair's desk, the record and its CSV (all read the database only)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session

from assemblies import services
from assemblies.models import Assembly, Motion, Participation
from tests.assemblies.helpers import option
from tests.factories import PresenceFactory

pytestmark = pytest.mark.django_db


def test_chair_opens_member_votes_on_the_page_chair_closes_and_all_see_results(
    client, personas, assembly, assembly_url
):
    client.force_login(personas.admin)
    client.post(assembly_url("assemblies:chair", assembly), {"title": "Entlastung", "options": "", "secret": ""})
    motion = Motion.objects.get(assembly=assembly)
    client.post(assembly_url("assemblies:motion_step", assembly, motion_id=motion.pk), {"action": "open"})
    client.force_login(personas.member)
    page = client.get(assembly_url("assemblies:detail", assembly)).content.decode()
    assert "Entlastung" in page and 'name="option"' in page
    ballot = assembly_url("assemblies:ballot", assembly, motion_id=motion.pk)
    with pytest.MonkeyPatch.context() as mp:  # a ballot costs no BBB call
        mp.setattr("bbb.client.BBBClient._request", lambda *a, **k: pytest.fail("BBB called"))
        client.post(ballot, {"option": option(motion, "Ja")})
    assert Participation.objects.get(motion=motion).option_id == option(motion, "Ja")
    client.force_login(personas.admin)
    client.post(assembly_url("assemblies:motion_step", assembly, motion_id=motion.pk), {"action": "close"})
    client.force_login(personas.owner)
    page = client.get(assembly_url("assemblies:detail", assembly)).content.decode()
    assert "Ergebnisse" in page and "Entlastung" in page
    response = client.post(ballot, {"option": option(motion, "Ja")}, follow=True)
    assert "geschlossen" in response.content.decode()
    assert Participation.objects.filter(motion=motion).count() == 1


def test_secret_ballot_receipt_lives_in_a_cookie_only(client, personas, assembly, assembly_url, open_vote):
    motion = open_vote(assembly, title="Wahl", secret=True)
    ballot = assembly_url("assemblies:ballot", assembly, motion_id=motion.pk)
    client.force_login(personas.member)
    response = client.post(ballot, {"option": option(motion, "Ja")})
    cookie = response.cookies[f"hd_ballot_{motion.pk}"]
    assert cookie["httponly"] and cookie.value
    assert all(cookie.value not in str(s.get_decoded()) for s in Session.objects.all())
    client.post(ballot, {"option": option(motion, "Enthaltung")})  # the same browser changes its ballot
    closed = services.motion_close(motion=motion, actor=personas.admin)
    assert closed.results == {
        str(option(motion, "Ja")): 0,
        str(option(motion, "Nein")): 0,
        str(option(motion, "Enthaltung")): 1,
    }


def test_the_vote_page_reads_only_the_database_with_few_queries(
    client, personas, assembly, assembly_url, open_vote, django_assert_max_num_queries
):
    open_vote(assembly)
    client.force_login(personas.member)
    with django_assert_max_num_queries(15):
        assert client.get(assembly_url("assemblies:detail", assembly)).status_code == 200


def test_record_page_and_csv_list_invitation_attendance_quorum_and_results(
    client, personas, assembly, assembly_url, closed_vote
):
    PresenceFactory(assembly=assembly, user=personas.member, full_name="Mia Mitglied")
    closed_vote(assembly, title="Haushalt 2026", secret=True, ballots={personas.member: "Ja"})
    client.force_login(personas.admin)
    page = client.get(assembly_url("assemblies:record", assembly)).content.decode()
    assert "Mia Mitglied" in page and "Haushalt 2026" in page and "beschlussfähig" in page and "unversehrt" in page
    assert "Eingeladen am" in page
    text = client.get(assembly_url("assemblies:record_csv", assembly)).content.decode()
    assert "Mia Mitglied" in text and "Haushalt 2026;Ja;1" in text and "Haushalt 2026;Nein;0" in text
    assert "Eingeladen am;" in text


def test_record_without_attendance_and_without_a_minimum_says_so_plainly(
    client, personas, assembly, assembly_url, closed_vote
):
    Assembly.objects.filter(pk=assembly.pk).update(attendance_enabled=False)
    assembly.refresh_from_db()
    closed_vote(assembly, title="Satzung")
    client.force_login(personas.admin)
    page = client.get(assembly_url("assemblies:record", assembly)).content.decode()
    assert "die Satzung verlangt keine Mindestzahl" in page and "— von" not in page
