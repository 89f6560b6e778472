"""A general assembly end to end through a real Celery worker and the BBB simulator (issue 18).

30 members join over the site's join view and the simulated client connects each of them; the sync,
run by the worker, builds the attendance; the chair runs an open and a secret vote on the pages; the
record (page and CSV) lists exactly those 30 people, the quorum at each opening and the results.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assemblies import services
from assemblies.models import Motion, Presence
from clubs.models import Role
from events.models import ScheduledMeeting
from meetings.models import Meeting
from meetings.tasks import sync_tick
from tests.factories import MembershipFactory, RoomFactory, ScheduledMeetingFactory
from tests.processes import celery_worker, connect, require_broker, wait_for

pytest_plugins = ["tests.sync_fixtures"]
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

JOINING = 30


@pytest.fixture(autouse=True)
def _broker_available() -> None:
    require_broker()


def page_url(name, assembly, **kw) -> str:
    kwargs = {"club_slug": assembly.club.slug, "scheduled_meeting_id": assembly.scheduled_meeting_id, **kw}
    return reverse(name, kwargs=kwargs)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def join(client: Client, room) -> None:
    response = client.post(f"/r/{room.friendly_id}/beitreten/")
    assert response.status_code == 302, response.content[:500]
    connect(response["Location"])


def run_vote(chair: Client, assembly, voters: list[Client], *, title: str, secret: bool, picks: list[str]) -> Motion:
    chair.post(
        page_url("assemblies:chair", assembly), {"title": title, "options": "", "secret": "on" if secret else ""}
    )
    motion = Motion.objects.get(assembly=assembly, title=title)
    chair.post(page_url("assemblies:motion_step", assembly, motion_id=motion.pk), {"action": "open"})
    labels = {o.label: o.pk for o in motion.options.all()}
    for voter, pick in zip(voters, picks, strict=True):
        response = voter.post(page_url("assemblies:ballot", assembly, motion_id=motion.pk), {"option": labels[pick]})
        assert response.status_code == 302
    chair.post(page_url("assemblies:motion_step", assembly, motion_id=motion.pk), {"action": "close"})
    return Motion.objects.get(pk=motion.pk)


def test_thirty_members_join_the_sync_records_attendance_and_the_record_matches(bbb_sim, personas, settings):
    settings.SYNC_GRACE_SECONDS = 0
    bbb_sim.server_row()
    room = RoomFactory(club=personas.club, name="Versammlung")
    scheduled = ScheduledMeetingFactory(room=room, title="Mitgliederversammlung")
    assembly = services.assembly_plan(
        scheduled=scheduled, actor=personas.owner, attendance_enabled=True, agenda=["Entlastung", "Haushalt"]
    )
    services.assembly_rules_update(
        club=personas.club,
        actor=personas.owner,
        notice_days=14,
        quorum_kind="percent",
        quorum_value=50,
        attendance_retention_days=90,
    )
    now = timezone.now()  # the invitation went out in time; today is the day
    ScheduledMeeting.objects.filter(pk=scheduled.pk).update(
        start_at=now - timedelta(minutes=5), end_at=now + timedelta(hours=2)
    )
    members = [
        MembershipFactory(club=personas.club, role=Role.MEMBER, user__name=f"Mitglied {n:02d}").user
        for n in range(JOINING - 1)
    ]
    chair = logged_in(personas.owner)
    join(chair, room)  # the first one in starts the meeting (the chair is a host)
    clients = [logged_in(user) for user in members]
    for client in clients:
        join(client, room)
    assert Meeting.objects.filter(room=room, ended_at__isnull=True).count() == 1

    with celery_worker():
        sync_tick.delay()
        assert wait_for(lambda: Presence.objects.filter(assembly=assembly).count() == JOINING, timeout=90)
    present = Presence.objects.filter(assembly=assembly, left_at__isnull=True)
    assert {p.user_id for p in present} == {personas.owner.pk, *(u.pk for u in members)}

    picks_open = ["Ja"] * 17 + ["Nein"] * 8 + ["Enthaltung"] * 4
    open_vote = run_vote(chair, assembly, clients, title="Entlastung des Vorstands", secret=False, picks=picks_open)
    picks_secret = ["Ja"] * 10 + ["Nein"] * 15 + ["Enthaltung"] * 4
    secret_vote = run_vote(chair, assembly, clients, title="Haushalt 2027", secret=True, picks=picks_secret)

    member_count = len(services.eligible_user_ids(club=personas.club, at=timezone.now()))  # 29 + the personas
    for motion, picks in ((open_vote, picks_open), (secret_vote, picks_secret)):
        assert motion.state == Motion.State.CLOSED
        assert (motion.member_count, motion.present_count) == (member_count, JOINING)
        assert motion.quorum_required == -(-member_count // 2) and motion.quorum_met is True
        results = {o.label: motion.results[str(o.pk)] for o in motion.options.all()}
        assert results == {label: picks.count(label) for label in ("Ja", "Nein", "Enthaltung")}
        assert motion.voter_count == len(picks)
    assembly.refresh_from_db()
    assert services.assembly_chain_verify(assembly=assembly)

    page = chair.get(page_url("assemblies:record", assembly)).content.decode()
    assert all(f"Mitglied {n:02d}" in page for n in range(JOINING - 1))
    assert "Entlastung des Vorstands" in page and "Haushalt 2027" in page
    rows = list(
        csv.reader(io.StringIO(chair.get(page_url("assemblies:record_csv", assembly)).content.decode()), delimiter=";")
    )
    names = {p.full_name for p in present}
    assert len(names) == JOINING and all(any(name in row for row in rows) for name in names)
    results_rows = {(r[1], r[2]): r[3] for r in rows if r and r[0] == "Ergebnis"}
    assert results_rows[("Entlastung des Vorstands", "Ja")] == "17"
    assert results_rows[("Haushalt 2027", "Nein")] == "15"
