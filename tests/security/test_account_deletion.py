"""Finding 6: deleting an account removes the person everywhere, and the export shows all of it first."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts import personal_data, services
from accounts.models import User
from accounts.tasks import sessions_clear_expired
from assemblies.models import Motion, Participation
from clubs import invitations
from clubs import services as club_services
from clubs.audit import audit_log
from clubs.models import AuditEntry, Invitation, Membership, Role
from events.models import Invitee
from rooms.models import PersonalLink
from tests.events.helpers import plan
from tests.factories import (
    ClubFactory,
    MeetingFactory,
    MembershipFactory,
    PresenceFactory,
    RoomFactory,
    UserFactory,
)

EMAIL, SECOND, NAME = "vera.victim@example.org", "vera.zweit@example.org", "Vera Victim"
TRACES = (EMAIL, SECOND, NAME)


def _candidate(field: models.Field) -> bool:
    """Can this (non-relation) field hold an email address or a name?"""
    if isinstance(field, (models.EmailField, models.JSONField)):
        return True
    if isinstance(field, (models.CharField, models.TextField)):
        return any(k in field.name for k in ("name", "email", "label", "repr", "message", "reason", "data"))
    return False


def _user_field(field: models.Field) -> bool:
    return (
        field.is_relation
        and field.related_model is not None
        and (field.related_model._meta.label == settings.AUTH_USER_MODEL)
    )


def _candidates() -> set[tuple[str, str]]:
    found = set()
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if _user_field(field) or (not field.is_relation and _candidate(field)):
                found.add((model._meta.label_lower, field.name))
    return found


def test_every_field_that_can_hold_a_person_is_accounted_for():
    known = set(personal_data.PERSONAL_FIELDS) | set(personal_data.NOT_PERSONAL)
    missing = sorted(_candidates() - known)
    assert missing == [], f"add these to accounts/personal_data.py (export + deletion): {missing}"
    assert set(personal_data.PERSONAL_FIELDS).isdisjoint(personal_data.NOT_PERSONAL)


@pytest.fixture
def victim(personas, django_capture_on_commit_callbacks):
    """Vera is in every place the service can mention a person."""
    user = UserFactory(email=EMAIL, name=NAME)
    EmailAddress.objects.create(user=user, email=SECOND, verified=True)
    club = personas.club
    MembershipFactory(club=club, user=user, role=Role.ADMIN)
    ClubFactory(name="Veras Chor", contact_name=NAME, contact_email=EMAIL)
    room = RoomFactory(club=club, created_by=user)
    MeetingFactory(room=room, started_by=user)
    scheduled = plan(club=club, room=room, by=user, day=timezone.localdate() + timedelta(days=3), guest_emails=[SECOND])
    Invitee.objects.create(scheduled_meeting=scheduled, email=EMAIL, user=user)
    PersonalLink.objects.create(room=room, name=NAME, email=EMAIL, user=user)  # her personal join link
    presence = PresenceFactory(assembly__scheduled_meeting__room=room, user=user, full_name=NAME)  # at an assembly
    motion = Motion.objects.create(assembly=presence.assembly, title="Entlastung", state=Motion.State.OPEN)
    Participation.objects.create(motion=motion, user=user, voted_at=timezone.now())  # she voted (secretly)
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_create(club=club, actor=user, email="gast@example.org", role=Role.MEMBER)
    Invitation.objects.create(
        club=ClubFactory(), email=SECOND, role=Role.MEMBER, expires_at=timezone.now() + timedelta(days=3)
    )
    accepted = Invitation.objects.create(
        club=club, email=EMAIL, role=Role.ADMIN, expires_at=timezone.now(), accepted_at=timezone.now()
    )
    Invitation.objects.filter(pk=accepted.pk).update(accepted_by=user)
    membership = Membership.objects.get(club=club, user=user)
    club_services.membership_change_role(membership=membership, actor=personas.owner, role=Role.MEMBER)
    audit_log(action="test.free_text", actor=personas.owner, club=club, reason=f"Auf Wunsch von {NAME}")
    LogEntry.objects.create(
        user=personas.staff,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr=str(user),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["E-Mail"]}}]) + f" {EMAIL}",
    )
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["rooms:join:1"] = {"name": NAME}
    session.create()
    return user


def _rows_mentioning(user_pk: int) -> set[tuple[str, object]]:
    """Every row of every model that holds Vera: her id in a user field, or her address/name in text."""
    rows = set()
    for model in apps.get_models():
        if model._meta.label == settings.AUTH_USER_MODEL or model._meta.proxy:
            continue
        fields = [f for f in model._meta.concrete_fields if not f.is_relation or _user_field(f)]
        for obj in model._default_manager.all():
            for field in fields:
                value = getattr(obj, field.attname)
                if _user_field(field):
                    hit = value == user_pk
                else:
                    text = json.dumps(value, default=str) if not isinstance(value, str) else value
                    if model is Session:
                        text = json.dumps(obj.get_decoded())
                        hit = f'"{user_pk}"' in text or any(t.lower() in text.lower() for t in TRACES)
                    else:
                        hit = any(t.lower() in text.lower() for t in TRACES)
                if hit:
                    rows.add((model._meta.label_lower, obj.pk))
                    break
    return rows


def test_the_export_contains_every_row_that_deletion_changes(victim):
    mentioned = _rows_mentioning(victim.pk)
    data = services.user_export(user=victim)
    exported = {
        (item["type"], item.get("id")) for section in data.values() if isinstance(section, list) for item in section
    }
    sessions = {row for row in mentioned if row[0] == "sessions.session"}
    assert len(data["sessions"]) == len(sessions) == 1
    assert mentioned - sessions <= exported, sorted((mentioned - sessions) - exported)
    assert len(mentioned) >= 15  # the fixture really put her everywhere


def test_deletion_leaves_no_trace_of_the_person(victim, client):
    victim_pk = victim.pk
    client.force_login(victim)
    assert client.post(reverse("accounts:delete"), {"password": "correct-horse-battery"}).status_code == 302
    assert not User.objects.filter(pk=victim_pk).exists()
    assert _rows_mentioning(victim_pk) == set()


def test_the_pseudonym_keeps_one_persons_entries_together(victim):
    pseudonym = personal_data.pseudonym_of(victim)
    services.user_delete(user=victim)
    labels = set(AuditEntry.objects.filter(actor_label__startswith="Gelöschtes").values_list("actor_label", flat=True))
    assert labels == {pseudonym}


def test_meeting_invitations_of_the_deleted_person_are_never_mailed(victim):
    services.user_delete(user=victim)
    invitees = Invitee.objects.filter(email__endswith="@invalid")
    assert invitees.count() == 2
    assert all(i.removed_at and i.removal_sent_at for i in invitees)


def test_expired_sessions_are_cleared_on_a_schedule(db):
    from herzdigital.celery import build_beat_schedule

    old, fresh = SessionStore(), SessionStore()
    old["rooms:join:1"] = {"name": "Gast Müller"}
    old.create()
    fresh.create()
    Session.objects.filter(session_key=old.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert sessions_clear_expired() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [fresh.session_key]
    # The daily personal-data purge (operations/retention.py) clears them, among other data.
    schedule = {entry["task"] for entry in build_beat_schedule().values()}
    assert "operations.tasks.personal_data_purge" in schedule
