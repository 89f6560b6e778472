"""Presentations of a room: upload (type checked by content), default, delete, and the signed URLs BBB fetches.

Files go through Django's storage API (``default_storage``: files under ``VAR_DIR/media`` by default,
any ``STORAGES["default"]`` backend in production) under a random name whose extension comes from the
detected type, never from the uploaded name: bbb-web derives the document type from the file name's
extension and drops files whose content does not match it (``ApiController.downloadAndProcessDocument``,
``SupportedFileTypes.isPresentationMimeTypeValid``).

BBB gets them in ``create``'s POST body (``<modules><module name="presentation">``) as short-lived
signed URLs it downloads itself; the default one goes first with ``current="true"`` (bbb-web makes the
first document of the list the current one). Starting a meeting stays one BBB call.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from clubs.audit import audit_log
from meetings.callbacks import absolute_url
from rooms.models import Presentation, Room

# Detected MIME type -> the extension BBB needs to see (PDF, OpenDocument, Office, images).
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "image/png": "png",
    "image/jpeg": "jpg",
}
MAX_PER_ROOM = 10
SNIFF_BYTES = 8192  # filetype looks at the first 8 KiB (enough for the ZIP entries of Office files)
URL_SALT = "rooms.presentation.fetch"


class PresentationRefused(Exception):
    """The upload is not taken; ``message`` tells the person why (German). Nothing was stored."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    return settings.PRESENTATION_MAX_MB * 1024 * 1024


def _detect(upload: UploadedFile) -> str:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind is not None else ""


def _display_name(upload: UploadedFile, extension: str) -> str:
    """The name shown to people and given to BBB: the uploaded stem with the detected extension."""
    stem = (upload.name or "").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = get_valid_filename(stem)[:80] or "praesentation"
    return f"{stem}.{extension}"


def presentation_add(*, room: Room, actor: Any, upload: UploadedFile) -> Presentation:
    """Store ``upload`` as a presentation of ``room``; the first one becomes the default.

    Refused (``PresentationRefused``, nothing stored) when the file is too big, the room has
    ``MAX_PER_ROOM`` already, or its content is none of ``ALLOWED_TYPES`` (whatever its name says).
    """
    limit = settings.PRESENTATION_MAX_MB
    if upload.size is None or upload.size > max_bytes():
        raise PresentationRefused(
            _("Die Datei ist größer als %(max)d MB. Bitte verkleinern Sie sie (z. B. als PDF speichern).")
            % {"max": limit}
        )
    if upload.size == 0:
        raise PresentationRefused(_("Die Datei ist leer."))
    mime = _detect(upload)
    extension = ALLOWED_TYPES.get(mime)
    if extension is None:
        raise PresentationRefused(
            _(
                "Diese Datei kann nicht als Präsentation dienen. Möglich sind PDF, ODP, ODT, PPTX, DOCX, PNG "
                "und JPEG – geprüft wird der Inhalt, nicht der Name."
            )
        )
    if room.presentations.count() >= MAX_PER_ROOM:
        raise PresentationRefused(
            _("Ein Raum kann höchstens %(max)d Präsentationen haben. Bitte löschen Sie zuerst eine.")
            % {"max": MAX_PER_ROOM}
        )
    path = default_storage.save(f"presentations/{secrets.token_hex(16)}.{extension}", upload)
    try:
        with transaction.atomic():
            first = not room.presentations.exists()
            presentation = Presentation.objects.create(
                room=room,
                file=path,
                name=_display_name(upload, extension),
                content_type=mime,
                size=upload.size,
                is_default=first,
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit_log(
                action="presentation.add",
                actor=actor,
                club=room.club,
                target=room,
                details={"presentation": presentation.pk, "type": mime, "size": upload.size},
            )
    except Exception:
        default_storage.delete(path)  # nothing half-written: no row, no orphaned file
        raise
    return presentation


@transaction.atomic
def presentation_set_default(*, presentation: Presentation, actor: Any) -> None:
    room = presentation.room
    Presentation.objects.filter(room=room, is_default=True).exclude(pk=presentation.pk).update(is_default=False)
    Presentation.objects.filter(pk=presentation.pk).update(is_default=True)
    audit_log(
        action="presentation.default",
        actor=actor,
        club=room.club,
        target=room,
        details={"presentation": presentation.pk},
    )


def presentation_delete(*, presentation: Presentation, actor: Any) -> None:
    """Delete the row, then (after commit) the file; the next one becomes the default if needed."""
    room, path = presentation.room, presentation.file.name
    with transaction.atomic():
        was_default = presentation.is_default
        presentation.delete()
        if was_default:
            successor = room.presentations.order_by("created_at", "pk").first()
            if successor is not None:
                Presentation.objects.filter(pk=successor.pk).update(is_default=True)
        audit_log(action="presentation.delete", actor=actor, club=room.club, target=room, details={"file": path})
        transaction.on_commit(lambda: default_storage.delete(path))


# -- what BBB fetches -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PresentationDocument:
    url: str
    filename: str
    current: bool


def presentation_fetch_url(presentation: Presentation) -> str:
    token = signing.TimestampSigner(salt=URL_SALT).sign(str(presentation.pk))
    return absolute_url(
        reverse("rooms:presentation_fetch", kwargs={"fetch_token": token, "filename": presentation.name})
    )


def presentation_for_token(*, token: str) -> Presentation | None:
    """The presentation a signed URL names while it is fresh (``PRESENTATION_URL_MAX_AGE``), else None."""
    try:
        pk = signing.TimestampSigner(salt=URL_SALT).unsign(token, max_age=settings.PRESENTATION_URL_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return Presentation.objects.filter(pk=pk).first()


def presentations_for_create(*, room: Room) -> list[PresentationDocument]:
    """The room's presentations for ``create``: the default first (current), then by upload time."""
    presentations = sorted(room.presentations.all(), key=lambda p: (not p.is_default, p.created_at, p.pk))
    return [
        PresentationDocument(url=presentation_fetch_url(p), filename=p.name, current=p.is_default)
        for p in presentations
    ]
