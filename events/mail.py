"""The emails about scheduled meetings, each in the recipient's language, with an ``.ics`` attachment."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from email.mime.text import MIMEText
from enum import StrEnum

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from events.display import format_when, recurrence_text
from events.ical import METHOD_CANCEL, METHOD_REQUEST, invitation_ics
from events.links import room_public_url
from events.models import Invitee, ScheduledMeeting
from events.occurrences import Occurrence, local_tz, next_occurrence
from rooms.personal_links import personal_link_url
from rooms.services import room_dial_in

logger = logging.getLogger(__name__)


class Kind(StrEnum):
    INVITATION = "invitation"
    UPDATE = "update"
    CANCELLATION = "cancellation"
    REMOVED = "removed"
    REMINDER = "reminder"


class MailSendError(Exception):
    """Sending stopped part-way: the first ``sent`` messages went out, the rest did not."""

    def __init__(self, sent: int, cause: Exception) -> None:
        super().__init__(f"{sent} sent before {cause!r}")
        self.sent = sent
        self.cause = cause


def _subject(kind: Kind, scheduled: ScheduledMeeting, occurrence: Occurrence) -> str:
    local = occurrence.local_start
    values = {
        "title": scheduled.title,
        "date": formats.date_format(local, "SHORT_DATE_FORMAT"),
        "time": formats.time_format(local, "TIME_FORMAT"),
    }
    subjects = {
        Kind.INVITATION: _("Einladung: %(title)s am %(date)s um %(time)s Uhr"),
        Kind.UPDATE: _("Geändert: %(title)s am %(date)s um %(time)s Uhr"),
        Kind.CANCELLATION: _("Abgesagt: %(title)s"),
        Kind.REMOVED: _("Ausgeladen: %(title)s"),
        Kind.REMINDER: _("Erinnerung: %(title)s am %(date)s um %(time)s Uhr"),
    }
    return subjects[kind] % values


def scheduled_meeting_message(
    *,
    scheduled: ScheduledMeeting,
    invitee: Invitee,
    kind: Kind,
    occurrence: Occurrence | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """One email to one invitee, rendered in their language and the site's time zone."""
    now = now or timezone.now()
    if occurrence is None:
        occurrence = next_occurrence(scheduled, now) or Occurrence(scheduled, scheduled.start_at, scheduled.end_at)
    cancelled = kind in (Kind.CANCELLATION, Kind.REMOVED)
    room = scheduled.room
    link = invitee.personal_link if invitee.personal_link_id else None
    if link is not None and link.revoked_at is not None:
        link = None
    # With a personal link the person needs no code: the link carries name and role.
    room_url = personal_link_url(link) if link is not None else room_public_url(room)
    with translation.override(invitee.language), timezone.override(local_tz()):
        context = {
            "kind": kind.value,
            "scheduled": scheduled,
            "club": scheduled.club,
            "room": room,
            "room_url": room_url,
            "personal": link is not None,
            "access_code": "" if link is not None else room.viewer_code,
            "dial_in": room_dial_in(room=room),
            "name": invitee.user.get_full_name() if invitee.user_id and invitee.user.name else "",
            "when": format_when(occurrence.start, occurrence.end),
            "recurrence": recurrence_text(scheduled) if kind != Kind.REMINDER else "",
            "cancelled": cancelled,
            "assembly": scheduled.general_assembly,
        }
        subject = _subject(kind, scheduled, occurrence)
        body = render_to_string("events/email/message.txt", context)
        description = render_to_string("events/email/ics_description.txt", context).strip()
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitee.email],
        reply_to=[scheduled.club.contact_email] if scheduled.club.contact_email else None,
    )
    method = METHOD_CANCEL if cancelled else METHOD_REQUEST
    ics = invitation_ics(
        scheduled, method=method, attendee=invitee.email, description=description, now=now, url=room_url
    )
    part = MIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="termin.ics")
    message.attach(part)
    return message


def send_all(messages: Sequence[EmailMessage]) -> int:
    """Send over one connection, one by one; raise ``MailSendError`` telling how many went out."""
    if not messages:
        return 0
    sent = 0
    with get_connection() as connection:
        for message in messages:
            message.connection = connection
            try:
                message.send()
            except Exception as exc:
                raise MailSendError(sent, exc) from exc
            sent += 1
    return sent
