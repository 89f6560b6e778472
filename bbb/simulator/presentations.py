"""Pre-uploaded presentations: the simulator downloads the documents of ``create``'s ``<modules>`` body
like bbb-web does and serves what it fetched (kept apart from core.py).

bbb-web (``ApiController.processDocumentFromRawXml`` / ``downloadAndProcessDocument``,
``PresentationUrlDownloadService.savePresentation``), as far as a simulator needs it:

- the list is reordered so that the document marked ``current="true"`` comes first; the first one is
  the current (initial) presentation;
- the file name is the ``filename`` attribute, else the URL's last path segment; without an extension
  the document is skipped;
- the download is a plain HTTP GET done after ``create`` answered (asynchronously); only HTTP 200 counts,
  redirects are followed (bbb-web validates each hop), the size is capped (``maxFileSizeUpload``, 30 MB);
- the content must match the extension (``SupportedFileTypes.isPresentationMimeTypeValid``), else the
  file is dropped.

Each document dict in ``SimMeeting.documents`` gains ``status`` (``downloaded`` or ``failed``),
``reason``, ``size``, ``sha256`` and ``current``; the bytes are served under
``/bigbluebutton/presentation/<internalMeetingID>/<index>/<filename>``.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from html import escape
from typing import Any
from urllib.parse import quote

import requests

from bbb.simulator.base import Reply, _is_true
from bbb.simulator.models import SimMeeting

logger = logging.getLogger(__name__)

MAX_FILE_SIZE = 30_000_000  # bigbluebutton.properties maxFileSizeUpload
PATH_PREFIX = "/bigbluebutton/presentation/"
_ZIP = b"PK\x03\x04"
_MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "odp": (_ZIP,),
    "odt": (_ZIP,),
    "pptx": (_ZIP,),
    "docx": (_ZIP,),
}
_MIME = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _store(sim: Any) -> dict[tuple[str, int], bytes]:
    store = getattr(sim, "_presentation_files", None)
    if store is None:
        store = sim._presentation_files = {}
    return store


def order_documents(documents: list[dict[str, Any]]) -> None:
    """bbb-web's order: the (first) document marked current goes to the front; exactly one is current."""
    current = next((d for d in documents if _is_true(d.get("current"))), None)
    if current is not None:
        documents.remove(current)
        documents.insert(0, current)
    for index, document in enumerate(documents):
        document["current"] = "true" if index == 0 else "false"


def _filename(document: dict[str, Any]) -> str:
    name = document.get("filename") or document.get("url", "").rstrip("/").rsplit("/", 1)[-1]
    return name.rsplit("/", 1)[-1]


def _download(url: str) -> tuple[bytes | None, str]:
    try:
        with requests.get(url, timeout=10, stream=True, allow_redirects=True) as response:
            if response.status_code != 200:
                return None, f"HTTP {response.status_code}"
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > MAX_FILE_SIZE:
                    return None, "file too large"
                chunks.append(chunk)
            return b"".join(chunks), ""
    except requests.RequestException as exc:
        return None, f"{exc.__class__.__name__}"


def fetch_all(sim: Any, meeting: SimMeeting) -> None:
    """Download every URL document of ``meeting`` (runs in a thread after create answered)."""
    with sim.lock:
        order_documents(meeting.documents)
        todo = [(i, dict(d)) for i, d in enumerate(meeting.documents) if d.get("url")]
    for index, document in todo:
        name = _filename(document)
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        result: dict[str, Any] = {"filename": name, "status": "failed"}
        if extension not in _MAGIC:
            result["reason"] = "invalid_filename" if not extension else "unsupported type"
        else:
            body, reason = _download(document["url"])
            if body is None:
                result["reason"] = reason or "failed_to_download_file"
            elif not body.startswith(_MAGIC[extension]):
                result["reason"] = "content does not match the extension"
            else:
                result.update(status="downloaded", size=str(len(body)), sha256=hashlib.sha256(body).hexdigest())
                _store(sim)[(meeting.internal_id, index)] = body
        with sim.lock:
            meeting.documents[index].update(result)
        logger.info("meeting %s presentation %s: %s", meeting.meeting_id, name, result["status"])


def start_fetch(sim: Any, meeting: SimMeeting) -> None:
    if any(d.get("url") for d in meeting.documents):
        threading.Thread(target=fetch_all, args=(sim, meeting), daemon=True, name="bbb-sim-presentations").start()


def serve(sim: Any, path: str) -> Reply:
    """``GET /bigbluebutton/presentation/<internalMeetingID>/<index>/<filename>``."""
    parts = path[len(PATH_PREFIX) :].split("/")
    if len(parts) < 2 or not parts[1].isdigit():
        return Reply(status="404 Not Found", body=b"not found", content_type="text/plain")
    body = _store(sim).get((parts[0], int(parts[1])))
    if body is None:
        return Reply(status="404 Not Found", body=b"not found", content_type="text/plain")
    extension = parts[-1].rsplit(".", 1)[-1].lower()
    return Reply(body=body, content_type=_MIME.get(extension, "application/octet-stream"))


def presentations_html(meeting: SimMeeting) -> str:
    """The presentation pod's list, as the meeting page shows it (stable ids for tests)."""
    items = []
    for index, document in enumerate(meeting.documents):
        if document.get("status") != "downloaded":
            continue
        href = f"{PATH_PREFIX}{meeting.internal_id}/{index}/{quote(document['filename'])}"
        items.append(
            f'<li data-testid="sim-presentation" data-current="{document.get("current", "false")}">'
            f'<a href="{escape(href)}">{escape(document["filename"])}</a></li>'
        )
    if not items:
        return ""
    return f'<h2>Presentations</h2><ul id="sim-presentations">{"".join(items)}</ul>'
