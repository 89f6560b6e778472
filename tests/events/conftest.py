"""Fixtures for scheduled meetings: a room with an access code (eager Celery: tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.factories import RoomFactory


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club, name="Vereinsheim", viewer_code="482913")
