"""Conformance: our parser against 49 real BBB answers written by others.

The samples live beside the repository (``../shared/bbb/samples``, present on CI) and are not
copied into the project. Without them the tests skip, unless ``HD_STRICT=1`` makes that a failure.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bbb import BBBError
from bbb.parsing import parse_response
from bbb.types import ApiVersion, CreateResult, JoinResult, Meeting, RecordingPage

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "bbb" / "samples"


def utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def call_of(filename: str) -> str:
    call = filename.split("__")[1]
    return {
        "api_version": "",
        "recordings": "getRecordings",
        "hooks_create": "hooks/create",
        "hooks_list": "hooks/list",
    }.get(call, call)


def failed(key: str, message: str | None = None) -> Callable[[Any], None]:
    def check(error: Any) -> None:
        assert isinstance(error, BBBError), f"expected BBBError, got {error!r}"
        assert error.message_key == key
        if message is not None:
            assert error.message == message

    check.expects_error = True  # type: ignore[attr-defined]
    return check


def api_version(build: str) -> Callable[[ApiVersion], None]:
    def check(v: ApiVersion) -> None:
        assert (v.version, v.api_version, v.build) == ("2.0", "2.0", build)

    return check


def check_create_dup_apiphp(r: CreateResult) -> None:
    assert r.duplicate_warning and r.message_key == "duplicateWarning"
    assert r.meeting_id == "random-1665177" and r.voice_bridge == "76286" and r.parent_meeting_id == "bbb-none"
    assert r.create_time == utc(1453283819419) and not r.has_user_joined


def check_create_dup_docs(r: CreateResult) -> None:
    assert r.duplicate_warning and r.meeting_id == "Test"
    assert r.internal_meeting_id == "640ab2bae07bedc4c163f679a746f7ab7fb5d1fa-1531155809613"


def check_create_dreammall(r: CreateResult) -> None:
    assert r.voice_bridge == "09746"  # leading zero kept: identifiers stay strings
    assert not r.duplicate_warning and r.message_key is None and r.message is None
    assert r.create_time == utc(1718289413143) and r.dial_number == "613-555-1234"


def check_meeting_4_attendees(m: Meeting) -> None:
    assert m.running and m.has_user_joined and not m.is_breakout
    assert (
        m.participant_count,
        m.listener_count,
        m.voice_participant_count,
        m.video_count,
        m.moderator_count,
    ) == (
        2,
        1,
        2,
        1,
        2,
    )
    assert len(m.attendees) == 4 and m.attendees[1].client_type == "FLASH"
    assert m.attendees[1].custom_data["backgroundColor"] == "#FF0033"
    assert m.metadata["bn-recording-ready-url"].startswith("http://bigbluebutton.org/moodle/")
    assert m.metadata["bbb-origin-server-common-name"] == ""
    assert m.end_time == utc(1453206325002) and m.duration_minutes == 20


def check_meeting_breakout(m: Meeting) -> None:
    assert (
        m.is_breakout
        and m.parent_meeting_id == "ParentMeetingId"
        and m.metadata == {"bbb-context": "Best BBB Developers Club"}
    )


def check_meeting_with_breakouts(m: Meeting) -> None:
    assert m.breakout_rooms == ["breakout-room-id-1", "breakout-room-id-2", "breakout-room-id-3"]
    assert m.metadata["endcallbackurl"].startswith("http://www.hegmann.biz/")


def check_meeting_docs26(m: Meeting) -> None:
    assert m.name == "Demo Meeting" and m.running and m.max_users == 20 and m.end_time is None
    assert [a.role for a in m.attendees] == ["VIEWER", "MODERATOR"]
    assert m.attendees[0].is_listening_only and m.attendees[1].has_video and m.metadata == {}


def check_meeting_bbb30(m: Meeting) -> None:
    assert m.meeting_id == "gbesu6dht08uobpislzqxsizjzihn87cmewqyacs" and m.name == "Anton G's Room"
    assert m.recording and m.voice_bridge == "66052" and m.start_time == utc(1715261728142)
    assert m.metadata["endcallbackurl"] == "https://test30.bigbluebutton.org/meeting_ended"
    assert m.metadata["bbb-recording-ready-url"] == "https://test30.bigbluebutton.org/recording_ready"
    [a] = m.attendees
    assert (a.user_id, a.full_name, a.role, a.is_presenter, a.has_video, a.client_type) == (
        "w_ftcrsyuh44oj",
        "Anton G",
        "MODERATOR",
        True,
        True,
        "HTML5",
    )


def check_meeting_marsha(m: Meeting) -> None:
    assert m.participant_count == 1 and m.moderator_count == 0 and len(m.attendees) == 2 and m.metadata == {}


def check_meetings_several(ms: list[Meeting]) -> None:
    assert [m.meeting_id for m in ms] == [
        "5cf490a7-2c9a-3571-a48c-134ef58d47c2",
        "b2e7555d-b7c6-3b9f-b3ae-4c5754f64427",
        "56e1ae16-3dfc-390d-b0d8-5aa844a25874",
    ]
    assert all(m.attendees == [] for m in ms)
    assert ms[1].is_breakout and ms[2].running and ms[2].participant_count == 5 and ms[2].video_count == 3
    assert ms[0].dial_number == "(985) 807-9923"


def check_meetings_one(ms: list[Meeting]) -> None:
    [m] = ms
    assert not m.running and m.participant_count == 0 and m.attendees == [] and m.metadata == {}


def check_meetings_dreammall(ms: list[Meeting]) -> None:
    assert len(ms) == 2 and ms[0].attendees[0].full_name == "Peter Lustig" and ms[0].listener_count == 1


def check_recordings_b3desk(page: RecordingPage) -> None:
    first, second = page.recordings
    assert first.record_id == "ffbfc4cc24428694e8b53a4e144f414052431693-1530718721124"
    assert first.size == 1104836 and first.raw_size == 951067 and first.participants == 3 and first.published
    assert [f.type for f in first.formats] == ["presentation", "video", "ai-summary"]
    assert len(first.formats[0].previews) == 3 and first.formats[0].previews[0].alt == "Welcome to"
    assert first.formats[0].processing_time_ms == 7177 and first.formats[0].size == 1104836
    assert second.size is None and second.formats[0].length_minutes == 33
    assert second.metadata["name"] == "Recording title hand written"


def check_recordings_ai(page: RecordingPage) -> None:
    [r] = page.recordings
    assert r.state is None and not r.published  # no state/published elements in this sample
    assert r.formats[1].type == "ai-summary" and r.formats[1].size == 38610 and r.formats[0].processing_time_ms is None


def check_recordings_docs26(page: RecordingPage) -> None:
    assert len(page.recordings) == 2 and page.recordings[1].participants == 7
    assert (
        page.recordings[0].formats[1].previews[2].height == 136 and page.recordings[0].metadata["gl-listed"] == "false"
    )


def check_recordings_apiphp(page: RecordingPage) -> None:
    assert len(page.recordings) == 6
    first = page.recordings[0]
    assert first.name == "SAT- Writing-Humanities (All participants)"  # CDATA
    assert first.internal_meeting_id == first.record_id  # absent element falls back to recordID
    assert first.size == 10500 + 168019 and first.formats[1].previews[1].alt == "Course"
    third = page.recordings[2]
    assert third.metadata["bbb-recording-name"] == "SAT- Polynomials and Inequalities (All participants)"
    assert page.recordings[4].raw_size == 7219530 and page.recordings[4].participants == 6


def check_recordings_lrb(page: RecordingPage) -> None:
    assert len(page.recordings) == 7
    assert all(r.formats[0].processing_time_ms is None for r in page.recordings[:6])
    assert page.recordings[6].formats[1].previews[0].alt == "Welcome to"


def check_recordings_marsha(page: RecordingPage) -> None:
    first = page.recordings[0]
    # URLs wrapped in whitespace/newlines in the source come out clean.
    assert (
        first.formats[0].url
        == "https://10.7.7.1/playback/presentation/2.3/c62c9c205d37815befe1b75ae6ef5878d8da5bb6-1673282694493"
    )
    assert first.metadata["analytics-callback-url"].endswith("tag=bbb-dev")


def empty_recordings(page: RecordingPage) -> None:
    assert page.recordings == [] and page.total_elements is None


def check_join(expected_user: str, guest_status: str | None) -> Callable[[JoinResult], None]:
    def check(j: JoinResult) -> None:
        assert j.message_key == "successfullyJoined" and j.user_id == expected_user and j.guest_status == guest_status
        assert j.session_token and j.url

    return check


def is_value(expected: Any) -> Callable[[Any], None]:
    def check(value: Any) -> None:
        assert value == expected

    return check


def check_hooks_create(fields: dict[str, str]) -> None:
    assert fields["hookID"] == "1" and fields["permanentHook"] == "false"


def check_text_tracks(count: int) -> Callable[[dict[str, Any]], None]:
    def check(response: dict[str, Any]) -> None:
        assert len(response["tracks"]) == count and {t["kind"] for t in response["tracks"]} <= {
            "subtitles",
            "captions",
        }

    return check


EXPECTATIONS: dict[str, Callable[[Any], None]] = {
    "apiphp__api_version__success_3.0.xml": api_version("3.0.19"),
    "lrb_apiphp__api_version__success_2.4.xml": api_version("2.4-rc-7"),
    "apiphp__create__duplicate_warning.xml": check_create_dup_apiphp,
    "bbbdocs26__create__duplicateWarning.xml": check_create_dup_docs,
    "dreammall__create__success_new_meeting_random_pw_leading_zero_voicebridge.xml": check_create_dreammall,
    "apiphp__create__idNotUnique.xml": failed(
        "idNotUnique", "A meeting already exists with that meeting ID.  Please use a different meeting ID."
    ),
    "bbbdocs26__create__checksumError_post_dup_params.xml": failed("checksumError", "Checksums do not match"),
    "apiphp__join__redirect_false_success.xml": check_join("ao6ehbtvbmhz", "ALLOW"),
    "bbbdocs26__join__redirect_false_success.xml": check_join("w_euxnssffnsbs", None),
    "apiphp__isMeetingRunning__running_true.xml": is_value(True),
    "bbbdocs26__isMeetingRunning__running_true.xml": is_value(True),
    "apiphp__getMeetingInfo__running_4_attendees.xml": check_meeting_4_attendees,
    "apiphp__getMeetingInfo__breakout_room.xml": check_meeting_breakout,
    "apiphp__getMeetingInfo__with_breakout_rooms.xml": check_meeting_with_breakouts,
    "bbbdocs26__getMeetingInfo__running_with_attendee.xml": check_meeting_docs26,
    "bbbdocs30__getMeetingInfo__bbb30_greenlight_moderator.xml": check_meeting_bbb30,
    "marsha__getMeetingInfo__running_two_attendees_html5.xml": check_meeting_marsha,
    "marsha__getMeetingInfo__notFound_legacy_message.xml": failed("notFound"),
    "apiphp__getMeetings__several_meetings.xml": check_meetings_several,
    "bbbdocs26__getMeetings__one_meeting.xml": check_meetings_one,
    "dreammall__getMeetings__two_meetings_with_attendee.xml": check_meetings_dreammall,
    "dreammall__getMeetings__noMeetings.xml": is_value([]),  # informational key, not an error
    "apiphp__end__success.xml": is_value(None),
    "bbbdocs26__end__sentEndMeetingRequest.xml": is_value(None),
    "marsha__end__invalidPassword_legacy.xml": failed("invalidPassword"),
    "apiphp__insertDocument__success.xml": is_value(None),
    "b3desk__getRecordings__presentation_video_podcast_rawSize_breakout.xml": check_recordings_b3desk,
    "b3desk__getRecordings__ai_summary_format.xml": check_recordings_ai,
    "bbbdocs26__getRecordings__two_recordings_podcast_presentation.xml": check_recordings_docs26,
    "apiphp__getRecordings__several_recordings_formats.xml": check_recordings_apiphp,
    "lrb_apiphp__getRecordings__presentation_only_minimal_format.xml": check_recordings_lrb,
    "marsha__getRecordings__presentation23_and_video_formats.xml": check_recordings_marsha,
    "apiphp__getRecordings__no_recordings.xml": empty_recordings,
    "marsha__getRecordings__noRecordings_scalelite_style.xml": empty_recordings,
    "apiphp__publishRecordings__success.xml": is_value(True),
    "bbbdocs26__publishRecordings__success.xml": is_value(True),
    "apiphp__publishRecordings__not_found.xml": failed("notFound"),
    "apiphp__deleteRecordings__success.xml": is_value(True),
    "bbbdocs26__deleteRecordings__success.xml": is_value(True),
    "apiphp__deleteRecordings__not_found.xml": failed("notFound"),
    "apiphp__updateRecordings__success.xml": is_value(True),
    "bbbdocs26__updateRecordings__success.xml": is_value(True),
    "apiphp__updateRecordings__not_found.xml": failed("notFound"),
    "apiphp__recordings__notFound_we_could_not_find_recordings.xml": failed("notFound", "We could not find recordings"),
    "apiphp__hooks_create__success.xml": check_hooks_create,
    "apiphp__hooks_list__success.xml": lambda fields: None,  # generic parse must simply not crash
    "apiphp__getRecordingTextTracks__success.json": check_text_tracks(3),
    "bbbdocs26__getRecordingTextTracks__success.json": check_text_tracks(2),
}


def _require_samples() -> None:
    if SAMPLES.is_dir():
        return
    message = f"BBB samples folder not found at {SAMPLES} (it sits beside the repository on CI)"
    if os.environ.get("HD_STRICT") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _sample_names() -> list[str]:
    present = {p.name for p in SAMPLES.iterdir() if p.suffix in (".xml", ".json")} if SAMPLES.is_dir() else set()
    return sorted(present | set(EXPECTATIONS))


def test_every_sample_has_an_expectation() -> None:
    _require_samples()
    present = {p.name for p in SAMPLES.iterdir() if p.suffix in (".xml", ".json")}
    assert present - set(EXPECTATIONS) == set(), "new samples need an expectation here"
    assert len(present) >= 48


@pytest.mark.parametrize("name", _sample_names())
def test_sample_parses_as_expected(name: str) -> None:
    _require_samples()
    path = SAMPLES / name
    if not path.exists():
        pytest.fail(f"sample {name} expected but missing from {SAMPLES}")
    check = EXPECTATIONS[name]
    body = path.read_bytes()
    if name.endswith(".json"):
        json.loads(body)  # must at least be valid JSON
    if getattr(check, "expects_error", False):
        with pytest.raises(BBBError) as info:
            parse_response(call_of(name), body)
        check(info.value)
    else:
        check(parse_response(call_of(name), body))


def test_missing_samples_folder_skips_or_fails_in_strict_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(globals(), "SAMPLES", tmp_path / "missing")
    monkeypatch.delenv("HD_STRICT", raising=False)
    with pytest.raises(pytest.skip.Exception, match="samples folder not found"):
        _require_samples()
    monkeypatch.setenv("HD_STRICT", "1")
    with pytest.raises(pytest.fail.Exception, match="samples folder not found"):
        _require_samples()
