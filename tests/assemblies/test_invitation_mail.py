"""The scheduled meeting's invitation mail carries the assembly block: how to take part, agenda, attendance."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events.mail import Kind, scheduled_meeting_message
from events.models import Invitee
from rooms import personal_links

pytestmark = pytest.mark.django_db


def test_assembly_invitation_explains_electronic_participation_agenda_and_attendance(assembly, personas):
    scheduled = assembly.scheduled_meeting
    link = personal_links.personal_link_create(
        room=scheduled.room,
        actor=personas.admin,
        name="Mia Mitglied",
        expires_at=scheduled.end_at + timedelta(days=1),
        email="mia@example.org",
        user=personas.member,
    )
    invitee = Invitee.objects.create(
        scheduled_meeting=scheduled, email="mia@example.org", user=personas.member, personal_link=link
    )
    body = scheduled_meeting_message(scheduled=scheduled, invitee=invitee, kind=Kind.INVITATION).body
    assert "Mitgliederversammlung – so nehmen Sie elektronisch teil" in body
    assert "Ihren persönlichen Link (oben)" in body and "Mikrofon" in body
    assert "1. Bericht des Vorstands\n2. Entlastung des Vorstands\n3. Wahlen" in body
    assert "Anwesenheit erfasst" in body

    plain = Invitee.objects.create(scheduled_meeting=scheduled, email="gast@example.org")
    body = scheduled_meeting_message(scheduled=scheduled, invitee=plain, kind=Kind.INVITATION).body
    assert "den Link zum Raum (oben)" in body and "persönlichen Link (oben)" not in body
    scheduled.assembly.delete()
    scheduled.refresh_from_db()
    body = scheduled_meeting_message(scheduled=scheduled, invitee=plain, kind=Kind.INVITATION).body
    assert "elektronisch teil" not in body
