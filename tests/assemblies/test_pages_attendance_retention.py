"""The pages (vote from a phone, the chair's desk, the record and CSV), attendance from the sync, retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assemblies import attendance, services
from assemblies.models import Assembly, Motion, Participation, Presence
from bbb.types import Attendee
from tests.factories import MeetingFactory, ServerFactory

pytestmark = pytest.mark.django_db


def url(name, assembly, **kw):
    return reverse(
        name,
        kwargs={"club_slug": assembly.club.slug, "scheduled_meeting_id": assembly.scheduled_meeting_id, **kw},
    )


def test_chair_opens_member_votes_on_the_page_chair_closes_and_all_see_results(client, personas, assembly):
    client.force_login(personas.admin)
    client.post(url("assemblies:chair", assembly), {"title": "Entlastung", "options": "", "secret": ""})
    motion = Motion.objects.get(assembly=assembly)
    client.post(url("assemblies:motion_step", assembly, motion_id=motion.pk), {"action": "open"})
    client.force_login(personas.member)
    page = client.get(url("assemblies:detail", assembly)).content.decode()
    assert "Entlastung" in page and 'name="option"' in page
    yes = motion.options.get(label="Ja").pk
    with pytest.MonkeyPatch.context() as mp:  # a ballot costs no BBB call
        mp.setattr("bbb.client.BBBClient._request", lambda *a, **k: pytest.fail("BBB called"))
        client.post(url("assemblies:ballot", assembly, motion_id=motion.pk), {"option": yes})
    assert Participation.objects.get(motion=motion).option_id == yes
    client.force_login(personas.admin)
    client.post(url("assemblies:motion_step", assembly, motion_id=motion.pk), {"action": "close"})
    client.force_login(personas.owner)
    page = client.get(url("assemblies:detail", assembly)).content.decode()
    assert "Ergebnisse" in page and "Entlastung" in page
    response = client.post(url("assemblies:ballot", assembly, motion_id=motion.pk), {"option": yes}, follow=True)
    assert "geschlossen" in response.content.decode()
    assert Participation.objects.filter(motion=motion).count() == 1


def test_secret_ballot_receipt_lives_in_a_cookie_only(client, personas, assembly):
    motion = services.motion_create(assembly=assembly, actor=personas.admin, title="Wahl", options=[], secret=True)
    services.motion_open(motion=motion, actor=personas.admin)
    client.force_login(personas.member)
    response = client.post(
        url("assemblies:ballot", assembly, motion_id=motion.pk), {"option": motion.options.first().pk}
    )
    cookie = response.cookies[f"hd_ballot_{motion.pk}"]
    assert cookie["httponly"] and cookie.value
    from django.contrib.sessions.models import Session

    assert all(cookie.value not in str(s.get_decoded()) for s in Session.objects.all())
    # The same browser changes its ballot.
    client.post(url("assemblies:ballot", assembly, motion_id=motion.pk), {"option": motion.options.last().pk})
    closed = services.motion_close(motion=motion, actor=personas.admin)
    assert closed.results == {
        str(motion.options.first().pk): 0,
        str(motion.options.all()[1].pk): 0,
        str(motion.options.last().pk): 1,
    }


def test_members_who_are_not_hosts_cannot_reach_the_chair_desk(client, personas, assembly):
    client.force_login(personas.member)
    assert client.get(url("assemblies:chair", assembly)).status_code == 403
    assert client.get(url("assemblies:record", assembly)).status_code == 403


def test_the_vote_page_reads_only_the_database_with_few_queries(
    client, personas, assembly, django_assert_max_num_queries
):
    motion = services.motion_create(assembly=assembly, actor=personas.admin, title="A", options=[], secret=False)
    services.motion_open(motion=motion, actor=personas.admin)
    client.force_login(personas.member)
    with django_assert_max_num_queries(15):
        assert client.get(url("assemblies:detail", assembly)).status_code == 200


def _attendee(user_id, name):
    return Attendee(
        user_id=user_id,
        full_name=name,
        role="VIEWER",
        is_presenter=False,
        is_listening_only=False,
        has_joined_voice=False,
        has_video=False,
        client_type="HTML5",
    )


class Listed:
    def __init__(self, attendees):
        self.attendees = attendees


def _in_session(assembly):
    s = assembly.scheduled_meeting
    now = timezone.now()
    s.start_at, s.end_at = now - timedelta(minutes=5), now + timedelta(hours=2)
    s.save()
    return MeetingFactory(room=s.room, server=ServerFactory())


def test_sync_builds_presence_intervals_keyed_by_bbb_user_id(personas, assembly):
    meeting = _in_session(assembly)
    t0 = timezone.now()
    member = _attendee(f"hd-{personas.member.pk}", "Mia Mitglied")
    guest = _attendee("w_abc", "Gast Gerd")
    attendance.attendance_apply(None, listed=[(meeting, Listed([member, guest]))], ended=[], now=t0)
    attendance.attendance_apply(None, listed=[(meeting, Listed([member]))], ended=[], now=t0 + timedelta(seconds=30))
    rows = {p.bbb_user_id: p for p in Presence.objects.filter(assembly=assembly)}
    assert rows[member.user_id].user == personas.member and rows[member.user_id].left_at is None
    assert rows[member.user_id].last_seen_at == t0 + timedelta(seconds=30)
    assert rows["w_abc"].user is None and rows["w_abc"].left_at == t0 + timedelta(seconds=30)
    q = services.quorum_now(assembly=assembly)
    assert q.present == 1
    # Coming back opens a second interval; the meeting's end closes every open one.
    attendance.attendance_apply(
        None, listed=[(meeting, Listed([member, guest]))], ended=[], now=t0 + timedelta(seconds=60)
    )
    attendance.attendance_apply(None, listed=[], ended=[meeting], now=t0 + timedelta(seconds=90))
    assert Presence.objects.filter(assembly=assembly, bbb_user_id="w_abc").count() == 2
    assert not Presence.objects.filter(assembly=assembly, left_at__isnull=True).exists()


def test_attendance_is_not_recorded_when_the_assembly_did_not_opt_in(personas, assembly):
    Assembly.objects.filter(pk=assembly.pk).update(attendance_enabled=False)
    meeting = _in_session(assembly)
    attendance.attendance_apply(
        None, listed=[(meeting, Listed([_attendee("hd-1", "X")]))], ended=[], now=timezone.now()
    )
    assert not Presence.objects.exists()


def test_record_page_and_csv_list_attendance_quorum_and_results(client, personas, assembly):
    now = timezone.now()
    Presence.objects.create(
        assembly=assembly,
        bbb_user_id=f"hd-{personas.member.pk}",
        user=personas.member,
        full_name="Mia Mitglied",
        joined_at=now,
        last_seen_at=now,
    )
    motion = services.motion_create(
        assembly=assembly, actor=personas.admin, title="Haushalt 2026", options=[], secret=True
    )
    services.motion_open(motion=motion, actor=personas.admin)
    services.ballot_cast(motion=motion, user=personas.member, option_id=motion.options.get(label="Ja").pk)
    services.motion_close(motion=motion, actor=personas.admin)
    client.force_login(personas.admin)
    page = client.get(url("assemblies:record", assembly)).content.decode()
    assert "Mia Mitglied" in page and "Haushalt 2026" in page and "beschlussfähig" in page and "unversehrt" in page
    text = client.get(url("assemblies:record_csv", assembly)).content.decode()
    assert "Mia Mitglied" in text and "Haushalt 2026;Ja;1" in text and "Haushalt 2026;Nein;0" in text


def test_retention_deletes_attendance_after_the_club_period_and_keeps_votes(personas, assembly):
    now = timezone.now()
    Presence.objects.create(assembly=assembly, bbb_user_id="w_x", full_name="G", joined_at=now, last_seen_at=now)
    motion = services.motion_create(assembly=assembly, actor=personas.admin, title="A", options=[], secret=False)
    services.motion_open(motion=motion, actor=personas.admin)
    services.motion_close(motion=motion, actor=personas.admin)
    end = assembly.scheduled_meeting.end_at
    assert services.attendance_cleanup(now=end + timedelta(days=89)) == 0
    assert Presence.objects.exists()
    assert services.attendance_cleanup(now=end + timedelta(days=91)) == 1
    assert not Presence.objects.exists()
    assert Motion.objects.get(pk=motion.pk).state == Motion.State.CLOSED
    assembly.refresh_from_db()
    assert assembly.attendance_deleted_at is not None
    assert services.attendance_cleanup(now=end + timedelta(days=200)) == 0  # idempotent


def test_retention_follows_the_club_setting(personas, assembly):
    services.assembly_rules_update(
        club=personas.club,
        actor=personas.admin,
        notice_days=14,
        quorum_kind="none",
        quorum_value=0,
        attendance_retention_days=10,
    )
    now = timezone.now()
    Presence.objects.create(assembly=assembly, bbb_user_id="w_x", full_name="G", joined_at=now, last_seen_at=now)
    assert services.attendance_cleanup(now=assembly.scheduled_meeting.end_at + timedelta(days=11)) == 1


def test_record_without_attendance_and_without_a_minimum_says_so_plainly(client, personas, assembly):
    Assembly.objects.filter(pk=assembly.pk).update(attendance_enabled=False)
    assembly.refresh_from_db()
    motion = services.motion_create(assembly=assembly, actor=personas.admin, title="Satzung", options=[], secret=False)
    services.motion_open(motion=motion, actor=personas.admin)
    services.motion_close(motion=motion, actor=personas.admin)
    client.force_login(personas.admin)
    page = client.get(url("assemblies:record", assembly)).content.decode()
    assert "die Satzung verlangt keine Mindestzahl" in page and "— von" not in page
