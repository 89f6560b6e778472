"""Club status actions in the admin: approve, reject (with a reason for the email), suspend, reactivate."""

from __future__ import annotations

import pytest
from django.core import mail

from clubs.models import AuditEntry, Club, Role
from tests.admin.conftest import messages_of, run_action
from tests.factories import ClubFactory, MembershipFactory, UserFactory


@pytest.fixture
def pending():
    club = ClubFactory(name="Lichtblick e.V.", status=Club.Status.PENDING, approved_at=None)
    MembershipFactory(club=club, role=Role.OWNER, user=UserFactory(email="vorstand@lichtblick.example"))
    return club


@pytest.fixture
def active():
    club = ClubFactory(name="TSV Beispiel e.V.", status=Club.Status.ACTIVE)
    MembershipFactory(club=club, role=Role.OWNER, user=UserFactory(email="vorstand@tsv.example"))
    return club


def test_approve_activates_the_club_mails_the_owner_and_audits(
    staff_client, staff, pending, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(staff_client, "clubs_club", "approve_clubs", [pending.pk], apply="1")
    assert messages_of(response) == [
        "Freigegeben, die Ansprechpersonen sind per E-Mail benachrichtigt: Lichtblick e.V."
    ]
    pending.refresh_from_db()
    assert pending.status == Club.Status.ACTIVE and pending.approved_at is not None
    assert [m.to for m in mail.outbox] == [["vorstand@lichtblick.example"]]
    entry = AuditEntry.objects.get(action="club.approved")
    assert (entry.actor, entry.club) == (staff, pending)


def test_approve_from_the_application_queue(staff_client, pending, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_action(staff_client, "clubs_clubapplication", "approve_clubs", [pending.pk], apply="1")
    pending.refresh_from_db()
    assert pending.status == Club.Status.ACTIVE
    assert AuditEntry.objects.get().target_type == "clubs.club"
    # Approved clubs leave the queue.
    assert staff_client.get("/admin/clubs/clubapplication/").context["cl"].result_count == 0


def test_approve_skips_clubs_that_are_not_waiting(staff_client, active):
    response = run_action(staff_client, "clubs_club", "approve_clubs", [active.pk], apply="1")
    assert messages_of(response) == ["Nicht freigegeben, weil sie nicht auf Freigabe warten: TSV Beispiel e.V."]
    assert not AuditEntry.objects.exists()


def test_approve_first_asks_for_confirmation_and_changes_nothing(staff_client, pending):
    """One click on "Freigeben" must not approve a club by accident (issue 16, item 10)."""
    response = run_action(staff_client, "clubs_clubapplication", "approve_clubs", [pending.pk])
    assert response.templates[0].name == "admin/clubs/club/status_reason.html"
    html = response.content.decode()
    assert "Lichtblick e.V." in html and 'value="Ja, freigeben"' in html
    pending.refresh_from_db()
    assert pending.status == Club.Status.PENDING
    assert not mail.outbox and not AuditEntry.objects.exists()


def test_reject_first_asks_for_the_reason(staff_client, pending):
    response = run_action(staff_client, "clubs_clubapplication", "reject_clubs", [pending.pk])
    assert response.templates[0].name == "admin/clubs/club/status_reason.html"
    html = response.content.decode()
    assert "Lichtblick e.V." in html and 'name="reason"' in html
    pending.refresh_from_db()
    assert pending.status == Club.Status.PENDING


def test_reject_without_a_reason_asks_again_and_changes_nothing(staff_client, pending):
    response = run_action(staff_client, "clubs_club", "reject_clubs", [pending.pk], apply="1", reason="  ")
    assert "Bitte geben Sie eine Begründung an." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Club.Status.PENDING and not mail.outbox


def test_reject_with_a_reason_puts_it_into_the_email(staff_client, staff, pending, django_capture_on_commit_callbacks):
    reason = "Wir können nur gemeinnützige Organisationen aufnehmen."
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(staff_client, "clubs_club", "reject_clubs", [pending.pk], apply="1", reason=reason)
    assert messages_of(response)[0] == "Abgelehnt, die Ansprechpersonen sind per E-Mail benachrichtigt: Lichtblick e.V."
    pending.refresh_from_db()
    assert (pending.status, pending.status_reason) == (Club.Status.REJECTED, reason)
    [email] = mail.outbox
    assert reason in email.body and email.to == ["vorstand@lichtblick.example"]
    assert AuditEntry.objects.get(action="club.rejected").reason == reason


def test_suspend_with_a_reason_and_reactivate(staff_client, active, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(
            staff_client, "clubs_club", "suspend_clubs", [active.pk], apply="1", reason="Offene Rechnungen"
        )
    assert messages_of(response) == ["Gesperrt, die Ansprechpersonen sind per E-Mail benachrichtigt: TSV Beispiel e.V."]
    active.refresh_from_db()
    assert active.status == Club.Status.SUSPENDED
    assert "Offene Rechnungen" in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(staff_client, "clubs_club", "reactivate_clubs", [active.pk])
    assert messages_of(response) == [
        "Wieder freigeschaltet, die Ansprechpersonen sind per E-Mail benachrichtigt: TSV Beispiel e.V."
    ]
    active.refresh_from_db()
    assert active.status == Club.Status.ACTIVE
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "club.suspended",
        "club.reactivated",
    ]


def test_suspend_of_a_pending_club_is_refused(staff_client, pending):
    response = run_action(staff_client, "clubs_club", "suspend_clubs", [pending.pk], apply="1", reason="x")
    assert messages_of(response) == ["Nicht gesperrt, weil sie nicht aktiv sind: Lichtblick e.V."]
    pending.refresh_from_db()
    assert pending.status == Club.Status.PENDING


def test_a_refusal_by_the_service_is_shown(staff_client, pending, monkeypatch):
    """A status changed meanwhile (another staff member was faster): the service refuses, we say why."""
    from clubs import services

    original = services.club_approve

    def approve_after_someone_else(*, club, actor):
        Club.objects.filter(pk=club.pk).update(status=Club.Status.ACTIVE)
        return original(club=club, actor=actor)

    monkeypatch.setattr(services, "club_approve", approve_after_someone_else)
    response = run_action(staff_client, "clubs_club", "approve_clubs", [pending.pk], apply="1")
    [message] = messages_of(response)
    assert message.startswith("Lichtblick e.V.: Der Verein „Lichtblick e.V.“ hat den Status „Aktiv“")


def test_club_page_offers_the_status_actions_that_fit_its_status(staff_client, pending, active):
    html = staff_client.get(f"/admin/clubs/club/{pending.pk}/change/").content.decode()
    assert 'value="approve_clubs"' in html and 'value="reject_clubs"' in html
    assert 'value="suspend_clubs"' not in html
    html = staff_client.get(f"/admin/clubs/club/{active.pk}/change/").content.decode()
    assert 'value="suspend_clubs"' in html and 'value="approve_clubs"' not in html
    html = staff_client.get(f"/admin/clubs/clubapplication/{pending.pk}/change/").content.decode()
    assert 'action="/admin/clubs/clubapplication/"' in html and 'value="reject_clubs"' in html
