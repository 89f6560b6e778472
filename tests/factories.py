"""factory-boy factories for every model the tests need."""

from __future__ import annotations

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from assemblies.models import Assembly, Presence
from clubs.models import Club, Membership, Role
from events.models import ScheduledMeeting
from meetings.models import Meeting, Server
from recordings.models import Recording
from rooms.models import Room
from rooms.services import _free_voice_bridge


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class ClubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Club

    name = factory.Sequence(lambda n: f"Verein {n} e.V.")
    slug = factory.Sequence(lambda n: f"verein-{n}")
    status = Club.Status.ACTIVE
    contact_name = "Vera Vorstand"
    contact_email = factory.Sequence(lambda n: f"kontakt{n}@example.org")
    approved_at = factory.LazyFunction(timezone.now)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    club = factory.SubFactory(ClubFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class ServerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Server

    name = factory.Sequence(lambda n: f"bbb{n}")
    api_url = factory.Sequence(lambda n: f"http://127.0.0.1:1/{n}/bigbluebutton/api/")
    secret = "test-secret"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    club = factory.SubFactory(ClubFactory)
    name = factory.Sequence(lambda n: f"Raum {n}")
    # The model's default draws a random PIN without looking; a batch of 100 rooms would then collide now and
    # then on the unique constraint. Draw as room_create does: only a PIN no room has.
    voice_bridge = factory.LazyFunction(lambda: _free_voice_bridge())


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    room = factory.SubFactory(RoomFactory)
    club = factory.SelfAttribute("room.club")
    server = factory.SubFactory(ServerFactory)
    meeting_id = factory.SelfAttribute("room.meeting_id")
    internal_meeting_id = factory.Sequence(lambda n: f"internal-{n}")
    status = Meeting.Status.RUNNING
    started_at = factory.LazyFunction(timezone.now)


class RecordingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recording

    room = factory.SubFactory(RoomFactory)
    club = factory.SelfAttribute("room.club")
    server = factory.SubFactory(ServerFactory)
    record_id = factory.Sequence(lambda n: f"record-{n:06d}")
    bbb_meeting_id = factory.SelfAttribute("room.meeting_id")
    name = factory.Sequence(lambda n: f"Aufzeichnung {n}")
    state = Recording.State.PUBLISHED
    published = True
    started_at = factory.LazyFunction(timezone.now)


class ScheduledMeetingFactory(factory.django.DjangoModelFactory):
    """A single meeting, by default three weeks ahead (further than any usual notice period), two hours long."""

    class Meta:
        model = ScheduledMeeting

    room = factory.SubFactory(RoomFactory)
    club = factory.SelfAttribute("room.club")
    title = "Mitgliederversammlung 2025"
    start_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=21))
    end_at = factory.LazyAttribute(lambda o: o.start_at + timedelta(hours=2))


class AssemblyFactory(factory.django.DjangoModelFactory):
    """An assembly with attendance, the row only (``assemblies.services.assembly_plan`` also mails the invitation)."""

    class Meta:
        model = Assembly

    scheduled_meeting = factory.SubFactory(ScheduledMeetingFactory)
    club = factory.SelfAttribute("scheduled_meeting.club")
    attendance_enabled = True
    invited_at = factory.LazyFunction(timezone.now)


class PresenceFactory(factory.django.DjangoModelFactory):
    """One open attendance interval: a member's (``user``, BBB userID ``hd-<pk>``) or, without user, a guest's."""

    class Meta:
        model = Presence

    assembly = factory.SubFactory(AssemblyFactory)
    user = None
    bbb_user_id = factory.LazyAttributeSequence(lambda o, n: f"hd-{o.user.pk}" if o.user else f"w_guest{n}")
    full_name = factory.LazyAttribute(lambda o: o.user.name if o.user else "Gast")
    joined_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.SelfAttribute("joined_at")
