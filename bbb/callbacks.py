"""Verifying what BBB sends us: the recording-ready callback's JWT.

bbb-web's post_publish_recording_ready_callback.rb posts ``signed_parameters=<JWT>`` with the claims
``{meeting_id, record_id}``, signed with the shared secret; ruby-jwt's default is HS256, Scalelite
signs HS256 or, when only SHA512 checksums are allowed, HS512
(scalelite app/services/recording_ready_notifier_service.rb), and operators can configure HS384/HS512.
No ``exp``/``iat``/``jti`` is sent, so a token cannot be told from a replay of itself -- the receiver
must be idempotent instead (fetch the recording and upsert it).
"""

from __future__ import annotations

from dataclasses import dataclass

import jwt

# Only HMAC-SHA2: never "none", never an asymmetric algorithm (a public key used as HMAC secret).
RECORDING_READY_ALGORITHMS: tuple[str, ...] = ("HS256", "HS384", "HS512")


class InvalidCallback(Exception):
    """The callback is not signed by the server's secret with an accepted algorithm, or is malformed."""


@dataclass(frozen=True, slots=True)
class RecordingReady:
    meeting_id: str
    record_id: str


def verify_recording_ready(signed_parameters: str, secret: str) -> RecordingReady:
    """The claims of a valid recording-ready token; ``InvalidCallback`` for anything else."""
    if not secret or not signed_parameters:
        raise InvalidCallback("missing token or secret")
    try:
        algorithm = jwt.get_unverified_header(signed_parameters).get("alg")
    except jwt.PyJWTError as exc:
        raise InvalidCallback(f"unreadable token: {exc.__class__.__name__}") from None
    if algorithm not in RECORDING_READY_ALGORITHMS:
        raise InvalidCallback(f"algorithm {algorithm!r} not accepted")
    try:
        claims = jwt.decode(signed_parameters, secret, algorithms=list(RECORDING_READY_ALGORITHMS))
    except jwt.PyJWTError as exc:
        raise InvalidCallback(f"bad token: {exc.__class__.__name__}") from None
    meeting_id, record_id = claims.get("meeting_id"), claims.get("record_id")
    if not isinstance(meeting_id, str) or not isinstance(record_id, str) or not meeting_id or not record_id:
        raise InvalidCallback("claims meeting_id/record_id missing")
    return RecordingReady(meeting_id=meeting_id, record_id=record_id)
