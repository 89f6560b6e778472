"""The only door to BBB: a small, strict client for one BBB server (or Scalelite endpoint)."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

import requests

from bbb.checksum import ALGORITHMS, ParamValue, build_query, checksum
from bbb.errors import BBBUnavailable
from bbb.parsing import epoch_ms, parse_response
from bbb.types import ApiVersion, CreateResult, Meeting, Recording, RecordingPage

logger = logging.getLogger(__name__)

# Only reads are retried: repeating create/end/delete/publish/update after an unclear failure
# could act twice (or act after the caller already gave up and reported an error).
IDEMPOTENT_CALLS = frozenset({"", "getMeetings", "getMeetingInfo", "isMeetingRunning", "getRecordings"})
# Answers are read streaming and refused beyond a cap. A real getRecordings recording with three
# formats, previews and a breakout is ~2.8 kB (the b3desk sample); a full page (limit=100, bbb-web's
# maximum) with heavy metadata stays far below 4 MiB. getMeetings is not paginated: 500 meetings with
# 20 attendees each render to ~3.4 MB, so it (and the rest) gets 8 MiB -- a Scalelite sums all backends.
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
RECORDINGS_PAGE_MAX_BYTES = 4 * 1024 * 1024
_CHUNK = 64 * 1024


def _modules_xml(documents: list[tuple[str, str]] | list[tuple[str, str, bool]]) -> bytes:
    """The ``<modules>`` body; a third tuple item ``True`` marks the current (first shown) document."""
    items = "".join(
        f"<document url={quoteattr(doc[0])} filename={quoteattr(doc[1])}"
        + (' current="true"' if len(doc) > 2 and doc[2] else "")
        + "/>"
        for doc in documents
    )
    return f'<modules><module name="presentation">{items}</module></modules>'.encode()


def _filename_from_url(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or "document.pdf"


class BBBClient:
    """Client for one BBB server. Thread-safe for concurrent calls (one pooled session)."""

    def __init__(
        self,
        base_url: str,
        secret: str,
        checksum_algorithm: str = "sha256",
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        retries: int = 2,
        *,
        backoff: float = 0.2,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_recordings_page_bytes: int = RECORDINGS_PAGE_MAX_BYTES,
        session: requests.Session | None = None,
    ):
        if checksum_algorithm not in ALGORITHMS:
            raise ValueError(f"checksum_algorithm must be one of {sorted(ALGORITHMS)}")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.secret = secret
        self.checksum_algorithm = checksum_algorithm
        self.timeout = (connect_timeout, read_timeout)
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_response_bytes = max_response_bytes
        self.max_recordings_page_bytes = max_recordings_page_bytes
        self.session = session or requests.Session()
        self.calls: Counter[str] = Counter()

    # -- URL signing ---------------------------------------------------------------------------

    def url(self, call: str, params: Mapping[str, ParamValue] | None = None) -> str:
        """Signed URL for ``call``. The query is built once, hashed and sent exactly as is."""
        query = build_query(params or {})
        digest = checksum(call, query, self.secret, self.checksum_algorithm)
        return (
            f"{self.base_url}{call}?{query}&checksum={digest}" if query else f"{self.base_url}{call}?checksum={digest}"
        )

    # -- transport -----------------------------------------------------------------------------

    def _request(self, call: str, url: str, *, body: bytes | None = None, content_type: str | None = None) -> bytes:
        attempts = 1 + (self.retries if call in IDEMPOTENT_CALLS else 0)
        last_error: BBBUnavailable | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                return self._send(call, url, body, content_type)
            except BBBUnavailable as exc:
                last_error = exc
                if not exc.retryable:
                    break
                logger.info("BBB %s attempt %d/%d failed: %s", call or "apiVersion", attempt + 1, attempts, exc)
        assert last_error is not None
        raise last_error

    def _send(self, call: str, url: str, body: bytes | None, content_type: str | None) -> bytes:
        self.calls[call or "apiVersion"] += 1
        try:
            response = self._send_exact(url, body, content_type)
        except requests.RequestException as exc:  # connect errors, timeouts, bad URLs
            # `from None`: the original text holds the signed URL; ours is redacted (BBBUnavailable).
            raise BBBUnavailable(f"{call}: {exc.__class__.__name__}: {exc}", retryable=True) from None
        with response:
            if response.status_code != 200:
                raise BBBUnavailable(f"{call}: HTTP {response.status_code}", retryable=response.status_code >= 500)
            return self._read_capped(call, response)

    def _send_exact(self, url: str, body: bytes | None, content_type: str | None) -> requests.Response:
        """Send ``url`` byte for byte.

        requests normalises URLs while preparing them (e.g. ``%7E`` -> ``~``), which would break
        the checksum, so the prepared URL is replaced by the one we hashed.
        """
        headers = {"Content-Type": content_type or "application/xml"} if body is not None else {}
        request = requests.Request("POST" if body is not None else "GET", url, data=body, headers=headers)
        prepared = self.session.prepare_request(request)
        prepared.url = url
        settings = self.session.merge_environment_settings(url, {}, True, None, None)
        settings["stream"] = True  # read through _read_capped, chunk by chunk
        return self.session.send(prepared, timeout=self.timeout, allow_redirects=False, **settings)

    def _read_capped(self, call: str, response: requests.Response) -> bytes:
        cap = self.max_recordings_page_bytes if call == "getRecordings" else self.max_response_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise BBBUnavailable(f"{call}: answer of {declared} bytes exceeds the cap of {cap}")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(_CHUNK):  # streamed: never more than one chunk past the cap
                size += len(chunk)
                if size > cap:
                    raise BBBUnavailable(f"{call}: answer exceeds {cap} bytes")
                chunks.append(chunk)
        except requests.RequestException as exc:  # read timeout / connection reset mid-body
            raise BBBUnavailable(f"{call}: {exc.__class__.__name__}: {exc}", retryable=True) from None
        return b"".join(chunks)

    def _call(self, call: str, params: Mapping[str, ParamValue] | None = None, **kwargs: Any) -> Any:
        return parse_response(call, self._request(call, self.url(call, params), **kwargs))

    # -- API -----------------------------------------------------------------------------------

    def api_version(self) -> ApiVersion:
        # The root call needs no checksum; it doubles as the health check.
        return parse_response("", self._request("", self.base_url))

    def create(
        self,
        meeting_id: str,
        name: str,
        *,
        params: Mapping[str, ParamValue] | None = None,
        meta: Mapping[str, str] | None = None,
        presentation_urls: list[str] | None = None,
        documents: list[tuple[str, str, bool]] | None = None,
    ) -> CreateResult:
        """``create``; ``documents`` (url, filename, current) go in the POST body for BBB to download."""
        query: dict[str, ParamValue] = {"name": name, "meetingID": meeting_id}
        query.update(params or {})
        for key, value in (meta or {}).items():
            query[f"meta_{key}"] = value
        if not documents and presentation_urls:
            documents = [(url, _filename_from_url(url), False) for url in presentation_urls]
        if not documents:
            return self._call("create", query)
        # The XML body is never part of the checksum; every parameter stays in the query string.
        return self._call("create", query, body=_modules_xml(documents), content_type="application/xml")

    def join_url(
        self,
        meeting_id: str,
        full_name: str,
        *,
        role: str = "VIEWER",
        guest: bool = False,
        user_id: str | None = None,
        avatar_url: str | None = None,
        redirect: bool = True,
        create_time: int | datetime | None = None,
        error_redirect_url: str | None = None,
        extra: Mapping[str, str] | None = None,
    ) -> str:
        """Signed join URL for the browser. No HTTP call is made.

        ``guest`` is always sent explicitly: with guest policy ASK_MODERATOR a viewer joining
        without the parameter would wait in the lobby, ``guest=false`` lets them straight in.

        ``create_time`` (the meeting's createTime in ms) binds the URL to one session of the
        meetingID: bbb-web refuses it with ``mismatchCreateTimeParam`` once the meeting was created
        anew (ApiController.join). ``error_redirect_url`` is where bbb-web (2.7+) sends the browser
        with ``errors=[{"key":…,"message":…}]`` when it refuses the join; without it the meeting's
        ``logoutURL`` is used, else the server's default page.
        """
        params: dict[str, ParamValue] = {"fullName": full_name, "meetingID": meeting_id, "role": role.upper()}
        params["guest"] = guest
        if create_time is not None:
            params["createTime"] = epoch_ms(create_time) if isinstance(create_time, datetime) else create_time
        if error_redirect_url:
            params["errorRedirectUrl"] = error_redirect_url
        if user_id:
            params["userID"] = user_id
        if avatar_url:
            params["avatarURL"] = avatar_url
        params["redirect"] = redirect
        params.update(extra or {})
        return self.url("join", params)

    def check_secret(self) -> None:
        """A signed call that proves the secret (and algorithm) are accepted; raises otherwise.

        The root call is unsigned, so it cannot tell a wrong secret from a right one. This asks
        ``isMeetingRunning`` for a meeting that cannot exist: bbb-web and Scalelite verify the checksum
        first (``BBBError('checksumError')`` for a wrong secret) and answer SUCCESS ``running=false``
        otherwise. getMeetings would not do: Scalelite with GET_MEETINGS_API_DISABLED answers it
        without looking at the checksum (scalelite config/routes.rb, get_meetings_disabled).
        """
        self.is_meeting_running("herzdigital-connection-check")

    def is_meeting_running(self, meeting_id: str) -> bool:
        return self._call("isMeetingRunning", {"meetingID": meeting_id})

    def get_meeting_info(self, meeting_id: str) -> Meeting:
        return self._call("getMeetingInfo", {"meetingID": meeting_id})

    def get_meetings(self) -> list[Meeting]:
        return self._call("getMeetings")

    def end(self, meeting_id: str) -> None:
        self._call("end", {"meetingID": meeting_id})

    def get_recordings(
        self,
        *,
        meeting_ids: list[str] | None = None,
        record_ids: list[str] | None = None,
        states: list[str] | None = None,
        meta: Mapping[str, str] | None = None,
        offset: int | None = None,
        limit: int | None = None,
    ) -> RecordingPage:
        params: dict[str, ParamValue] = {}
        if meeting_ids:
            params["meetingID"] = ",".join(meeting_ids)
        if record_ids:
            params["recordID"] = ",".join(record_ids)
        if states:
            params["state"] = ",".join(states)
        for key, value in (meta or {}).items():
            params[f"meta_{key}"] = value
        if offset is not None:
            params["offset"] = offset
        if limit is not None:
            params["limit"] = limit
        page: RecordingPage = self._call("getRecordings", params)
        return RecordingPage(page.recordings, page.total_elements, offset, limit)

    def iter_recordings(
        self,
        *,
        meeting_ids: list[str] | None = None,
        record_ids: list[str] | None = None,
        states: list[str] | None = None,
        meta: Mapping[str, str] | None = None,
        page_size: int = 100,
    ) -> Iterator[Recording]:
        """Walk all pages. Servers without pagination (< 2.6) answer everything on the first page."""
        page_size = min(max(page_size, 1), 100)  # bbb-web clamps limit to 1..100
        offset = 0
        seen: set[str] = set()
        while True:
            page = self.get_recordings(
                meeting_ids=meeting_ids,
                record_ids=record_ids,
                states=states,
                meta=meta,
                offset=offset,
                limit=page_size,
            )
            for recording in page.recordings:
                # Recordings may shift between pages while we walk; never yield one twice.
                if recording.record_id not in seen:
                    seen.add(recording.record_id)
                    yield recording
            offset += page_size
            if page.total_elements is None or not page.recordings or offset >= page.total_elements:
                return

    def publish_recordings(self, record_ids: list[str], publish: bool) -> bool:
        return self._call("publishRecordings", {"recordID": ",".join(record_ids), "publish": publish})

    def update_recordings(self, record_ids: list[str], meta: Mapping[str, str]) -> bool:
        params: dict[str, ParamValue] = {"recordID": ",".join(record_ids)}
        for key, value in meta.items():
            params[f"meta_{key}"] = value
        return self._call("updateRecordings", params)

    def delete_recordings(self, record_ids: list[str]) -> bool:
        return self._call("deleteRecordings", {"recordID": ",".join(record_ids)})

    def insert_document(self, meeting_id: str, documents: list[tuple[str, str]]) -> None:
        self._call(
            "insertDocument",
            {"meetingID": meeting_id},
            body=_modules_xml(documents),
            content_type="application/xml",
        )

    def close(self) -> None:
        self.session.close()
