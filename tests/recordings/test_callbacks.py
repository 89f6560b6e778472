"""BBB's recording-ready callback (a JWT signed with the server's secret)."""

from __future__ import annotations

import time

import jwt
import pytest
from django.test import Client
from django.urls import reverse

from recordings import callbacks
from tests.factories import MeetingFactory, ServerFactory

pytest_plugins = ["tests.sync_fixtures"]
pytestmark = pytest.mark.django_db


@pytest.fixture
def bbb() -> Client:
    """BBB is not a browser: no session, and CSRF checks are on."""
    return Client(enforce_csrf_checks=True)


# -- recording-ready callback --------------------------------------------------------------------


def signed(secret: str, **claims: object) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def ready_path(server) -> str:
    return reverse("recordings:callback_ready", kwargs={"server_id": server.pk})


def test_valid_recording_ready_callback_queues_the_recording_fetch(bbb, sent_tasks, django_capture_on_commit_callbacks):
    meeting = MeetingFactory(server=ServerFactory(secret="server-secret-0123456789abcdefghijklmnop"))
    token = signed("server-secret-0123456789abcdefghijklmnop", meeting_id=meeting.meeting_id, record_id="rec-1")

    with django_capture_on_commit_callbacks(execute=True):
        response = bbb.post(ready_path(meeting.server), {"signed_parameters": token})

    assert response.status_code == 200
    assert sent_tasks.named(callbacks.RECORDING_FETCH) == [[meeting.server.pk, "rec-1"]]


@pytest.mark.parametrize(
    ("make_token", "status"),
    [
        pytest.param(
            lambda m: signed("wrong-secret-0123456789abcdefghijklmnopq", meeting_id=m.meeting_id, record_id="r"),
            403,
            id="forged",
        ),
        pytest.param(
            lambda m: signed(
                "server-secret-0123456789abcdefghijklmnop",
                meeting_id=m.meeting_id,
                record_id="r",
                exp=int(time.time()) - 10,
            ),
            403,
            id="expired",
        ),
        pytest.param(
            lambda m: signed("server-secret-0123456789abcdefghijklmnop", meeting_id=m.meeting_id),
            403,
            id="no-record-id",
        ),
        pytest.param(
            lambda m: signed("server-secret-0123456789abcdefghijklmnop", record_id="r"), 403, id="no-meeting-id"
        ),
        pytest.param(
            lambda m: signed("server-secret-0123456789abcdefghijklmnop", meeting_id=m.meeting_id, record_id=5),
            403,
            id="bad-types",
        ),
        pytest.param(lambda m: "not.a.jwt", 403, id="malformed"),
        pytest.param(lambda m: "", 400, id="missing"),
        pytest.param(
            lambda m: jwt.encode({"meeting_id": m.meeting_id, "record_id": "r"}, None, algorithm="none"),
            403,
            id="alg-none",
        ),
        pytest.param(
            lambda m: signed("server-secret-0123456789abcdefghijklmnop", meeting_id="not-ours", record_id="r"),
            404,
            id="unknown-meeting",
        ),
    ],
)
def test_bad_recording_ready_callbacks_change_nothing(
    bbb, sent_tasks, django_capture_on_commit_callbacks, make_token, status
):
    meeting = MeetingFactory(server=ServerFactory(secret="server-secret-0123456789abcdefghijklmnop"))

    with django_capture_on_commit_callbacks(execute=True):
        response = bbb.post(ready_path(meeting.server), {"signed_parameters": make_token(meeting)})

    assert response.status_code == status
    assert sent_tasks.calls == []


def test_token_of_another_server_is_refused(bbb, sent_tasks, django_capture_on_commit_callbacks):
    ours = MeetingFactory(server=ServerFactory(secret="secret-a-0123456789abcdefghijklmnopqrstu"))
    other_server = ServerFactory(secret="secret-b-0123456789abcdefghijklmnopqrstu")
    token = signed("secret-b-0123456789abcdefghijklmnopqrstu", meeting_id=ours.meeting_id, record_id="r")

    with django_capture_on_commit_callbacks(execute=True):
        response = bbb.post(ready_path(ours.server), {"signed_parameters": token})
        # ...and a correctly signed token of server B names a meeting that never ran on B.
        response_b = bbb.post(ready_path(other_server), {"signed_parameters": token})

    assert response.status_code == 403
    assert response_b.status_code == 404
    assert sent_tasks.calls == []


