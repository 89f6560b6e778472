"""Demo data for `make run`: a staff account and a club with owner, admin, member and rooms.

Idempotent: running it again changes nothing that is already there.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from clubs.models import Club, Membership, Role
from events.models import ScheduledMeeting
from rooms.models import Room

DEMO_PASSWORD = "herzdigital-demo"
DEMO_USERS = [
    ("staff@herzdigital.example", "Stefanie Betrieb", None),
    ("vorstand@herzdigital.example", "Vera Vorstand", Role.OWNER),
    ("kassenwart@herzdigital.example", "Karl Kasse", Role.ADMIN),
    ("mitglied@herzdigital.example", "Mia Mitglied", Role.MEMBER),
]
DEMO_ROOMS = [
    ("Vorstandssitzung", {"moderator_code": "", "viewer_code": ""}),
    ("Mitgliederversammlung", {"viewer_code": "482913", "record": True, "waiting_room": False}),
    ("Trainerrunde", {"anyone_can_start": True, "waiting_room": True}),
]


class Command(BaseCommand):
    help = "Load demo accounts, a demo club and rooms (idempotent)."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        club, _ = Club.objects.get_or_create(
            slug="tsv-beispielstadt",
            defaults={
                "name": "TSV Beispielstadt e.V.",
                "kind": Club.Kind.SPORTS,
                "description": "Sportverein mit 400 Mitgliedern.",
                "status": Club.Status.ACTIVE,
                "contact_name": "Vera Vorstand",
                "contact_email": "vorstand@herzdigital.example",
                "approved_at": timezone.now(),
                "terms_accepted_at": timezone.now(),
                "retention_days": 90,
                "max_retention_days": 365,
            },
        )
        for email, name, role in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                staff = role is None
                user = User.objects.create_user(
                    email=email, password=DEMO_PASSWORD, name=name, is_staff=staff, is_superuser=staff
                )
            EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            if role is not None:
                Membership.objects.get_or_create(club=club, user=user, defaults={"role": role})
        for name, options in DEMO_ROOMS:
            Room.objects.get_or_create(club=club, name=name, defaults=options)
        self._schedule(club)
        self.stdout.write("demo data ready")

    def _schedule(self, club: Club) -> None:
        """Two planned meetings for the calendar: a general assembly and a weekly course."""
        berlin = ZoneInfo("Europe/Berlin")
        today = timezone.localdate()
        next_tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
        plans = [
            ("Mitgliederversammlung 2027", "Mitgliederversammlung", today + timedelta(days=14), 19, 120, "none"),
            ("Trainerrunde (wöchentlich)", "Trainerrunde", next_tuesday, 19, 60, "weekly"),
        ]
        for title, room_name, day, hour, minutes, recurrence in plans:
            start = datetime.combine(day, time(hour), tzinfo=berlin)
            ScheduledMeeting.objects.get_or_create(
                club=club,
                title=title,
                defaults={
                    "room": Room.objects.get(club=club, name=room_name),
                    "description": "Tagesordnung folgt." if recurrence == "none" else "",
                    "start_at": start,
                    "end_at": start + timedelta(minutes=minutes),
                    "recurrence": recurrence,
                },
            )
