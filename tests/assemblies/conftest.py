"""Shared setup of the assembly tests: the club's room and rules, an assembly three weeks ahead, votes, page URLs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from assemblies import services
from assemblies.models import Assembly, AssemblyRules, Motion
from events.models import ScheduledMeeting
from tests.assemblies.helpers import option
from tests.factories import RoomFactory, ScheduledMeetingFactory

AGENDA = ["Bericht des Vorstands", "Entlastung des Vorstands", "Wahlen"]


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club, name="Vereinsheim")


@pytest.fixture
def meeting_in(room) -> Callable[..., ScheduledMeeting]:
    """A scheduled meeting in the club's room that starts ``days`` from now (not yet an assembly)."""

    def meeting_in(days: float, **fields: Any) -> ScheduledMeeting:
        return ScheduledMeetingFactory(room=room, start_at=timezone.now() + timedelta(days=days), **fields)

    return meeting_in


@pytest.fixture
def set_rules(personas) -> Callable[..., AssemblyRules]:
    """The club's statutes through the service: 14 days' notice, no quorum, 90 days' retention unless given."""

    def set_rules(**changes: Any) -> AssemblyRules:
        values = {"notice_days": 14, "quorum_kind": "none", "quorum_value": 0, "attendance_retention_days": 90}
        return services.assembly_rules_update(club=personas.club, actor=personas.admin, **{**values, **changes})

    return set_rules


@pytest.fixture
def plan_assembly(personas, meeting_in) -> Callable[..., Assembly]:
    """Plan an assembly through the service, as the club admin (who becomes the chair)."""

    def plan_assembly(*, days: float = 21, attendance: bool = False, agenda: Iterable[str] = ()) -> Assembly:
        return services.assembly_plan(
            scheduled=meeting_in(days), actor=personas.admin, attendance_enabled=attendance, agenda=list(agenda)
        )

    return plan_assembly


@pytest.fixture
def assembly(plan_assembly) -> Assembly:
    return plan_assembly(attendance=True, agenda=AGENDA)


@pytest.fixture
def open_vote(personas) -> Callable[..., Motion]:
    """A motion the chair created and opened (default answers Ja / Nein / Enthaltung)."""

    def open_vote(
        assembly: Assembly, *, title: str = "Entlastung des Vorstands", secret: bool = False, options: Iterable = ()
    ) -> Motion:
        motion = services.motion_create(
            assembly=assembly, actor=personas.admin, title=title, options=list(options), secret=secret
        )
        return services.motion_open(motion=motion, actor=personas.admin)

    return open_vote


@pytest.fixture
def closed_vote(personas, open_vote) -> Callable[..., Motion]:
    """A motion opened, voted on (``ballots``: user -> answer label) and closed."""

    def closed_vote(assembly: Assembly, *, ballots: dict | None = None, **motion: Any) -> Motion:
        opened = open_vote(assembly, **motion)
        for user, label in (ballots or {}).items():
            services.ballot_cast(motion=opened, user=user, option_id=option(opened, label))
        return services.motion_close(motion=opened, actor=personas.admin)

    return closed_vote


@pytest.fixture
def assembly_url() -> Callable[..., str]:
    """The URL of one of the assembly's pages: ``assembly_url("assemblies:record", assembly)``."""

    def assembly_url(name: str, assembly: Assembly, **kwargs: Any) -> str:
        ids = {"club_slug": assembly.club.slug, "scheduled_meeting_id": assembly.scheduled_meeting_id}
        return reverse(name, kwargs={**ids, **kwargs})

    return assembly_url


@pytest.fixture
def fresh_catalogues(settings) -> None:
    """Compile the catalogues now and make Django reload them (as in tests/test_i18n.py)."""
    import os

    from django.core.management import call_command

    call_command("compile_translations", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)