def test_every_recording_ready_post_of_a_token_is_accepted(bbb, sent_tasks, django_capture_on_commit_callbacks):
    """Issue 14 bug 2: bbb-web posts once per format with an identical token; each queues the (idempotent) fetch.

    Issue 15.8: a re-padded token is the same valid token -- harmless, because nothing depends on
    having seen it before.
    """
    meeting = MeetingFactory(server=ServerFactory(secret="server-secret-0123456789abcdefghijklmnop"))
    token = signed("server-secret-0123456789abcdefghijklmnop", meeting_id=meeting.meeting_id, record_id="rec-2")

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [bbb.post(ready_path(meeting.server), {"signed_parameters": t}).status_code for t in (token, token)]
        statuses.append(bbb.post(ready_path(meeting.server), {"signed_parameters": token + "="}).status_code)

    assert statuses == [200, 200, 200]
    assert sent_tasks.named(callbacks.RECORDING_FETCH) == [[meeting.server.pk, "rec-2"]] * 3


@pytest.mark.parametrize("algorithm", ["HS256", "HS384", "HS512"])
def test_recording_ready_accepts_the_algorithms_bbb_can_sign_with(
    bbb, sent_tasks, django_capture_on_commit_callbacks, algorithm
):
    """Issue 14 bug 5: HS256 is bbb-web's default; HS384/HS512 are configurable (Scalelite signs HS512)."""
    secret = "server-secret-0123456789abcdefghijklmnop-0123456789abcdefghijklmnop"
    meeting = MeetingFactory(server=ServerFactory(secret=secret))
    token = jwt.encode({"meeting_id": meeting.meeting_id, "record_id": "rec-3"}, secret, algorithm=algorithm)

    with django_capture_on_commit_callbacks(execute=True):
        response = bbb.post(ready_path(meeting.server), {"signed_parameters": token})

    assert response.status_code == 200
    assert sent_tasks.named(callbacks.RECORDING_FETCH) == [[meeting.server.pk, "rec-3"]]


def test_recording_ready_for_an_unknown_server_is_404(bbb):
    response = bbb.post(reverse("recordings:callback_ready", kwargs={"server_id": 424242}), {"signed_parameters": "x"})
    assert response.status_code == 404


def test_recording_ready_only_accepts_post(bbb):
    server = ServerFactory()
    assert bbb.get(ready_path(server)).status_code == 405


def test_simulator_recording_ready_token_is_accepted(bbb_sim, bbb, sent_tasks, django_capture_on_commit_callbacks):
    """The JWT exactly as the simulator (like bbb's post_publish script) signs it."""
    meeting = bbb_sim.open_meeting(record=True)
    record_id = bbb_sim.sim.add_recording(meeting.meeting_id)
    token = jwt.encode({"meeting_id": meeting.meeting_id, "record_id": record_id}, bbb_sim.server.secret, "HS256")

    with django_capture_on_commit_callbacks(execute=True):
        response = bbb.post(ready_path(bbb_sim.server), {"signed_parameters": token})

    assert response.status_code == 200
    assert sent_tasks.named(callbacks.RECORDING_FETCH) == [[bbb_sim.server.pk, record_id]]


def test_recording_ready_while_the_task_queue_is_down_is_kept_for_the_next_worker(
    bbb_sim, bbb, monkeypatch, django_capture_on_commit_callbacks
):
    """Issue 21 item 8: BBB does not retry the callback, so refusing it would lose the recording."""
    from kombu.exceptions import OperationalError

    from herzdigital.celery import app as celery_app
    from meetings.models import PendingRecordingFetch
    from recordings.models import Recording
    from recordings.tasks import recordings_fetch_pending

    meeting = bbb_sim.open_meeting(record=True)
    record_id = bbb_sim.sim.add_recording(meeting.meeting_id)
    token = jwt.encode({"meeting_id": meeting.meeting_id, "record_id": record_id}, bbb_sim.server.secret, "HS256")

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(celery_app, "send_task", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = bbb.post(ready_path(bbb_sim.server), {"signed_parameters": token})

    assert response.status_code == 200
    assert list(PendingRecordingFetch.objects.values_list("server_id", "record_id")) == [(bbb_sim.server.pk, record_id)]

    assert recordings_fetch_pending() == 1  # a worker, once the queue is back
    assert Recording.objects.filter(record_id=record_id).exists()
    assert not PendingRecordingFetch.objects.exists()


def test_a_pending_fetch_stays_while_bbb_is_unreachable(bbb_sim):
    from meetings.models import PendingRecordingFetch
    from recordings.tasks import recordings_fetch_pending

    PendingRecordingFetch.objects.create(server=bbb_sim.server_row(), record_id="rec-x")
    bbb_sim.sim.configure(down=True)
    assert recordings_fetch_pending() == 0
    assert PendingRecordingFetch.objects.count() == 1
