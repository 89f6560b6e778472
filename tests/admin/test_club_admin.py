"""Club pages in the admin: quotas next to usage, the application queue, the audit log."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from clubs.audit import audit_log
from clubs.models import AuditEntry, Club, Role
from tests.factories import (
    ClubFactory,
    MeetingFactory,
    MembershipFactory,
    RecordingFactory,
    RoomFactory,
    ServerFactory,
    UserFactory,
)


def _club_with_usage() -> Club:
    club = ClubFactory(name="TSV Beispiel e.V.", max_rooms=3, max_concurrent_meetings=2)
    server = ServerFactory()
    rooms = RoomFactory.create_batch(3, club=club)
    MeetingFactory(room=rooms[0], server=server)  # running
    MeetingFactory(room=rooms[1], server=server, ended_at=timezone.now())
    old = MeetingFactory(room=rooms[2], server=server, ended_at=timezone.now())
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=70))
    RecordingFactory(room=rooms[0], server=server, size_bytes=1_500_000_000)
    RecordingFactory(room=rooms[1], server=server, size_bytes=500_000_000)
    RecordingFactory(room=rooms[1], server=server, size_bytes=9_000_000_000, deleted_at=timezone.now())
    MembershipFactory.create_batch(2, club=club)
    return club


def test_club_list_shows_usage_next_to_quotas(staff_client):
    club = _club_with_usage()
    response = staff_client.get(reverse("admin:clubs_club_changelist"))
    row = next(c for c in response.context["cl"].result_list if c.pk == club.pk)
    assert (row.rooms_used, row.meetings_running, row.meetings_this_month) == (3, 1, 2)
    assert (row.recordings_count, row.recordings_size, row.members_count) == (2, 2_000_000_000, 2)
    html = response.content.decode()
    assert '<span class="hd-usage warn">3 / 3</span>' in html  # at the room quota
    assert "1,9\xa0GB" in html or "1.9\xa0GB" in html


def test_club_change_page_shows_usage_table_and_memberships(staff_client):
    club = _club_with_usage()
    owner = MembershipFactory(club=club, role=Role.OWNER, user=UserFactory(email="vorstand@tsv.example")).user
    html = staff_client.get(reverse("admin:clubs_club_change", args=[club.pk])).content.decode()
    assert "hd-usage-table" in html
    assert owner.email in html
    assert "Inhaber/in" in html


def test_status_is_read_only_on_the_club_form(staff_client):
    club = ClubFactory(status=Club.Status.PENDING)
    response = staff_client.get(reverse("admin:clubs_club_change", args=[club.pk]))
    assert "status" not in response.context["adminform"].form.fields


def test_application_queue_lists_only_pending_clubs_oldest_first_with_the_applicant(staff_client):
    ClubFactory(name="Schon aktiv", status=Club.Status.ACTIVE)
    newer = ClubFactory(name="Neuer Verein", status=Club.Status.PENDING, approved_at=None)
    older = ClubFactory(name="Älterer Verein", status=Club.Status.PENDING, approved_at=None)
    Club.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))
    MembershipFactory(club=newer, role=Role.OWNER, user=UserFactory(email="antrag@neu.example"))
    response = staff_client.get(reverse("admin:clubs_clubapplication_changelist"))
    assert [c.name for c in response.context["cl"].result_list] == ["Älterer Verein", "Neuer Verein"]
    assert "antrag@neu.example" in response.content.decode()


def test_application_page_shows_similar_clubs(staff_client):
    ClubFactory(name="Sportfreunde Nord e.V.", status=Club.Status.ACTIVE)
    pending = ClubFactory(name="Sportfreunde Süd", status=Club.Status.PENDING, approved_at=None)
    html = staff_client.get(reverse("admin:clubs_clubapplication_change", args=[pending.pk])).content.decode()
    assert "Sportfreunde Nord e.V." in html


def test_audit_log_is_searchable_but_never_editable_or_deletable(staff_client, staff):
    club = ClubFactory(name="Findbar e.V.")
    entry = audit_log(action="club.suspend", actor=staff, club=club, target=club, reason="Missbrauch")
    audit_log(action="server.drain", actor=staff)
    response = staff_client.get(reverse("admin:clubs_auditentry_changelist") + "?q=Missbrauch")
    assert [e.pk for e in response.context["cl"].result_list] == [entry.pk]
    change_url = reverse("admin:clubs_auditentry_change", args=[entry.pk])
    page = staff_client.get(change_url)
    assert page.status_code == 200 and page.context["has_change_permission"] is False
    staff_client.post(change_url, {"reason": "geändert"})
    assert staff_client.get(reverse("admin:clubs_auditentry_delete", args=[entry.pk])).status_code == 403
    assert staff_client.get(reverse("admin:clubs_auditentry_add")).status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "Missbrauch" and AuditEntry.objects.count() == 2


def test_mfa_authenticator_can_be_reset_by_staff_and_that_is_audited(staff_client, staff):
    from allauth.mfa.models import Authenticator

    from tests.admin.conftest import add_totp

    person = UserFactory(email="verloren@example.org")
    add_totp(person)
    authenticator = Authenticator.objects.get(user=person)
    url = reverse("admin:mfa_authenticator_delete", args=[authenticator.pk])
    staff_client.post(url, {"post": "yes"})
    assert not Authenticator.objects.filter(user=person).exists()
    entry = AuditEntry.objects.get(action="mfa.authenticator_deleted")
    assert (entry.actor, entry.target_id) == (staff, str(person.pk))


def test_granting_staff_rights_is_audited(staff_client, staff):
    person = UserFactory(email="neu@example.org")
    url = reverse("admin:accounts_user_change", args=[person.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("groups", "user_permissions")}
    data.update(
        {
            "email": person.email,
            "name": person.name,
            "language": "de",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "01.01.2026",
            "date_joined_1": "10:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data.pop("is_superuser", None)
    data.pop("last_login", None)
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.is_staff
    entry = AuditEntry.objects.get(action="user.permissions_changed")
    assert entry.details == {"is_staff": True} and entry.actor == staff


def test_role_changes_and_removals_on_the_club_page_are_audited(staff_client, staff):
    club = ClubFactory()
    member = MembershipFactory(club=club, role=Role.MEMBER)
    leaving = MembershipFactory(club=club, role=Role.MEMBER)
    url = reverse("admin:clubs_club_change", args=[club.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in ("terms_accepted_at",)}
    data.update(
        {
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "2",
            "memberships-0-id": str(member.pk),
            "memberships-0-club": str(club.pk),
            "memberships-0-role": Role.ADMIN,
            "memberships-1-id": str(leaving.pk),
            "memberships-1-club": str(club.pk),
            "memberships-1-role": Role.MEMBER,
            "memberships-1-DELETE": "on",
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.role == Role.ADMIN
    assert not club.memberships.filter(pk=leaving.pk).exists()
    actions = dict(AuditEntry.objects.values_list("action", "details"))
    assert actions["membership.changed_by_staff"] == {"user": member.user.email, "role": "admin"}
    assert actions["membership.removed_by_staff"]["user"] == leaving.user.email
    assert set(AuditEntry.objects.values_list("actor", flat=True)) == {staff.pk}


def test_invitations_are_not_created_in_the_admin(staff_client):
    assert staff_client.get(reverse("admin:clubs_invitation_add")).status_code == 403


def test_only_clubs_without_rooms_and_recordings_can_be_deleted(staff_client):
    used = _club_with_usage()
    spam = ClubFactory(name="Spam", status=Club.Status.PENDING, approved_at=None)
    assert staff_client.get(reverse("admin:clubs_club_delete", args=[used.pk])).status_code == 403
    assert staff_client.get(reverse("admin:clubs_club_delete", args=[spam.pk])).status_code == 200
    staff_client.post(reverse("admin:clubs_club_delete", args=[spam.pk]), {"post": "yes"})
    assert not Club.objects.filter(pk=spam.pk).exists()
    html = staff_client.get(reverse("admin:clubs_club_changelist")).content.decode()
    assert 'value="delete_selected"' not in html


def test_meetings_cannot_be_deleted(staff_client):
    meeting = MeetingFactory()
    assert staff_client.get(reverse("admin:meetings_meeting_delete", args=[meeting.pk])).status_code == 403
