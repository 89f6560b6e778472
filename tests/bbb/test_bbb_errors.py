"""Every way a BBB call can fail, and how the client reports it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"  # the `sim` fixture's secret (the docs' example)

from bbb import BBBClient, BBBError, BBBUnavailable
from bbb.checksum import checksum
from bbb.simulator import Simulator


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha384", "sha512"])
def test_wrong_secret_is_checksum_error_for_each_algorithm(api_url: str, algorithm: str) -> None:
    client = BBBClient(api_url, "wrong-secret", checksum_algorithm=algorithm)
    with pytest.raises(BBBError) as info:
        client.create("room-1", "Room One")
    assert info.value.message_key == "checksumError"
    assert info.value.message == "Checksums do not match"


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha384", "sha512"])
def test_algorithm_switched_off_on_the_server_is_checksum_error(api_url: str, sim: Simulator, algorithm: str) -> None:
    others = [a for a in ("sha1", "sha256", "sha384", "sha512") if a != algorithm]
    sim.configure(supported_checksum_algorithms=others)
    with pytest.raises(BBBError) as info:
        BBBClient(api_url, SECRET, checksum_algorithm=algorithm).get_meetings()
    assert info.value.message_key == "checksumError"
    BBBClient(api_url, SECRET, checksum_algorithm=others[0]).get_meetings()  # the others still work


def test_checksum_of_unknown_length_and_missing_checksum(api_url: str) -> None:
    short = requests.get(f"{api_url}getMeetings?checksum=abc123", timeout=5)
    assert short.status_code == 200 and b"<messageKey>checksumError</messageKey>" in short.content
    missing = requests.get(f"{api_url}getMeetings", timeout=5)
    assert b"You must provide the checksum" in missing.content
    legacy = requests.get(f"{api_url}getRecordings?checksum=" + "0" * 40, timeout=5)
    assert b"You did not pass the checksum security check" in legacy.content


def test_checksum_may_come_first_in_the_query(api_url: str) -> None:
    query = "meetingID=room-1&name=Room+One"
    digest = checksum("create", query, SECRET, "sha256")
    answer = requests.get(f"{api_url}create?checksum={digest}&{query}", timeout=5)
    assert b"<returncode>SUCCESS</returncode>" in answer.content


def test_post_with_a_parameter_in_url_and_body_is_checksum_error(api_url: str) -> None:
    query = "meetingID=room-1&name=Room+One"
    url = f"{api_url}create?{query}&checksum={checksum('create', query, SECRET, 'sha1')}"
    answer = requests.post(url, data={"name": "Other"}, timeout=5)
    assert b"checksumError" in answer.content
    wrong_type = requests.post(url, data=b"x", headers={"Content-Type": "application/json"}, timeout=5)
    assert b"unsupportedContentType" in wrong_type.content


def test_failed_single_format_becomes_bbb_error(client: BBBClient) -> None:
    with pytest.raises(BBBError) as info:
        client.end("missing-room")
    assert (info.value.message_key, info.value.message) == (
        "notFound",
        "A meeting with that ID does not exist",
    )


def test_failed_errors_list_format_becomes_bbb_error(client: BBBClient) -> None:
    client.create("room-1", "Room One", params={"voiceBridge": "12345"})
    with pytest.raises(BBBError) as info:
        client.create("room-2", "Room Two", params={"voiceBridge": "12345"})
    assert info.value.message_key == "nonUniqueVoiceBridge"
    assert info.value.errors[0][0] == "nonUniqueVoiceBridge"


def test_validation_errors(client: BBBClient) -> None:
    with pytest.raises(BBBError) as info:
        client.create("a,b", "Room")
    assert info.value.message_key == "validationError"
    with pytest.raises(BBBError) as info:
        client.get_meeting_info("")
    assert info.value.message_key == "missingParamMeetingID"


def test_read_timeout_is_unavailable_and_reads_are_retried(api_url: str, sim: Simulator) -> None:
    sim.configure(latency=0.5)
    client = BBBClient(api_url, SECRET, read_timeout=0.1, retries=2, backoff=0.01)
    started = time.monotonic()
    with pytest.raises(BBBUnavailable):
        client.get_meetings()
    assert client.calls["getMeetings"] == 3
    assert time.monotonic() - started < 1.5


def test_writes_are_never_retried(api_url: str, sim: Simulator) -> None:
    sim.configure(down=True)
    client = BBBClient(api_url, SECRET, retries=3, backoff=0.01)
    for call in (
        lambda: client.create("room-1", "Room One"),
        lambda: client.end("room-1"),
        lambda: client.delete_recordings(["r1"]),
        lambda: client.publish_recordings(["r1"], True),
        lambda: client.update_recordings(["r1"], {"a": "b"}),
    ):
        with pytest.raises(BBBUnavailable):
            call()
    assert set(client.calls.values()) == {1}
    with pytest.raises(BBBUnavailable):
        client.is_meeting_running("room-1")
    assert client.calls["isMeetingRunning"] == 4


def test_server_down_then_up_again(api_url: str, sim: Simulator) -> None:
    client = BBBClient(api_url, SECRET, retries=0)
    sim.configure(down=True)
    with pytest.raises(BBBUnavailable, match="503"):
        client.get_meetings()
    sim.configure(down=False)
    assert client.get_meetings() == []


def test_connection_refused_is_unavailable() -> None:
    client = BBBClient("http://127.0.0.1:9/bigbluebutton/api/", SECRET, connect_timeout=0.5, retries=1, backoff=0.01)
    with pytest.raises(BBBUnavailable):
        client.api_version()
    assert client.calls["apiVersion"] == 2


def test_http_500_is_unavailable(api_url: str, sim: Simulator) -> None:
    sim.configure(status_override=500)
    client = BBBClient(api_url, SECRET, retries=1, backoff=0.01)
    with pytest.raises(BBBUnavailable, match="HTTP 500"):
        client.get_meetings()
    assert client.calls["getMeetings"] == 2


def test_malformed_xml_is_unavailable(client: BBBClient, sim: Simulator) -> None:
    sim.configure(malformed=True)
    with pytest.raises(BBBUnavailable, match="unparseable"):
        client.get_meetings()


@pytest.mark.parametrize(
    "body",
    [
        # billion laughs
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><response><returncode>SUCCESS</returncode>'
            "<running>&lol3;</running></response>"
        ),
        # external entity
        (
            '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            "<response><returncode>SUCCESS</returncode><running>&xxe;</running></response>"
        ),
        # plain DTD
        '<!DOCTYPE response SYSTEM "http://evil.test/x.dtd"><response><returncode>SUCCESS</returncode></response>',
    ],
    ids=["billion-laughs", "external-entity", "dtd"],
)
def test_hostile_xml_is_refused(client: BBBClient, sim: Simulator, body: str) -> None:
    sim.configure(body_override=body)
    with pytest.raises(BBBUnavailable):
        client.is_meeting_running("room-1")


def test_not_xml_at_all_and_wrong_root(client: BBBClient, sim: Simulator) -> None:
    sim.configure(body_override="<html><body>Bad gateway</body></html>")
    with pytest.raises(BBBUnavailable):
        client.get_meetings()
    sim.configure(body_override="<response><running>true</running></response>")
    with pytest.raises(BBBUnavailable, match="returncode"):
        client.is_meeting_running("room-1")


def test_oversized_answer_is_unavailable(api_url: str, sim: Simulator) -> None:
    sim.bulk_load(meetings=30, attendees_per_meeting=5)
    client = BBBClient(api_url, SECRET, max_response_bytes=20_000)
    with pytest.raises(BBBUnavailable, match="exceeds"):
        client.get_meetings()


@pytest.fixture
def chunked_server() -> Iterator[str]:
    """Answers with a chunked body (no Content-Length) bigger than the client's cap."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"<response>" + b" " * 8000
            for _ in range(20):
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/bigbluebutton/api/"
    server.shutdown()
    server.server_close()


