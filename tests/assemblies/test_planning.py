"""Planning an assembly: the club's notice period, the agenda, the rules and their quorum arithmetic."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from assemblies import services
from assemblies.models import AssemblyRules
from events.models import ScheduledMeeting
from tests.assemblies.conftest import scheduled_in

pytestmark = pytest.mark.django_db


def test_assembly_with_too_short_notice_is_refused_with_the_earliest_date(personas, room):
    services.assembly_rules_update(
        club=personas.club,
        actor=personas.admin,
        notice_days=14,
        quorum_kind="none",
        quorum_value=0,
        attendance_retention_days=90,
    )
    scheduled = scheduled_in(personas.club, room, days=13)
    with pytest.raises(ValidationError) as exc:
        services.assembly_plan(scheduled=scheduled, actor=personas.admin, attendance_enabled=False, agenda=[])
    message = exc.value.messages[0]
    assert "Einladungsfrist" in message and "14 Tage" in message and "frühestens am" in message
    assert not hasattr(ScheduledMeeting.objects.get(pk=scheduled.pk), "assembly")


def test_assembly_within_the_notice_period_is_planned_with_its_agenda(personas, room):
    scheduled = scheduled_in(personas.club, room, days=15)
    assembly = services.assembly_plan(
        scheduled=scheduled, actor=personas.admin, attendance_enabled=True, agenda=["Bericht", "", "  Wahlen "]
    )
    assert [(i.position, i.title) for i in assembly.agenda.all()] == [(1, "Bericht"), (2, "Wahlen")]
    assert assembly.chair == personas.admin


def test_a_shorter_club_notice_period_allows_an_earlier_assembly(personas, room):
    services.assembly_rules_update(
        club=personas.club,
        actor=personas.admin,
        notice_days=7,
        quorum_kind="none",
        quorum_value=0,
        attendance_retention_days=90,
    )
    scheduled = scheduled_in(personas.club, room, days=8)
    assert services.assembly_plan(scheduled=scheduled, actor=personas.admin, attendance_enabled=False, agenda=[])


def test_a_weekly_series_cannot_be_an_assembly(personas, room):
    scheduled = scheduled_in(personas.club, room, days=30)
    scheduled.recurrence = ScheduledMeeting.Recurrence.WEEKLY
    scheduled.save()
    with pytest.raises(ValidationError, match="einzelner Termin"):
        services.assembly_plan(scheduled=scheduled, actor=personas.admin, attendance_enabled=False, agenda=[])


def test_agenda_is_editable(assembly):
    services.assembly_update(assembly=assembly, attendance_enabled=True, agenda=["Neu 1", "Neu 2"])
    assert [i.title for i in assembly.agenda.all()] == ["Neu 1", "Neu 2"]


@pytest.mark.parametrize(
    ("kind", "value", "members", "required"),
    [("none", 0, 40, 0), ("percent", 10, 40, 4), ("percent", 10, 41, 5), ("percent", 50, 3, 2), ("count", 7, 40, 7)],
)
def test_quorum_arithmetic(kind, value, members, required):
    assert AssemblyRules(quorum_kind=kind, quorum_value=value).required_present(members) == required


def test_percent_rule_outside_1_to_100_is_refused(personas):
    with pytest.raises(ValidationError):
        services.assembly_rules_update(
            club=personas.club,
            actor=personas.admin,
            notice_days=14,
            quorum_kind="percent",
            quorum_value=150,
            attendance_retention_days=90,
        )
