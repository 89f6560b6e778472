"""Planning an assembly: the club's notice period, the invitation to every member, the agenda, the quorum rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from assemblies import services
from assemblies.models import Assembly, AssemblyRules
from events import services as event_services
from events.models import ScheduledMeeting
from tests.events.helpers import plan

pytestmark = pytest.mark.django_db


def test_assembly_with_too_short_notice_is_refused_with_the_earliest_date(personas, meeting_in, set_rules):
    set_rules(notice_days=14)
    scheduled = meeting_in(13)
    with pytest.raises(ValidationError) as exc:
        services.assembly_plan(scheduled=scheduled, actor=personas.admin, attendance_enabled=False, agenda=[])
    message = exc.value.messages[0]
    assert "Einladungsfrist" in message and "14 Tage" in message and "frühestens am" in message
    assert not hasattr(ScheduledMeeting.objects.get(pk=scheduled.pk), "assembly")


def test_assembly_within_the_notice_period_is_planned_with_its_agenda(personas, meeting_in):
    before = timezone.now()
    assembly = services.assembly_plan(
        scheduled=meeting_in(15), actor=personas.admin, attendance_enabled=True, agenda=["Bericht", "", "  Wahlen "]
    )
    assert [(i.position, i.title) for i in assembly.agenda.all()] == [(1, "Bericht"), (2, "Wahlen")]
    assert assembly.chair == personas.admin
    assert before <= assembly.invited_at <= timezone.now()  # the notice period counts from now


def test_a_shorter_club_notice_period_allows_an_earlier_assembly(plan_assembly, set_rules):
    set_rules(notice_days=7)
    assert plan_assembly(days=8)


def test_a_weekly_series_cannot_be_an_assembly(personas, meeting_in):
    scheduled = meeting_in(30, recurrence=ScheduledMeeting.Recurrence.WEEKLY)
    with pytest.raises(ValidationError, match="einzelner Termin"):
        services.assembly_plan(scheduled=scheduled, actor=personas.admin, attendance_enabled=False, agenda=[])


def test_planning_invites_every_member_and_mails_them_the_assembly_invitation(
    personas, room, celery_eager, django_capture_on_commit_callbacks
):
    day = timezone.localdate() + timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = plan(club=personas.club, room=room, by=personas.admin, day=day, guest_emails=["gast@example.org"])
    assert [m.to for m in mail.outbox] == [["gast@example.org"]]  # the meeting as planned: the guest only
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.assembly_plan(scheduled=scheduled, actor=personas.admin, attendance_enabled=True, agenda=["Wahlen"])
    by_address = {m.to[0]: m for m in mail.outbox}
    members = {u.email for u in (personas.owner, personas.admin, personas.member)}
    assert set(by_address) == members | {"gast@example.org"}
    assert by_address["gast@example.org"].subject.startswith("Geändert: ")  # told before: the update
    for address in members:
        message = by_address[address]
        assert message.subject.startswith("Einladung: ")
        assert "so nehmen Sie elektronisch teil" in message.body and "1. Wahlen" in message.body
        assert "Ihr persönlicher Link" in message.body and "Anwesenheit erfasst" in message.body
    assert personas.outsider.email not in by_address


def test_planning_is_refused_and_nothing_saved_when_the_invitations_exceed_the_mail_budget(personas, meeting_in):
    personas.club.mail_daily_limit = 2  # three members to invite
    personas.club.save(update_fields=["mail_daily_limit"])
    scheduled = meeting_in(30)
    with pytest.raises(ValidationError, match="E-Mails"):
        services.assembly_plan(scheduled=scheduled, actor=personas.admin, attendance_enabled=False, agenda=["A"])
    assert not Assembly.objects.exists() and not scheduled.invitees.exists()
    assert ScheduledMeeting.objects.get(pk=scheduled.pk).sequence == 0


def test_an_assembly_invites_every_member_beyond_the_invitee_cap_but_not_more_guests(personas, meeting_in, settings):
    settings.EVENT_MAX_INVITEES = 2  # the club has three members
    members = list(personas.club.memberships.values_list("user_id", flat=True))
    scheduled = meeting_in(30)
    with pytest.raises(ValidationError, match="höchstens 2 Personen"):  # an ordinary meeting is capped
        event_services.scheduled_meeting_update(
            scheduled=scheduled, changed_by=personas.admin, member_ids=members, guest_emails=[]
        )
    services.assembly_plan(scheduled=scheduled, actor=personas.admin, attendance_enabled=False, agenda=[])
    assert set(scheduled.invitees.values_list("user_id", flat=True)) == set(members)
    event_services.scheduled_meeting_update(  # the edit form's "all members" passes too
        scheduled=scheduled, changed_by=personas.admin, member_ids=members, guest_emails=["a@example.org"]
    )
    with pytest.raises(ValidationError, match="höchstens 2 Personen"):
        event_services.scheduled_meeting_update(
            scheduled=scheduled,
            changed_by=personas.admin,
            member_ids=members,
            guest_emails=["a@example.org", "b@example.org", "c@example.org"],
        )


def test_changing_the_agenda_sends_the_invited_an_update(
    personas, assembly, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.assembly_update(assembly=assembly, attendance_enabled=True, agenda=["Neu 1", "Neu 2"])
    mail.outbox.clear()  # the invitations owed since planning (on_commit does not run for the fixture)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.assembly_update(assembly=assembly, attendance_enabled=True, agenda=["Neu 1", "Neu 3"])
    assert [i.title for i in assembly.agenda.all()] == ["Neu 1", "Neu 3"]
    assert len(mail.outbox) == 3 and all("2. Neu 3" in m.body for m in mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert not services.assembly_update(assembly=assembly, attendance_enabled=True, agenda=["Neu 1", "Neu 3"])
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("kind", "value", "members", "required"),
    [("none", 0, 40, 0), ("percent", 10, 40, 4), ("percent", 10, 41, 5), ("percent", 50, 3, 2), ("count", 7, 40, 7)],
)
def test_quorum_arithmetic(kind, value, members, required):
    assert AssemblyRules(quorum_kind=kind, quorum_value=value).required_present(members) == required


@pytest.mark.parametrize(("kind", "value"), [("percent", 150), ("percent", 0), ("count", 0)])
def test_a_quorum_rule_out_of_range_is_refused(set_rules, kind, value):
    with pytest.raises(ValidationError):
        set_rules(quorum_kind=kind, quorum_value=value)
