"""BBB's end callback (our signed token); the recording-ready callback is tested in tests/recordings."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from meetings import sync
from meetings.callbacks import end_callback_token, end_callback_url, recording_ready_url
from meetings.models import Meeting
from tests.factories import MeetingFactory

pytest_plugins = ["tests.sync_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def bbb() -> Client:
    """BBB is not a browser: no session, and CSRF checks are on."""
    return Client(enforce_csrf_checks=True)


def end_path(meeting: Meeting) -> str:
    return reverse("meetings:callback_end", kwargs={"token": end_callback_token(meeting_pk=meeting.pk)})


# -- end callback --------------------------------------------------------------------------------


def test_end_callback_url_is_absolute_from_site_url(settings):
    settings.SITE_URL = "https://video.example.org"
    assert end_callback_url(meeting_pk=7).startswith("https://video.example.org/bbb/callback/ende/")
    assert recording_ready_url(server_pk=3) == "https://video.example.org/bbb/callback/aufzeichnung/3/"


def test_end_callback_ends_the_meeting_now_and_queues_its_recording_fetch(
    bbb, sent_tasks, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(record=True, participant_count=4)

    with django_capture_on_commit_callbacks(execute=True):
        response = bbb.get(end_path(meeting), {"recordingmarks": "true", "meetingID": meeting.meeting_id})

    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.ended_at is not None
    assert meeting.status == Meeting.Status.ENDED
    assert meeting.end_reason == sync.EndReason.CALLBACK
    assert meeting.participant_count == 0
    assert sent_tasks.named(sync.RECORDINGS_FETCH_FOR_MEETING) == [[meeting.pk]]


def test_end_callback_by_post_works_too(bbb, sent_tasks, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(record=False)

    with django_capture_on_commit_callbacks(execute=True):
        response = bbb.post(end_path(meeting))

    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.ended_at is not None
    assert sent_tasks.calls == []  # nothing recorded, nothing to fetch


def test_end_callback_without_recording_marks_queues_no_fetch(bbb, sent_tasks, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(record=True)

    with django_capture_on_commit_callbacks(execute=True):
        bbb.get(end_path(meeting), {"recordingmarks": "false"})

    meeting.refresh_from_db()
    assert meeting.ended_at is not None
    assert sent_tasks.calls == []


def test_repeated_end_callback_answers_2xx_and_changes_nothing(bbb, sent_tasks, django_capture_on_commit_callbacks):
    """Issue 14 bug 1: bbb-web sends a probe GET and the real GET and retries non-2xx (CallbackUrlService)."""
    meeting = MeetingFactory(record=True)
    path = end_path(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        assert bbb.get(path).status_code == 200
    meeting.refresh_from_db()
    first_end = meeting.ended_at

    with django_capture_on_commit_callbacks(execute=True):
        response = bbb.get(path)

    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.ended_at == first_end
    assert len(sent_tasks.calls) == 1


def test_forged_end_token_is_refused(bbb):
    meeting = MeetingFactory()
    token = end_callback_token(meeting_pk=meeting.pk)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")

    for path in (
        reverse("meetings:callback_end", kwargs={"token": forged}),
        reverse("meetings:callback_end", kwargs={"token": "eyJtZWV0aW5nIjo1fQ"}),
    ):
        assert bbb.get(path).status_code == 403
    meeting.refresh_from_db()
    assert meeting.ended_at is None


def test_end_token_for_a_deleted_meeting_answers_2xx_so_bbb_stops_retrying(bbb):
    response = bbb.get(reverse("meetings:callback_end", kwargs={"token": end_callback_token(meeting_pk=987654)}))
    assert response.status_code == 200


def test_end_callback_naming_another_meeting_id_is_refused(bbb):
    meeting = MeetingFactory()
    response = bbb.get(end_path(meeting), {"meetingID": "someone-elses-meeting"})
    assert response.status_code == 400
    meeting.refresh_from_db()
    assert meeting.ended_at is None
