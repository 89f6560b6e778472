"""Client support for real servers: secret check, JWT verification, redaction, caps, safe URLs."""

from __future__ import annotations

import base64
import json
import logging
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import jwt
import pytest

from bbb import BBBClient, BBBError, BBBUnavailable
from bbb.callbacks import InvalidCallback, verify_recording_ready
from bbb.errors import RedactChecksumFilter, redact
from bbb.parsing import epoch_ms, parse_response, web_url
from bbb.simulator import Simulator

SECRET = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
LONG_SECRET = "s" * 64  # long enough for HS512 without PyJWT's key-length warning


def test_check_secret_tells_a_wrong_secret_from_a_right_one(client: BBBClient, api_url: str) -> None:
    client.check_secret()
    with pytest.raises(BBBError) as info:
        BBBClient(api_url, "not-the-secret").check_secret()
    assert info.value.message_key == "checksumError"
    assert BBBClient(api_url, "not-the-secret").api_version().version == "2.0"  # the unsigned call can't tell


@pytest.mark.parametrize("algorithm", ["HS256", "HS384", "HS512"])
def test_recording_ready_accepts_the_hmac_algorithms(algorithm: str) -> None:
    token = jwt.encode({"meeting_id": "room-1", "record_id": "abc-1"}, LONG_SECRET, algorithm=algorithm)
    ready = verify_recording_ready(token, LONG_SECRET)
    assert (ready.meeting_id, ready.record_id) == ("room-1", "abc-1")


def _unsigned(header: dict[str, str], claims: dict[str, str]) -> str:
    part = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()  # noqa: E731
    return f"{part(header)}.{part(claims)}."


@pytest.mark.parametrize(
    "token",
    [
        _unsigned({"alg": "none", "typ": "JWT"}, {"meeting_id": "room-1", "record_id": "abc-1"}),
        _unsigned({"alg": "RS256", "typ": "JWT"}, {"meeting_id": "room-1", "record_id": "abc-1"}),
        jwt.encode({"meeting_id": "room-1", "record_id": "abc-1"}, "another" * 10, algorithm="HS256"),
        jwt.encode({"meeting_id": "room-1"}, LONG_SECRET, algorithm="HS256"),
        jwt.encode({"meeting_id": "room-1", "record_id": 7}, LONG_SECRET, algorithm="HS256"),
        "not-a-jwt",
        "",
    ],
    ids=["none", "rs256", "wrong-secret", "no-record-id", "record-id-not-text", "garbage", "empty"],
)
def test_recording_ready_refuses_everything_else(token: str) -> None:
    with pytest.raises(InvalidCallback):
        verify_recording_ready(token, LONG_SECRET)


def test_a_repadded_token_is_the_same_recording() -> None:
    # Appending "=" to the signature changes the bytes but still verifies: harmless, since what the
    # receiver does with it (fetch + upsert by record id) is idempotent.
    token = jwt.encode({"meeting_id": "room-1", "record_id": "abc-1"}, LONG_SECRET, algorithm="HS256")
    assert verify_recording_ready(token + "=", LONG_SECRET) == verify_recording_ready(token, LONG_SECRET)


def test_redact_strips_every_checksum() -> None:
    url = "https://bbb.test/bigbluebutton/api/getMeetings?checksum=0123abcdef&x=1"
    assert redact(url) == "https://bbb.test/bigbluebutton/api/getMeetings?checksum=[redacted]&x=1"
    assert "abcdef" not in redact("a?meetingID=1&CHECKSUM=abcdef0011 and b%3Fchecksum%3Dabcdef99")


def test_unavailable_errors_never_carry_the_checksum(sim: Simulator) -> None:
    # A closed port: requests' ConnectionError text contains the full URL with its checksum.
    bbb = BBBClient("http://127.0.0.1:9/bigbluebutton/api/", SECRET, retries=0, connect_timeout=0.5)
    with pytest.raises(BBBUnavailable) as info:
        bbb.get_meetings()
    assert "getMeetings" in str(info.value) and "checksum=" in bbb.url("getMeetings")
    digest = bbb.url("getMeetings").rsplit("checksum=", 1)[1]
    assert digest not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_log_filter_redacts_messages_arguments_and_tracebacks() -> None:
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Collect()
    handler.addFilter(RedactChecksumFilter())
    log = logging.getLogger("test.redact")
    log.addHandler(handler)
    try:
        log.warning("calling %s", "https://bbb.test/api/end?meetingID=1&checksum=deadbeef01")
        try:
            raise RuntimeError("failed: https://bbb.test/api/end?checksum=deadbeef02")
        except RuntimeError:
            log.exception("boom")
    finally:
        log.removeHandler(handler)
    assert records and all("deadbeef" not in line for line in records)
    assert "checksum=[redacted]" in records[0] and "RuntimeError" in records[1]


@pytest.fixture
def big_answer_server():  # type: ignore[no-untyped-def]
    """Answers getRecordings with an endless stream (chunked, no Content-Length)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # HTTP/1.0, no Content-Length: the body runs until the server closes
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.end_headers()
            try:
                self.wfile.write(b"<response><returncode>SUCCESS</returncode><recordings>")
                for _ in range(200):  # ~13 MB if nobody stops reading
                    self.wfile.write(b"<recording>" + b"x" * 65536 + b"</recording>")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/bigbluebutton/api/"
    server.shutdown()
    server.server_close()


def test_recordings_page_is_capped_while_streaming(big_answer_server: str) -> None:
    bbb = BBBClient(big_answer_server, SECRET, retries=0)
    assert bbb.max_recordings_page_bytes == 4 * 1024 * 1024 < bbb.max_response_bytes
    with pytest.raises(BBBUnavailable, match="exceeds 4194304 bytes"):
        bbb.get_recordings(limit=100)


def test_a_full_recordings_page_fits_the_cap(sim: Simulator, client: BBBClient) -> None:
    sim.bulk_load(recordings=100)
    page = client.get_recordings(limit=100)
    assert len(page.recordings) == 100


def test_join_url_carries_create_time_and_error_redirect_url(client: BBBClient) -> None:
    created = client.create("room-1", "Room")
    assert isinstance(created.create_time, datetime)
    url = client.join_url("room-1", "Ada", create_time=created.create_time, error_redirect_url="https://x.test/e")
    assert f"createTime={epoch_ms(created.create_time)}" in url and "errorRedirectUrl=https%3A%2F%2Fx.test%2Fe" in url
    assert epoch_ms(datetime(2024, 5, 9, 13, 35, 28, 123000, tzinfo=UTC)) == 1715261728123


def test_only_http_urls_survive_parsing() -> None:
    assert web_url(" https://bbb.test/playback/1 ") == "https://bbb.test/playback/1"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//bbb.test/x", "ftp://bbb.test/x", "https://", ""):
        assert web_url(bad) is None
    body = (
        "<response><returncode>SUCCESS</returncode><recordings><recording><recordID>r1</recordID>"
        "<playback><format><type>presentation</type><url>javascript:alert(document.cookie)</url>"
        "<preview><images><image width='1' height='1'>javascript:x</image>"
        "<image width='2' height='2'>https://bbb.test/t.png</image></images></preview></format>"
        "<format><type>video</type><url>https://bbb.test/v.mp4</url></format></playback>"
        "</recording></recordings></response>"
    )
    [recording] = parse_response("getRecordings", body).recordings
    presentation, video = recording.formats
    assert presentation.url is None and [p.url for p in presentation.previews] == ["https://bbb.test/t.png"]
    assert video.url == "https://bbb.test/v.mp4"
