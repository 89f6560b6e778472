"""Fixtures for assemblies: a club with rules, a room, an assembly three weeks ahead."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assemblies import services
from events.models import ScheduledMeeting
from tests.factories import RoomFactory


def scheduled_in(club, room, *, days: float, hours: float = 2) -> ScheduledMeeting:
    start = timezone.now() + timedelta(days=days)
    return ScheduledMeeting.objects.create(
        club=club, room=room, title="Mitgliederversammlung 2025", start_at=start, end_at=start + timedelta(hours=hours)
    )


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club, name="Vereinsheim")


@pytest.fixture
def assembly(personas, room):
    scheduled = scheduled_in(personas.club, room, days=21)
    return services.assembly_plan(
        scheduled=scheduled,
        actor=personas.admin,
        attendance_enabled=True,
        agenda=["Bericht des Vorstands", "Entlastung des Vorstands", "Wahlen"],
    )


@pytest.fixture
def fresh_catalogues(settings) -> None:
    """Compile the catalogues now and make Django reload them (as in tests/test_i18n.py)."""
    import os

    from django.core.management import call_command

    call_command("compile_translations", stdout=open(os.devnull, "w"))  # noqa: SIM115
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)
