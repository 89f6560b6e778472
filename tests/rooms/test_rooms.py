"""Room pages of a club: list, create, detail, edit, codes, delete; quotas and query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clubs.models import AuditEntry, Role
from events.models import ScheduledMeeting
from meetings.bbb_clients import client_for
from meetings.models import Meeting, Server
from rooms import services
from rooms.forms import JoinForm
from rooms.models import Room
from rooms.quotas import QuotaExceeded
from tests.factories import MeetingFactory, MembershipFactory, RecordingFactory, RoomFactory

CACHED_SESSIONS = "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club, name="Vorstandssitzung")


def url(name: str, room=None, club=None) -> str:
    club = club or room.club
    kwargs = {"club_slug": club.slug}
    if room is not None:
        kwargs["room_id"] = room.pk
    return reverse(f"rooms:{name}", kwargs=kwargs)


def valid_data(**extra) -> dict:
    data = {"name": "Mitgliederversammlung", "welcome_text": "", "viewer_code": "", "moderator_code": ""}
    data.update({"mute_on_start": "on", "max_participants": ""})
    data.update(extra)
    return data


# -- list --------------------------------------------------------------------------------------


def test_room_list_shows_rooms_with_their_state_and_no_bbb_call(client, personas, bbb_server, simulator):
    idle = RoomFactory(club=personas.club, name="Ruhig")
    busy = RoomFactory(club=personas.club, name="Belebt")
    MeetingFactory(room=busy, server=bbb_server, participant_count=3)
    RoomFactory(club=personas.other_club, name="Fremder Raum")
    client.force_login(personas.member)
    content = client.get(url("list", club=personas.club)).content.decode()
    assert idle.name in content and busy.name in content
    assert "Fremder Raum" not in content
    assert "3 Personen" in content
    assert "Läuft" in content
    assert "Neuen Raum anlegen" not in content  # members do not manage rooms
    assert sum(simulator.calls.values()) == 0
    assert sum(client_for(bbb_server).calls.values()) == 0


def test_empty_room_list_says_what_to_do(client, personas):
    client.force_login(personas.admin)
    content = client.get(url("list", club=personas.club)).content.decode()
    assert "Legen Sie mit „Neuen Raum anlegen“ den ersten an." in content


def test_room_pages_send_anonymous_visitors_to_login_and_are_404_for_outsiders(client, personas, room):
    for name in ("list", "detail"):
        target = url(name, room=room) if name == "detail" else url(name, club=personas.club)
        response = client.get(target)
        assert response.status_code == 302 and response["Location"].startswith("/konto/login/?next=")
    client.force_login(personas.outsider)
    assert client.get(url("detail", room=room)).status_code == 404


def test_a_room_of_another_club_is_404_under_my_club(client, personas):
    foreign = RoomFactory(club=personas.other_club)
    client.force_login(personas.admin)
    response = client.get(reverse("rooms:detail", kwargs={"club_slug": personas.club.slug, "room_id": foreign.pk}))
    assert response.status_code == 404


# -- detail ------------------------------------------------------------------------------------


def test_detail_shows_link_copy_button_qr_code_and_invitation(client, personas, room):
    room.viewer_code = "4711"
    room.save()
    client.force_login(personas.admin)
    content = client.get(url("detail", room=room)).content.decode()
    public = f"http://testserver/r/{room.friendly_id}/"
    assert f'data-copy="{public}"' in content
    assert "<svg" in content and "</svg>" in content
    assert "Einladungstext zum Ausdrucken" in content
    assert "Zugangscode:" in content and "4711" in content
    assert "Besprechung starten" in content
    assert "Gerade läuft keine Besprechung." in content


def test_detail_shows_the_live_state_from_the_database(client, personas, room, bbb_server, simulator):
    MeetingFactory(room=room, server=bbb_server, participant_count=5)
    client.force_login(personas.admin)
    content = client.get(url("detail", room=room)).content.decode()
    assert "Läuft seit" in content
    assert "5 Personen nehmen teil." in content
    assert "Besprechung beenden" in content
    assert "Beitreten" in content
    assert sum(simulator.calls.values()) == 0


def test_meeting_on_an_unhealthy_server_is_shown_as_state_unknown(client, personas, room, bbb_server):
    MeetingFactory(room=room, server=bbb_server)
    Server.objects.update(healthy=False)
    client.force_login(personas.member)
    content = client.get(url("detail", room=room)).content.decode()
    assert "Status unbekannt" in content
    assert "Läuft seit" not in content


def test_moderator_code_is_shown_to_hosts_only(client, personas, room):
    room.moderator_code = "0815"
    room.save()
    client.force_login(personas.member)
    assert "0815" not in client.get(url("detail", room=room)).content.decode()
    client.force_login(personas.admin)
    assert "0815" in client.get(url("detail", room=room)).content.decode()


def add_load(club, bbb_server, size: int) -> None:
    for n in range(size):
        other = RoomFactory(club=club)
        MembershipFactory(club=club)
        MeetingFactory(room=other, server=bbb_server, status=Meeting.Status.ENDED, ended_at=other.created_at)
        if n % 2:
            MeetingFactory(room=other, server=bbb_server)


@pytest.mark.parametrize("size", [2, 20])
def test_room_page_query_count_does_not_grow(
    client, personas, room, bbb_server, size, django_assert_max_num_queries, settings
):
    settings.SESSION_ENGINE = CACHED_SESSIONS  # as deployed; with plain db sessions every page reads one more
    add_load(personas.club, bbb_server, size)
    for _ in range(size):
        MeetingFactory(room=room, server=bbb_server, status=Meeting.Status.ENDED, ended_at=room.created_at)
    MeetingFactory(room=room, server=bbb_server)
    client.force_login(personas.admin)
    with django_assert_max_num_queries(11):  # three list the hosts, the personal links and the presentations
        assert client.get(url("detail", room=room)).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(url("list", club=personas.club)).status_code == 200
    client.logout()
    with django_assert_max_num_queries(3):  # room + club + open meeting + server, next scheduled date, assembly
        assert client.get(public(room)).status_code == 200


def test_room_page_query_count_is_the_same_at_two_sizes(client, personas, bbb_server):
    def count(size: int) -> tuple[int, int]:
        add_load(personas.club, bbb_server, size)
        room = RoomFactory(club=personas.club)
        MeetingFactory(room=room, server=bbb_server)
        client.force_login(personas.admin)
        counts = []
        for target in (url("detail", room=room), url("list", club=personas.club)):
            with CaptureQueriesContext(connection) as ctx:
                client.get(target)
            counts.append(len(ctx.captured_queries))
        return tuple(counts)

    assert count(1) == count(25)


# -- the public room page: what a whole assembly opens at 19:00 (issue 20) ---------------------


def public(room) -> str:
    return reverse("rooms:public", kwargs={"friendly_id": room.friendly_id})


def _plan_weekly_course_since(room, personas, years: int) -> None:
    start = timezone.now().replace(hour=17, minute=0, second=0, microsecond=0) - timedelta(days=364 * years)
    ScheduledMeeting.objects.create(
        club=personas.club,
        room=room,
        title="Gesprächskreis",
        start_at=start,
        end_at=start + timedelta(hours=1),
        recurrence=ScheduledMeeting.Recurrence.WEEKLY,
        created_by=personas.admin,
    )


@pytest.mark.parametrize(("meeting_runs", "queries"), [(True, 3), (False, 4)], ids=["running", "not-running"])
def test_the_public_room_page_is_a_few_lean_queries(client, personas, room, bbb_server, meeting_runs, queries):
    """Room, club, open meeting and its server in one query of the columns the public pages read; the next
    scheduled date in one query without joins; the assembly recording attendance (assemblies' notice); the
    servers' shared dial-in number only when no meeting runs."""
    if meeting_runs:
        MeetingFactory(room=room, server=bbb_server)
    _plan_weekly_course_since(room, personas, years=3)
    with CaptureQueriesContext(connection) as ctx:
        content = client.get(public(room)).content.decode()
    assert ("Die Besprechung läuft." in content) is meeting_runs
    assert "Nächster geplanter Termin" in content and "Gesprächskreis" in content
    assert len(ctx.captured_queries) == queries
    room_sql, *_ = [query["sql"] for query in ctx.captured_queries]
    [scheduled_sql] = [
        query["sql"] for query in ctx.captured_queries if 'FROM "events_scheduledmeeting"' in query["sql"]
    ]
    assert "rooms_room" in room_sql and "open_meeting" in room_sql and "meetings_server" in room_sql
    for unread in ('"rooms_room"."lock_disable_cam"', '"rooms_room"."meeting_id"', '"clubs_club"."max_rooms"'):
        assert unread not in room_sql  # select_related of every column was a third of the page
    assert "events_scheduledmeeting" in scheduled_sql
    assert "JOIN" not in scheduled_sql and "ORDER BY" not in scheduled_sql


@pytest.mark.parametrize(("persona", "queries"), [("member", 7), ("admin", 6)])
def test_the_public_room_page_for_members_is_a_fixed_number_of_queries(
    client, personas, room, bbb_server, persona, queries, django_assert_num_queries, settings
):
    """User, room (with meeting), membership, the room's hosts (only asked for members who are not club
    admins), the navigation's memberships, the next scheduled date, the assembly in session."""
    settings.SESSION_ENGINE = CACHED_SESSIONS  # the session comes from the cache, as deployed
    MeetingFactory(room=room, server=bbb_server)
    add_load(personas.club, bbb_server, 3)
    client.force_login(getattr(personas, persona))
    client.get(public(room))  # the session is cached now
    with django_assert_num_queries(queries):
        assert "Sie treten als Mitglied" in client.get(public(room)).content.decode()


@pytest.mark.parametrize(("viewer_code", "moderator_code"), [("", ""), ("4711", ""), ("", "0815")])
def test_the_blank_join_form_is_rendered_once_and_stays_the_same(client, personas, viewer_code, moderator_code):
    """Every guest gets the same blank form: its widget templates are rendered once per process, per kind of
    code and language; the page shows exactly what rendering the form gives."""
    RoomFactory(club=personas.club, viewer_code="4711")  # a room of every kind first: kinds do not mix
    RoomFactory(club=personas.club, moderator_code="0815")
    room = RoomFactory(club=personas.club, viewer_code=viewer_code, moderator_code=moderator_code)
    for other in Room.objects.exclude(pk=room.pk):
        client.get(public(other))
    client.get(public(room))
    page = client.get(public(room))
    assert not [t.name for t in page.templates if t.name.startswith("django/forms/")]
    assert str(forms.Form.as_p(JoinForm(room=room))) in page.content.decode()
    assert ('name="code"' in page.content.decode()) is bool(viewer_code or moderator_code)
    english = client.get(public(room), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your name" in english and "Ihr Name" not in english


def test_a_join_form_with_errors_is_rendered_with_them(client, personas):
    room = RoomFactory(club=personas.club, viewer_code="4711")
    client.get(public(room))
    page = client.post(reverse("rooms:join", kwargs={"friendly_id": room.friendly_id}), {"name": "G", "code": ""})
    content = page.content.decode()
    assert page.status_code == 400 and 'aria-invalid="true"' in content
    assert "Bitte geben Sie den Zugangscode ein." in content and 'value="G"' in content


# -- create / edit -----------------------------------------------------------------------------


def test_admin_creates_a_room(client, personas):
    client.force_login(personas.admin)
    response = client.post(url("create", club=personas.club), valid_data(generate_viewer_code="on"))
    room = Room.objects.get(name="Mitgliederversammlung")
    assert response["Location"] == url("detail", room=room)
    assert room.club == personas.club
    assert len(room.viewer_code) == 6 and room.viewer_code.isdigit()
    assert room.created_by == personas.admin
    assert AuditEntry.objects.filter(action="room.create", target_id=str(room.pk)).exists()


def test_members_cannot_create_rooms(client, personas):
    client.force_login(personas.member)
    assert client.get(url("create", club=personas.club)).status_code == 403
    assert client.post(url("create", club=personas.club), valid_data()).status_code == 403
    assert Room.objects.count() == 0


def test_new_rooms_start_with_the_club_defaults(client, personas):
    personas.club.default_waiting_room = True
    personas.club.save()
    client.force_login(personas.admin)
    content = client.get(url("create", club=personas.club)).content.decode()
    assert 'name="waiting_room" id="id_waiting_room" checked' in content


def test_room_quota_is_enforced_with_a_german_message(client, personas):
    personas.club.max_rooms = 1
    personas.club.save()
    RoomFactory(club=personas.club)
    client.force_login(personas.admin)
    response = client.post(url("create", club=personas.club), valid_data())
    assert response.status_code == 200
    assert "höchstmögliche Zahl von 1 Räumen" in response.content.decode()
    assert 'value="Mitgliederversammlung"' in response.content.decode()
    assert Room.objects.count() == 1


def test_max_participants_must_stay_within_the_club_quota(client, personas):
    client.force_login(personas.admin)
    response = client.post(url("create", club=personas.club), valid_data(max_participants="51"))
    assert "höchstens 50 Teilnehmende" in response.content.decode()
    assert not Room.objects.exists()
    with pytest.raises(QuotaExceeded):
        services.room_create(club=personas.club, actor=personas.admin, name="X", max_participants=51)


def test_recording_cannot_be_switched_on_without_the_club_right(client, personas):
    personas.club.recording_allowed = False
    personas.club.save()
    client.force_login(personas.admin)
    client.post(url("create", club=personas.club), valid_data(record="on"))
    assert Room.objects.get().record is False
    with pytest.raises(QuotaExceeded):
        services.room_create(club=personas.club, actor=personas.admin, name="X", record=True)


def test_codes_must_differ_and_be_long_enough(client, personas):
    client.force_login(personas.admin)
    content = client.post(
        url("create", club=personas.club), valid_data(viewer_code="1234", moderator_code="1234")
    ).content.decode()
    assert "muss sich vom Code für Gäste unterscheiden" in content
    content = client.post(url("create", club=personas.club), valid_data(viewer_code="12")).content.decode()
    assert "mindestens 4 Zeichen" in content
    assert not Room.objects.exists()


def test_admin_edits_a_room_and_the_audit_names_fields_not_codes(client, personas, room):
    client.force_login(personas.admin)
    response = client.post(url("edit", room=room), valid_data(name="Neuer Name", moderator_code="9999"))
    assert response.status_code == 302
    room.refresh_from_db()
    assert room.name == "Neuer Name" and room.moderator_code == "9999"
    entry = AuditEntry.objects.get(action="room.update")
    assert "moderator_code" in entry.details["changed"]
    assert "9999" not in str(entry.details)


def test_members_cannot_edit_rooms(client, personas, room):
    client.force_login(personas.member)
    assert client.post(url("edit", room=room), valid_data(name="X")).status_code == 403


# -- codes -------------------------------------------------------------------------------------


def test_admin_regenerates_and_removes_codes(client, personas, room):
    room.viewer_code = "1111"
    room.save()
    client.force_login(personas.admin)
    client.post(url("codes", room=room), {"codes": "viewer", "confirm": "1"})
    room.refresh_from_db()
    assert room.viewer_code != "1111" and len(room.viewer_code) == 6
    client.post(url("codes", room=room), {"codes": "moderator", "confirm": "1"})
    room.refresh_from_db()
    assert room.moderator_code and room.moderator_code != room.viewer_code
    client.post(url("codes", room=room), {"codes": "remove", "confirm": "1"})
    room.refresh_from_db()
    assert room.viewer_code == "" and room.moderator_code == ""
    assert AuditEntry.objects.filter(action="room.regenerate_codes").count() == 2


@pytest.mark.parametrize("which", ["viewer", "moderator", "remove"])
def test_changing_codes_first_asks_for_confirmation_and_changes_nothing(client, personas, room, which):
    """Issue 16, item 10: a click on "Neuen Gästecode erzeugen" or "Codes entfernen" is not yet the change."""
    room.viewer_code, room.moderator_code = "111111", "222222"
    room.save()
    client.force_login(personas.admin)
    for response in (
        client.get(url("codes", room=room), {"codes": which}),
        client.post(url("codes", room=room), {"codes": which}),
    ):
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="confirm"' in html and "Abbrechen" in html
    room.refresh_from_db()
    assert (room.viewer_code, room.moderator_code) == ("111111", "222222")
    assert not AuditEntry.objects.filter(action__startswith="room.").exclude(action="room.created").exists()


def test_members_cannot_regenerate_codes(client, personas, room):
    client.force_login(personas.member)
    assert client.post(url("codes", room=room), {"codes": "viewer", "confirm": "1"}).status_code == 403


# -- delete ------------------------------------------------------------------------------------


def test_delete_asks_about_recordings_and_keeps_them(client, personas, room, bbb_server):
    recording = RecordingFactory(room=room, server=bbb_server)
    client.force_login(personas.admin)
    confirm = client.get(url("delete", room=room)).content.decode()
    assert "Was soll mit den Aufzeichnungen" in confirm
    assert "1 Aufzeichnung" in confirm
    response = client.post(url("delete", room=room), {"recordings": "keep"})
    assert response["Location"] == url("list", club=personas.club)
    assert not Room.objects.filter(pk=room.pk).exists()
    recording.refresh_from_db()
    assert recording.room is None and recording.club == personas.club and recording.deleted_at is None
    entry = AuditEntry.objects.get(action="room.delete")
    assert entry.details == {"recordings": "keep", "recording_count": 1}


def test_delete_ends_the_running_meeting_first(client, personas, room, bbb_server, simulator):
    services.meeting_start(room=room, display_name="Ada")
    client.force_login(personas.admin)
    assert "läuft gerade eine Besprechung" in client.get(url("delete", room=room)).content.decode()
    client.post(url("delete", room=room), {"recordings": "keep"})
    assert simulator.calls["end"] == 1
    meeting = Meeting.objects.get()
    assert meeting.room is None and meeting.ended_at is not None


def test_delete_keeps_the_room_when_bbb_cannot_end_the_meeting(client, personas, room, bbb_server, simulator):
    MeetingFactory(room=room, server=bbb_server)
    simulator.configure(down=True)
    client.force_login(personas.admin)
    response = client.post(url("delete", room=room), {"recordings": "keep"})
    assert response.status_code == 503
    assert Room.objects.filter(pk=room.pk).exists()


def test_deleting_a_room_with_its_recordings_deletes_them_on_bbb_first(client, personas, room, bbb_server, simulator):
    record_id = simulator.add_recording(room.meeting_id, published=True)
    recording = RecordingFactory(room=room, server=bbb_server, record_id=record_id, bbb_meeting_id=room.meeting_id)
    client.force_login(personas.admin)
    assert 'value="delete"' in client.get(url("delete", room=room)).content.decode()
    response = client.post(url("delete", room=room), {"recordings": "delete"})
    assert response.status_code == 302
    assert not Room.objects.filter(pk=room.pk).exists()
    recording.refresh_from_db()
    assert recording.deleted_at is not None
    assert simulator.calls["deleteRecordings"] == 1


def test_deleting_a_room_but_keeping_recordings_leaves_them_with_the_club(client, personas, room, bbb_server):
    recording = RecordingFactory(room=room, server=bbb_server)
    client.force_login(personas.admin)
    assert client.post(url("delete", room=room), {"recordings": "keep"}).status_code == 302
    recording.refresh_from_db()
    assert recording.room is None and recording.club == personas.club and recording.deleted_at is None


def test_members_cannot_delete_rooms(client, personas, room):
    MembershipFactory(club=personas.club, role=Role.MEMBER)
    client.force_login(personas.member)
    assert client.post(url("delete", room=room), {"recordings": "keep"}).status_code == 403
    assert Room.objects.filter(pk=room.pk).exists()


def test_meeting_state_filter_marks_meetings_on_unhealthy_servers_as_unknown(personas, room, bbb_server):
    from django.template import Context, Template

    meeting = MeetingFactory(room=room, server=bbb_server)
    template = Template('{% load rooms_state %}{% include "rooms/_state.html" with state=meeting|meeting_state %}')
    assert "Läuft" in template.render(Context({"meeting": meeting}))
    bbb_server.healthy = False
    bbb_server.save()
    meeting.refresh_from_db()
    assert "Status unbekannt" in template.render(Context({"meeting": meeting}))
    assert "Läuft nicht" in template.render(Context({"meeting": None}))
