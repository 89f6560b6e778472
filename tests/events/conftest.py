"""Fixtures for scheduled meetings: a room with an access code, eager Celery."""

from __future__ import annotations

import pytest

from tests.factories import RoomFactory


@pytest.fixture
def celery_eager():
    """Run tasks in-process (``.delay`` executes at once), so on_commit-enqueued mails are sent."""
    from herzdigital.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club, name="Vereinsheim", viewer_code="482913")
