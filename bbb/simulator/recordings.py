"""Recordings of the simulated server: processing, ready callback and the recordings API."""

from __future__ import annotations

from collections.abc import Iterable

import jwt

from bbb.simulator import pages, render
from bbb.simulator.base import (
    META_PARAM,
    MSG_NO_RECORDINGS,
    STATES,
    ApiFailure,
    Reply,
    _html,
    _int_param,
    _is_true,
    _xml,
    sha1hex,
)
from bbb.simulator.models import SimFormat, SimMeeting, SimRecording


class RecordingsMixin:
    """Part of ``Simulator``: everything about recordings."""

    def _start_processing(self, meeting: SimMeeting, end_ms: int) -> None:
        participants = len(meeting.seen_user_ids) or 1
        recording = self._make_recording(
            meeting_id=meeting.meeting_id,
            internal_id=meeting.internal_id,
            name=meeting.name,
            start_ms=meeting.create_time,
            end_ms=end_ms,
            participants=participants,
            metadata=dict(meeting.metadata),
            is_breakout=meeting.is_breakout,
            state="processing",
        )
        # Every format is processed and published on its own; until the first one is, the
        # recording is `processing` with no playback.
        recording.pending_formats, recording.formats = recording.formats, []
        recording.ready_at = self.now() + self.config.recording_delay
        self.recordings[recording.record_id] = recording
        self._publish_due_formats(recording, self.now())
        if recording.ready_at is not None:
            self._wake_at(recording.ready_at)

    def _make_recording(
        self,
        *,
        meeting_id: str,
        internal_id: str,
        name: str,
        start_ms: int,
        end_ms: int,
        participants: int,
        metadata: dict[str, str],
        is_breakout: bool = False,
        state: str = "published",
        format_types: Iterable[str] = ("presentation", "video"),
    ) -> SimRecording:
        base = self.config.public_url
        minutes = max(0, (end_ms - start_ms) // 60000)
        meta = dict(metadata)
        # bbb-web adds these (camel-case) for recorded meetings.
        meta.update({"meetingId": meeting_id, "meetingName": name, "isBreakout": render.b(is_breakout)})
        formats = []
        for kind in format_types:
            if kind == "presentation":
                thumbs = f"{base}/presentation/{internal_id}/presentation/d2d9a672040fbde2a47a10bf6c37b6a4b5ae187f-{start_ms}/thumbnails"
                previews = [
                    (f"{thumbs}/thumb-{n}.png", 176, 136, alt)
                    for n, alt in enumerate(["Welcome", "(this slide left blank for use as a whiteboard)", "Agenda"], 1)
                ]
                url = f"{base}/playback/presentation/2.3/{internal_id}"
                formats.append(
                    SimFormat(
                        "presentation",
                        url,
                        7000 + minutes * 10,
                        minutes,
                        1_000_000 + minutes * 20_000,
                        previews,
                    )
                )
            elif kind == "video":
                url = f"{base}/presentation/{internal_id}/meeting.mp4"
                formats.append(SimFormat("video", url, 30_000 + minutes * 100, minutes, 5_000_000 + minutes * 900_000))
            else:
                formats.append(SimFormat(kind, f"{base}/{kind}/{internal_id}/", 0, minutes, 10_000))
        return SimRecording(
            record_id=internal_id,
            meeting_id=meeting_id,
            internal_meeting_id=internal_id,
            name=name,
            state=state,
            start_time=start_ms,
            end_time=end_ms,
            participants=participants,
            metadata=meta,
            formats=formats,
            raw_size=2_000_000 + minutes * 1_500_000,
            is_breakout=is_breakout,
        )

    def _publish_due_formats(self, recording: SimRecording, now: float) -> None:
        """Publish the formats whose processing is done, one after another.

        bbb-web runs the post_publish scripts after *each* format's publish
        (record-and-playback/core/scripts/workers/rap-publish-worker.rb, ``run_post_scripts``), so the
        recording-ready callback arrives once per format with an identical token, and getRecordings lists
        the recording (state published) with the formats published so far (RecMetaXmlHelper merges them).
        Scalelite imports the finished recording and notifies once (app/services/
        recording_ready_notifier_service.rb).
        """
        while recording.pending_formats and recording.ready_at is not None and now >= recording.ready_at:
            recording.formats.append(recording.pending_formats.pop(0))
            if recording.state == "processing":
                recording.state = "published"
            if recording.pending_formats:
                recording.ready_at += self.config.recording_format_delay_seconds
                if recording.ready_at > now:
                    self._wake_at(recording.ready_at)
            else:
                recording.ready_at = None
            if self.config.profile != "scalelite" or not recording.pending_formats:
                self._notify_recording_ready(recording)

    def _recording_ready_algorithm(self) -> str:
        if self.config.profile == "scalelite":
            # recording_ready_notifier_service.rb#jwt_algorithm: HS256 if SHA256 is allowed, else HS512.
            return "HS256" if "sha256" in self.config.supported_checksum_algorithms else "HS512"
        return self.config.recording_ready_jwt_algorithm

    def _notify_recording_ready(self, recording: SimRecording) -> None:
        meta = recording.metadata
        url = (
            meta.get("bbb-recording-ready-url")
            or meta.get("bn-recording-ready-url")
            or meta.get("canvas-recording-ready-url")
        )
        if url:
            token = jwt.encode(
                {"meeting_id": recording.meeting_id, "record_id": recording.record_id},
                self.secret,
                algorithm=self._recording_ready_algorithm(),
            )
            self._queue(lambda: self._post_once("recording-ready", url, {"signed_parameters": token}))

    def add_recording(
        self,
        meeting_id: str,
        *,
        name: str | None = None,
        published: bool = True,
        state: str | None = None,
        start_time: float | None = None,
        duration_minutes: int = 30,
        participants: int = 3,
        meta: dict[str, str] | None = None,
        formats: Iterable[str] = ("presentation", "video"),
    ) -> str:
        """Create a finished recording at once; returns its record id. ``start_time`` in epoch ms."""
        with self.lock:
            start_ms = int(start_time) if start_time is not None else self.now_ms() - duration_minutes * 60000
            while f"{sha1hex(meeting_id)}-{start_ms}" in self.recordings:
                start_ms += 1
            internal_id = f"{sha1hex(meeting_id)}-{start_ms}"
            recording = self._make_recording(
                meeting_id=meeting_id,
                internal_id=internal_id,
                name=name or meeting_id,
                start_ms=start_ms,
                end_ms=start_ms + duration_minutes * 60000,
                participants=participants,
                metadata={k.lower(): v for k, v in (meta or {}).items()},
                state=state or ("published" if published else "unpublished"),
                format_types=formats,
            )
            self.recordings[internal_id] = recording
            return internal_id

    def bulk_load(self, meetings: int = 0, recordings: int = 0, attendees_per_meeting: int = 0) -> None:
        """Create many meetings (with attendees) and published recordings quickly (benchmarks)."""
        for n in range(meetings):
            meeting_id = f"bulk-meeting-{n:05d}"
            with self.lock:
                if meeting_id not in self.meetings:
                    self._new_meeting(meeting_id, f"Bulk meeting {n}", {"record": "true", "meta_bbb-origin": "bulk"})
            if attendees_per_meeting:
                self.add_attendees(meeting_id, 1, role="MODERATOR", voice=True, video=True)
                self.add_attendees(meeting_id, attendees_per_meeting - 1, voice=n % 2 == 0, video=n % 5 == 0)
        start = self.now_ms() - recordings * 3_600_000
        for n in range(recordings):
            self.add_recording(
                f"bulk-room-{n % 50:03d}",
                name=f"Bulk recording {n}",
                start_time=start + n * 3_600_000,
                duration_minutes=20 + n % 40,
                meta={"bbb-origin": "bulk", "club": str(n % 7)},
            )

    def _select(self, p: dict[str, str]) -> list[SimRecording]:
        record_ids = [r for r in p.get("recordID", "").split(",") if r]
        meeting_ids = [m for m in p.get("meetingID", "").split(",") if m]
        if record_ids:  # if given, meetingID is ignored; prefixes act as wildcards
            prefixes = record_ids
        elif meeting_ids:
            prefixes = [sha1hex(m) for m in meeting_ids]
        else:
            prefixes = [""]
        states_param = [s.strip() for s in p.get("state", "").split(",") if s.strip()]
        states = set(STATES) if "any" in states_param else set(states_param or ("published", "unpublished"))
        meta_filters = [(m.group(1).lower(), v) for k, v in p.items() if (m := META_PARAM.match(k))]
        found = [
            r
            for r in self.recordings.values()
            if r.state in states
            and any(r.record_id.startswith(prefix) for prefix in prefixes)
            and all(_meta_matches(r.metadata, key, pattern) for key, pattern in meta_filters)
        ]
        return sorted(found, key=lambda r: (r.start_time, r.record_id))

    def _api_getRecordings(self, p: dict[str, str], body: bytes) -> Reply:
        unfiltered = not p.get("recordID") and not p.get("meetingID")
        limit_text = p.get("limit", "")
        if unfiltered and not limit_text and not self.config.allow_fetch_all_recordings:
            return _xml(
                render.success(
                    render.el("messageKey", "noRecordings"),
                    render.el(
                        "message",
                        "No recordings found. This may occur if you attempt to retrieve all recordings.",
                    ),
                )
            )
        found = self._select(p)
        if not limit_text.lstrip("-").isdigit():
            return _xml(render.recordings_answer(found))
        limit = min(max(int(limit_text), 1), 100)
        offset = _int_param(p.get("offset"))
        offset = max(offset, 0)
        return _xml(render.recordings_answer(found[offset : offset + limit], total_elements=len(found)))

    def _ids(self, p: dict[str, str]) -> list[str]:
        ids = [r for r in p.get("recordID", "").split(",") if r]
        if not ids:
            raise ApiFailure("missingParamRecordID", "You must specify a recordID.")
        return ids

    def _api_publishRecordings(self, p: dict[str, str], body: bytes) -> Reply:
        ids = self._ids(p)
        if "publish" not in p:
            raise ApiFailure("missingParamPublish", "You must specify a publish value true or false.")
        found = [
            self.recordings[i]
            for i in ids
            if i in self.recordings and self.recordings[i].state in ("published", "unpublished")
        ]
        if not found:
            raise ApiFailure("notFound", MSG_NO_RECORDINGS)
        publish = _is_true(p["publish"])
        for recording in found:
            recording.state = "published" if publish else "unpublished"
        return _xml(render.success(render.el("published", render.b(publish))))

    def _api_deleteRecordings(self, p: dict[str, str], body: bytes) -> Reply:
        ids = self._ids(p)
        found = [
            self.recordings[i]
            for i in ids
            if i in self.recordings and self.recordings[i].state in ("published", "unpublished")
        ]
        if not found:
            raise ApiFailure("notFound", MSG_NO_RECORDINGS)
        for recording in found:
            recording.state = "deleted"
        return _xml(render.success(render.el("deleted", "true")))

    def _api_updateRecordings(self, p: dict[str, str], body: bytes) -> Reply:
        ids = self._ids(p)
        found = [self.recordings[i] for i in ids if i in self.recordings and self.recordings[i].state != "processing"]
        if not found:
            raise ApiFailure("notFound", MSG_NO_RECORDINGS)
        for key, value in p.items():
            match = META_PARAM.match(key)
            if not match:
                continue
            for recording in found:
                if value:
                    recording.metadata[match.group(1).lower()] = value
                else:
                    recording.metadata.pop(match.group(1).lower(), None)
        return _xml(render.success(render.el("updated", "true")))

    def _playback(self, record_id: str) -> Reply:
        with self.lock:
            recording = self.recordings.get(record_id)
            if recording is None or recording.state != "published":
                return _html(pages.message_page("Not found", "No such recording.", "sim-not-found"), "404 Not Found")
            return _html(pages.playback_page(recording.name, record_id))


def _meta_matches(metadata: dict[str, str], key: str, pattern: str) -> bool:
    value = metadata.get(key)
    if value is None:
        return False
    if pattern.startswith("%") and pattern.endswith("%") and len(pattern) > 1:
        return pattern[1:-1] in value
    if pattern.startswith("%"):
        return value.endswith(pattern[1:])
    if pattern.endswith("%"):
        return value.startswith(pattern[:-1])
    return value == pattern
