"""Presentations: upload checked by content and size, default, delete, signed URLs, and BBB fetching them."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
import requests
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.bbb_clients import client_for
from meetings.models import Meeting
from rooms import presentations, services
from rooms.models import Presentation, Room
from tests.factories import RoomFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pptx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<p/>")
    return buffer.getvalue()


def upload(name: str = "Tagesordnung.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def page_url(room, name: str = "presentations", **kwargs) -> str:
    return reverse(f"rooms:{name}", kwargs={"club_slug": room.club.slug, "room_id": room.pk, **kwargs})


def stored_files() -> list[str]:
    if not default_storage.exists("presentations"):
        return []
    return default_storage.listdir("presentations")[1]


@pytest.fixture(autouse=True)
def _empty_storage():
    for name in stored_files():
        default_storage.delete(f"presentations/{name}")
    yield


@pytest.fixture
def room(personas):
    return RoomFactory(club=personas.club, name="Mitgliederversammlung")


# -- uploading --------------------------------------------------------------------------------------


def test_host_uploads_pdf_and_pptx_the_first_becomes_default(client, personas, room):
    client.force_login(personas.admin)
    assert client.post(page_url(room), {"file": upload()}).status_code == 302
    client.post(page_url(room), {"file": upload("Folien.pptx", pptx())})
    first, second = room.presentations.order_by("pk")
    assert (first.name, first.content_type, first.is_default) == ("Tagesordnung.pdf", "application/pdf", True)
    assert second.name == "Folien.pptx" and not second.is_default
    assert second.content_type.endswith("presentationml.presentation")
    assert len(stored_files()) == 2
    assert default_storage.open(first.file.name).read() == PDF
    content = client.get(page_url(room)).content.decode()
    assert "Tagesordnung.pdf" in content and "Folien.pptx" in content


def test_the_extension_comes_from_the_content_not_the_name(client, personas, room):
    client.force_login(personas.admin)
    client.post(page_url(room), {"file": upload("agenda.docx", PDF)})
    presentation = room.presentations.get()
    assert presentation.name == "agenda.pdf" and presentation.file.name.endswith(".pdf")


@pytest.mark.parametrize(
    ("name", "content"),
    [("Folien.pdf", b"MZ\x90\x00 not a pdf at all"), ("notes.txt", b"just text"), ("archive.pdf", b"PK\x03\x04zip")],
)
def test_unknown_file_type_is_refused_in_german_and_nothing_is_stored(client, personas, room, name, content):
    client.force_login(personas.admin)
    response = client.post(page_url(room), {"file": upload(name, content)})
    assert response.status_code == 400
    assert "Diese Datei kann nicht als Präsentation dienen." in response.content.decode()
    assert not Presentation.objects.exists() and stored_files() == []


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(client, personas, room, settings):
    settings.PRESENTATION_MAX_MB = 1
    client.force_login(personas.admin)
    response = client.post(page_url(room), {"file": upload(content=PDF + b"0" * (1024 * 1024))})
    assert response.status_code == 400
    assert "Die Datei ist größer als 1 MB." in response.content.decode()
    assert not Presentation.objects.exists() and stored_files() == []


def test_a_failing_database_write_leaves_no_file_behind(personas, room, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(presentations, "audit_log", boom)
    with pytest.raises(RuntimeError):
        presentations.presentation_add(room=room, actor=personas.admin, upload=upload())
    assert not Presentation.objects.exists() and stored_files() == []


def test_plain_members_may_not_manage_presentations(client, personas, room):
    client.force_login(personas.member)
    assert client.get(page_url(room)).status_code == 403
    assert client.post(page_url(room), {"file": upload()}).status_code == 403
    assert stored_files() == []


def test_default_can_be_moved_and_deleting_the_default_promotes_the_next(
    client, personas, room, django_capture_on_commit_callbacks
):
    first = presentations.presentation_add(room=room, actor=personas.admin, upload=upload())
    second = presentations.presentation_add(room=room, actor=personas.admin, upload=upload("b.pdf"))
    client.force_login(personas.admin)
    assert client.get(page_url(room, "presentation_default", presentation_id=second.pk)).status_code == 405
    client.post(page_url(room, "presentation_default", presentation_id=second.pk))
    assert list(room.presentations.filter(is_default=True)) == [second]
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the row is gone
        client.post(page_url(room, "presentation_delete", presentation_id=second.pk))
    first.refresh_from_db()
    assert first.is_default and room.presentations.count() == 1
    assert stored_files() == [first.file.name.rsplit("/", 1)[-1]]


def test_creating_a_room_with_a_bad_presentation_creates_nothing(client, personas):
    client.force_login(personas.admin)
    data = {"name": "Versammlung", "welcome_text": "", "viewer_code": "", "moderator_code": "", "max_participants": ""}
    data.update({"end_when_no_moderator_delay": "5", "presentation": upload("x.pdf", b"nope")})
    response = client.post(reverse("rooms:create", kwargs={"club_slug": personas.club.slug}), data)
    assert response.status_code == 200
    assert "Diese Datei kann nicht als Präsentation dienen." in response.content.decode()
    assert not Room.objects.exists() and stored_files() == []


def test_creating_a_room_with_a_presentation(client, personas):
    client.force_login(personas.admin)
    data = {"name": "Versammlung", "welcome_text": "", "viewer_code": "", "moderator_code": "", "max_participants": ""}
    data.update({"end_when_no_moderator_delay": "5", "presentation": upload()})
    assert client.post(reverse("rooms:create", kwargs={"club_slug": personas.club.slug}), data).status_code == 302
    assert Room.objects.get().presentations.get().is_default


# -- the signed URL ---------------------------------------------------------------------------------


def test_signed_url_serves_the_file_and_nothing_else(client, personas, room, settings):
    presentation = presentations.presentation_add(room=room, actor=personas.admin, upload=upload())
    url = presentations.presentation_fetch_url(presentation).removeprefix(settings.SITE_URL)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    token = url.split("/")[2]
    assert client.get(url.replace(token, token[:-2] + "xx")).status_code == 404
    assert client.get(url.replace("Tagesordnung.pdf", "other.pdf")).status_code == 404
    settings.PRESENTATION_URL_MAX_AGE = -1  # every signature is now too old
    assert client.get(url).status_code == 404


# -- what BBB gets ----------------------------------------------------------------------------------


def test_start_sends_the_presentations_in_the_create_body_with_one_call(personas, room, bbb_server, simulator):
    presentations.presentation_add(room=room, actor=personas.admin, upload=upload("a.pdf"))
    second = presentations.presentation_add(room=room, actor=personas.admin, upload=upload("b.pdf"))
    presentations.presentation_set_default(presentation=second, actor=personas.admin)
    services.meeting_start(room=room, display_name="Vorstand")
    assert simulator.calls == {"create": 1}
    assert client_for(bbb_server).calls == {"create": 1}
    documents = simulator.meetings[room.meeting_id].documents
    assert [d["filename"] for d in documents] == ["b.pdf", "a.pdf"]
    assert documents[0]["current"] == "true"
    assert "/praesentation/" in documents[0]["url"]
    # Joining the running meeting: still zero BBB calls.
    simulator.calls.clear()
    services.meeting_join_url(meeting=Meeting.objects.get(room=room), name="Gast")
    assert sum(simulator.calls.values()) == 0


@pytest.mark.django_db(transaction=True)
def test_the_simulator_fetches_and_serves_the_presentation(
    personas, room, bbb_server, simulator, live_server, settings
):
    settings.SITE_URL = live_server.url
    presentations.presentation_add(room=room, actor=personas.admin, upload=upload())
    presentations.presentation_add(room=room, actor=personas.admin, upload=upload("bad.pdf", PDF))
    join = services.meeting_start(room=room, display_name="Vorstand")
    meeting = simulator.meetings[room.meeting_id]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(d.get("status") for d in meeting.documents):
        time.sleep(0.05)
    first = meeting.documents[0]
    assert first["status"] == "downloaded" and first["current"] == "true"
    import hashlib

    assert first["sha256"] == hashlib.sha256(PDF).hexdigest()
    session = requests.Session()
    page = session.get(join, timeout=5).text
    token = page.split('name="sessionToken" value="')[1].split('"')[0]
    if "sim-connect-form" in page:
        page = session.post(f"{simulator.base_url}/html5client/connect", data={"sessionToken": token}, timeout=5).text
    assert 'data-testid="sim-presentation" data-current="true"' in page
    href = page.split('id="sim-presentations"><li data-testid="sim-presentation" data-current="true"><a href="')[1]
    served = session.get(simulator.base_url + href.split('"')[0], timeout=5)
    assert served.status_code == 200 and served.content == PDF