def test_oversized_streamed_answer_without_length_is_cut_off(chunked_server: str) -> None:
    client = BBBClient(chunked_server, SECRET, max_response_bytes=50_000, retries=0)
    with pytest.raises(BBBUnavailable, match="exceeds"):
        client.get_meetings()


def test_returncode_other_than_success_is_bbb_error(client: BBBClient, sim: Simulator) -> None:
    sim.configure(body_override="<response><returncode>ERROR</returncode></response>")
    with pytest.raises(BBBError) as info:
        client.get_meetings()
    assert info.value.message_key == "unknownError"


def test_dtd_hidden_behind_another_encoding_is_still_refused() -> None:
    from bbb.parsing import parse_xml

    laughs = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "aaaaaaaa">]>'
        "<response><returncode>SUCCESS</returncode><x>&a;</x></response>"
    )
    with pytest.raises(BBBUnavailable, match="hostile"):
        parse_xml(laughs.encode("utf-16"))
    clean = '<?xml version="1.0" encoding="UTF-16"?><response><returncode>SUCCESS</returncode></response>'
    assert parse_xml(clean.encode("utf-16")).tag == "response"


def test_big_answers_leave_the_garbage_collector_as_they_found_it(sim: Simulator) -> None:
    import gc

    from bbb.parsing import parse_response

    sim.bulk_load(meetings=60, attendees_per_meeting=20)
    body = sim.render("getMeetings")
    assert len(body) > 256 * 1024
    assert gc.isenabled()
    assert len(parse_response("getMeetings", body)) == 60
    assert gc.isenabled()
    with pytest.raises(BBBUnavailable):
        parse_response("getMeetings", body[:-20])
    assert gc.isenabled()
