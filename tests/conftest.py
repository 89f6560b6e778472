"""Personas (healthchecks-style): an owner, a club admin, a member, an outsider and staff."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from clubs.models import Club, Role
from tests.factories import ClubFactory, MembershipFactory, UserFactory

STRICT = os.environ.get("HD_STRICT") == "1"


def require_service(available: bool, what: str) -> None:
    """Skip a test whose external service is missing — but fail on CI (HD_STRICT=1)."""
    if available:
        return
    if STRICT:
        pytest.fail(f"{what} is required on CI (HD_STRICT=1) but not available")
    pytest.skip(f"{what} not available")


@dataclass
class Personas:
    club: Club
    owner: object
    admin: object
    member: object
    outsider: object
    staff: object
    other_club: Club


@pytest.fixture
def personas(db) -> Personas:
    club = ClubFactory(name="TSV Beispiel e.V.", slug="tsv-beispiel")
    other = ClubFactory(name="Anderer Verein", slug="anderer-verein")
    owner = MembershipFactory(club=club, role=Role.OWNER).user
    admin = MembershipFactory(club=club, role=Role.ADMIN).user
    member = MembershipFactory(club=club, role=Role.MEMBER).user
    outsider = MembershipFactory(club=other, role=Role.OWNER).user
    staff = UserFactory(is_staff=True, is_superuser=True)
    return Personas(club, owner, admin, member, outsider, staff, other)


@pytest.fixture
def celery_eager():
    """Run tasks in-process (``.delay`` executes at once), so on_commit-enqueued mails are sent."""
    from herzdigital.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


# BBB fixtures (simulator on a local port, a Server row pointing at it) for every test module.
from tests.bbb_fixtures import bbb_server, simulator  # noqa: E402,F401
