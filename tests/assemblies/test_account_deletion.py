"""Deleting an account anonymises that person's attendance rows; the record keeps when a member was there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from accounts import services as account_services
from assemblies import record, services
from assemblies.models import Participation, Presence
from tests.assemblies.helpers import option
from tests.factories import MembershipFactory, PresenceFactory

pytestmark = pytest.mark.django_db


def test_deleting_an_account_anonymises_its_attendance_and_keeps_the_times(
    personas, assembly, closed_vote, set_rules, fresh_catalogues
):
    set_rules(quorum_kind="count", quorum_value=2)
    leaver = MembershipFactory(club=personas.club, user__name="Lena Leaver").user
    t0 = timezone.now() - timedelta(hours=1)
    gone = PresenceFactory(assembly=assembly, user=leaver, joined_at=t0)
    # An earlier interval whose account link the sync could not set (the BBB userID still names the account).
    earlier = t0 - timedelta(minutes=50)
    unlinked = PresenceFactory(
        assembly=assembly, bbb_user_id=f"hd-{leaver.pk}", full_name="Lena L.", joined_at=earlier, left_at=t0
    )
    stays = PresenceFactory(assembly=assembly, user=personas.member, full_name="Mia Mitglied", joined_at=t0)
    guest = PresenceFactory(assembly=assembly, full_name="Gast Gerd", joined_at=t0)
    vote = closed_vote(assembly, ballots={leaver: "Ja", personas.member: "Nein"})
    leaver_pk = leaver.pk

    account_services.user_delete(user=leaver)

    for row in (gone, unlinked):
        row.refresh_from_db()
        assert (row.user_id, row.full_name, row.account_deleted) == (None, "", True)
        assert str(leaver_pk) not in row.bbb_user_id
        assert row.is_member
    assert (gone.joined_at, unlinked.joined_at, unlinked.left_at) == (t0, earlier, t0)
    assert Presence.objects.filter(pk__in=[stays.pk, guest.pk], account_deleted=False).count() == 2
    assert Presence.objects.get(pk=stays.pk).user == personas.member
    vote.refresh_from_db()  # what the vote recorded stays: counts and quorum at the opening
    assert sum(vote.results.values()) == 2 and vote.present_count == 2 and vote.quorum_met is True

    rows = record.assembly_record_rows(record=record.assembly_record(assembly=assembly))
    attendance = [r for r in rows if r and r[0] == "Anwesenheit" and r[1] != "Name"]
    assert ["Gelöschtes Mitglied", "ja"] in [r[1:3] for r in attendance]
    assert not any("Lena" in cell for r in rows for cell in r)
    assert [r[1:3] for r in attendance].count(["Mia Mitglied", "ja"]) == 1
    with translation.override("en"):
        assert Presence.objects.get(pk=gone.pk).display_name == "Deleted member"


def test_the_export_lists_the_persons_attendance_before_deletion(personas, assembly):
    PresenceFactory(assembly=assembly, user=personas.member, full_name="Mia Mitglied")
    exported = account_services.user_export(user=personas.member)["assembly_attendance"]
    assert [(e["type"], e["name"], e["assembly"]) for e in exported] == [
        ("assemblies.presence", "Mia Mitglied", assembly.scheduled_meeting.title)
    ]


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_a_vote_cast_before_the_account_was_deleted_stays_counted(personas, assembly, open_vote, secret):
    leaver = MembershipFactory(club=personas.club).user
    motion = open_vote(assembly, secret=secret)
    services.ballot_cast(motion=motion, user=leaver, option_id=option(motion, "Nein"))
    services.ballot_cast(motion=motion, user=personas.member, option_id=option(motion, "Ja"))
    account_services.user_delete(user=leaver)
    closed = services.motion_close(motion=motion, actor=personas.admin)
    assert closed.results[str(option(motion, "Nein"))] == 1 and closed.voter_count == 2
    assert list(Participation.objects.filter(motion=motion, user__isnull=True).values_list("motion", flat=True)) == [
        motion.pk
    ]
