from __future__ import annotations

from datetime import date

from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.events.helpers import plan


def test_staff_see_scheduled_meetings_with_invitees_and_reminders(client, personas, room):
    scheduled = plan(
        club=personas.club, room=room, by=personas.admin, day=date(2027, 5, 4), guest_emails=["g@example.org"]
    )
    # Staff reach the admin only with a TOTP authenticator (accounts.middleware.StaffMFAMiddleware).
    Authenticator.objects.create(user=personas.staff, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    client.force_login(personas.staff)
    changelist = client.get(reverse("admin:events_scheduledmeeting_changelist"))
    assert changelist.status_code == 200 and "Mitgliederversammlung" in changelist.content.decode()
    change = client.get(reverse("admin:events_scheduledmeeting_change", args=[scheduled.pk]))
    assert change.status_code == 200 and "g@example.org" in change.content.decode()
    assert client.get(reverse("admin:events_scheduledmeeting_add")).status_code == 403
