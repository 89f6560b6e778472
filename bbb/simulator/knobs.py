"""Test and demo knobs under /_sim/ (JSON) and their Python counterparts."""

from __future__ import annotations

import json
from typing import Any

from bbb.simulator import render
from bbb.simulator.base import ApiFailure, Reply, _json
from bbb.simulator.models import SimMeeting, SimRecording


class KnobsMixin:
    """Part of ``Simulator``: /_sim/ endpoints, state dumps and direct rendering."""

    def render(self, call: str, params: dict[str, str] | None = None) -> bytes:
        """The XML answer of ``call`` without HTTP and checksum (benchmarks, fixtures)."""
        handler = getattr(self, f"_api_{call}")
        with self.lock:
            try:
                return handler(dict(params or {}), b"").body
            except ApiFailure as exc:
                return render.failed(exc.key, exc.message)

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {
                "now_ms": self.now_ms(),
                "config": self.config.as_dict(),
                "meetings": [_meeting_json(m) for m in self.meetings.values()],
                "recordings": [_recording_json(r) for r in self.recordings.values()],
                "callbacks": list(self.callback_log),
            }

    def _sim_endpoint(self, method: str, name: str, body: bytes) -> Reply:
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError:
            return _json({"error": "body must be JSON"}, "400 Bad Request")
        try:
            if method == "GET" and name == "state":
                return _json(self.state())
            if method == "GET" and name == "calls":
                return _json(dict(self.calls))
            if method != "POST":
                return _json({"error": "not found"}, "404 Not Found")
            if name == "reset":
                self.reset()
                return _json({"ok": True})
            if name == "config":
                self.configure(**data)
                return _json(self.config.as_dict())
            if name == "attendees":
                ids = self.add_attendees(
                    data["meetingID"],
                    int(data.get("count", 1)),
                    role=data.get("role", "VIEWER"),
                    voice=bool(data.get("voice", False)),
                    video=bool(data.get("video", False)),
                )
                self._run_pending_callbacks()
                return _json({"user_ids": ids})
            if name == "advance":
                self.advance(float(data.get("seconds", 0)))
                return _json({"now_ms": self.now_ms()})
            if name == "recordings":
                meeting_id = data.pop("meetingID")
                return _json({"record_id": self.add_recording(meeting_id, **data)})
            if name == "bulk":
                self.bulk_load(**data)
                return _json({"meetings": len(self.meetings), "recordings": len(self.recordings)})
        except (KeyError, TypeError, ValueError) as exc:
            return _json({"error": f"{exc.__class__.__name__}: {exc}"}, "400 Bad Request")
        return _json({"error": "not found"}, "404 Not Found")


def _meeting_json(m: SimMeeting) -> dict[str, Any]:
    return {
        "meetingID": m.meeting_id,
        "name": m.name,
        "internalMeetingID": m.internal_id,
        "createTime": m.create_time,
        "running": m.running,
        "hasUserJoined": m.has_user_joined,
        "record": m.record,
        "recording": m.recording,
        "guestPolicy": m.guest_policy,
        "metadata": m.metadata,
        "documents": m.documents,
        "backend": m.backend,
        "ending": m.end_at is not None,
        "users": [
            {
                "userID": u.user_id,
                "fullName": u.full_name,
                "role": u.role,
                "guestStatus": u.guest_status,
                "online": u.online,
                "voice": u.has_joined_voice,
                "video": u.has_video,
            }
            for u in m.users.values()
        ],
    }


def _recording_json(r: SimRecording) -> dict[str, Any]:
    return {
        "recordID": r.record_id,
        "meetingID": r.meeting_id,
        "name": r.name,
        "state": r.state,
        "startTime": r.start_time,
        "endTime": r.end_time,
        "participants": r.participants,
        "metadata": r.metadata,
        "formats": [f.type for f in r.formats],
        "pending_formats": [f.type for f in r.pending_formats],
    }
