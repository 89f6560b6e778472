"""Scheduled meetings: planning, invitations, updates, cancellation, reminders, the calendar and its feed."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clubs.audit import audit_log
from clubs.mail_budget import club_mail_reserve
from clubs.models import Club, Membership, Role
from events import mail
from events.models import Invitee, ReminderLog, ScheduledMeeting
from events.occurrences import (
    Occurrence,
    occurrences_starting,
    series_until,
)
from events.signals import scheduled_meeting_changed, scheduled_meeting_changing
from rooms import personal_links
from rooms.models import PersonalLink, Room

logger = logging.getLogger(__name__)

# A stale claim (the worker died between claiming and sending) may be taken over after this long.
REMINDER_RECLAIM_AFTER = timedelta(minutes=15)

_EMAIL_SPLIT = re.compile(r"[,;\s]+")


# --- input ----------------------------------------------------------------------------------------


def email_list_parse(text: str) -> tuple[list[str], list[str]]:
    """Split a pasted list of addresses (commas, semicolons, blanks, lines; ``Name <a@b>`` allowed).

    Returns (valid, invalid), each without duplicates and in input order; valid ones lowercased.
    """
    text = re.sub(r"[^<>,;\n]*<([^<>]*)>", r" \1 ", text or "")
    valid: list[str] = []
    invalid: list[str] = []
    for raw in _EMAIL_SPLIT.split(text):
        candidate = raw.strip().strip("\"'")
        if not candidate:
            continue
        try:
            validate_email(candidate)
        except ValidationError:
            if candidate not in invalid:
                invalid.append(candidate)
            continue
        address = candidate.lower()
        if address not in valid:
            valid.append(address)
    return valid, invalid


def invalid_emails_message(invalid: Iterable[str]) -> str:
    return _(
        "Diese E-Mail-Adressen sind ungültig: %(addresses)s. Bitte korrigieren oder entfernen Sie sie. "
        "Es wurde nichts gespeichert und keine Einladung versandt."
    ) % {"addresses": ", ".join(invalid)}


def _validate(*, club: Club, room: Room, start_at: datetime, end_at: datetime, record: bool, recurrence: str) -> None:
    errors: dict[str, str] = {}
    if room.club_id != club.pk:
        errors["room"] = _("Bitte wählen Sie einen Raum Ihres Vereins.")
    if end_at <= start_at:
        errors["end_time"] = _("Das Ende muss nach dem Beginn liegen.")
    if record and not club.recording_allowed:
        errors["record"] = _("Ihr Verein darf keine Aufzeichnungen anlegen.")
    if recurrence not in ScheduledMeeting.Recurrence.values:
        errors["recurrence"] = _("Bitte wählen Sie, ob der Termin einmalig oder wöchentlich stattfindet.")
    if errors:
        raise ValidationError(errors)


def _invitees_set(
    *, scheduled: ScheduledMeeting, member_ids: Iterable[int], guest_emails: Iterable[str], now: datetime
) -> tuple[int, int]:
    """Make the invitee rows match the chosen members and guests. Returns (added, removed)."""
    guest_emails = list(guest_emails)
    valid, invalid = email_list_parse(" ".join(guest_emails))
    if invalid:
        raise ValidationError({"guest_emails": invalid_emails_message(invalid)})
    members = {
        m.user.email.lower(): m.user
        for m in scheduled.club.memberships.select_related("user").filter(
            Q(user_id__in=list(member_ids)) | Q(user__email__in=valid)
        )
    }
    wanted = dict.fromkeys(valid, None)
    wanted.update(members)
    # A general assembly invites every member (the statutes say so); its guests still count against the cap.
    capped = [e for e, user in wanted.items() if user is None] if scheduled.general_assembly else wanted
    if len(capped) > settings.EVENT_MAX_INVITEES:
        raise ValidationError(
            {
                "guest_emails": _(
                    "Zu einem Termin können Sie höchstens %(max)s Personen einladen (Mitglieder und Gäste "
                    "zusammen); ausgewählt sind %(count)s. Bitte verkleinern Sie die Auswahl. Es wurde nichts "
                    "gespeichert und keine Einladung versandt."
                )
                % {"max": settings.EVENT_MAX_INVITEES, "count": len(capped)}
            }
        )
    existing = {invitee.email: invitee for invitee in scheduled.invitees.all()}

    new = [
        Invitee(scheduled_meeting=scheduled, email=email, user=user)
        for email, user in wanted.items()
        if email not in existing
    ]
    Invitee.objects.bulk_create(new)
    back = [i.pk for email, i in existing.items() if email in wanted and i.removed_at is not None]
    if back:
        Invitee.objects.filter(pk__in=back).update(removed_at=None, removal_sent_at=None)
    gone = [i for email, i in existing.items() if email not in wanted and i.removed_at is None]
    if gone:
        Invitee.objects.filter(pk__in=[i.pk for i in gone]).update(removed_at=now)
        # Whoever is uninvited loses their personal link at once, not only when the mail goes out.
        personal_links.personal_links_revoke(
            link_ids=[i.personal_link_id for i in gone if i.personal_link_id], actor=None, club=scheduled.club
        )
    return len(new) + len(back), len(gone)


def _mails_pending(scheduled: ScheduledMeeting) -> int:
    """How many emails the next notify run sends for this meeting (what the mail budget is charged)."""
    current = scheduled.invitees.filter(removed_at__isnull=True, notified_sequence__lt=scheduled.sequence)
    removed = scheduled.invitees.filter(
        removed_at__isnull=False, removal_sent_at__isnull=True, notified_sequence__gte=0
    )
    if scheduled.is_cancelled:
        return current.filter(notified_sequence__gte=0).count()
    return current.count() + removed.count()


def _notify_after_commit(scheduled_id: int) -> None:
    # events.tasks queues the mail on this signal (the services never import the tasks).
    transaction.on_commit(
        lambda: scheduled_meeting_changed.send(sender=ScheduledMeeting, scheduled_meeting_id=scheduled_id)
    )


def invitees_remove_former_member(*, club: Club, user: object, now: datetime | None = None) -> int:
    """A person who left the club (or was removed) is no longer invited to its coming meetings.

    They get the removal notice once (the notify task), and no longer appear on the invitee list — not even as
    "Gast". Past meetings keep their list. Returns the number of invitations withdrawn.
    """
    now = now or timezone.now()
    coming = (
        Q(end_at__gte=now)
        | Q(recurrence=ScheduledMeeting.Recurrence.WEEKLY, repeat_until__isnull=True)
        | Q(recurrence=ScheduledMeeting.Recurrence.WEEKLY, repeat_until__gte=timezone.localdate(now))
    )
    meetings = ScheduledMeeting.objects.filter(coming, club=club, cancelled_at__isnull=True)
    rows = Invitee.objects.filter(scheduled_meeting__in=meetings, user=user, removed_at__isnull=True)
    meeting_ids = set(rows.values_list("scheduled_meeting_id", flat=True))
    withdrawn = rows.update(removed_at=now)
    for scheduled_id in meeting_ids:
        _notify_after_commit(scheduled_id)
    return withdrawn


# --- planning -------------------------------------------------------------------------------------


@transaction.atomic
def scheduled_meeting_create(
    *,
    club: Club,
    room: Room,
    created_by: object,
    title: str,
    description: str,
    start_at: datetime,
    end_at: datetime,
    recurrence: str = ScheduledMeeting.Recurrence.NONE,
    repeat_until: date | None = None,
    record: bool = False,
    member_ids: Iterable[int] = (),
    guest_emails: Iterable[str] = (),
) -> ScheduledMeeting:
    """Plan a meeting and invite people; the invitations are mailed by a task after commit."""
    _validate(club=club, room=room, start_at=start_at, end_at=end_at, record=record, recurrence=recurrence)
    scheduled = ScheduledMeeting.objects.create(
        club=club,
        room=room,
        title=title,
        description=description,
        start_at=start_at,
        end_at=end_at,
        recurrence=recurrence,
        repeat_until=repeat_until if recurrence == ScheduledMeeting.Recurrence.WEEKLY else None,
        record=record,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )
    _invitees_set(scheduled=scheduled, member_ids=member_ids, guest_emails=guest_emails, now=timezone.now())
    club_mail_reserve(club=club, count=_mails_pending(scheduled))
    _notify_after_commit(scheduled.pk)
    return scheduled


EVENT_FIELDS = ("room", "title", "description", "start_at", "end_at", "recurrence", "repeat_until", "record")


@transaction.atomic
def scheduled_meeting_update(
    *,
    scheduled: ScheduledMeeting,
    changed_by: object,
    member_ids: Iterable[int],
    guest_emails: Iterable[str],
    **changes: object,
) -> bool:
    """Change a planned meeting and its invitees.

    A change of the meeting itself increases SEQUENCE, so everybody gets an update; a change of the
    invitees alone mails only the newly invited and the removed. Returns whether anything changed.
    """
    unknown = set(changes) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    locked = ScheduledMeeting.objects.select_for_update().select_related("club").get(pk=scheduled.pk)
    if locked.is_cancelled:
        raise ValidationError(_("Dieser Termin ist abgesagt und kann nicht mehr geändert werden."))
    if changes.get("recurrence", locked.recurrence) != ScheduledMeeting.Recurrence.WEEKLY:
        changes["repeat_until"] = None
    changed = [name for name, value in changes.items() if getattr(locked, name) != value]
    previous = {name: getattr(locked, name) for name in changed}
    for name in changed:
        setattr(locked, name, changes[name])
    _validate(
        club=locked.club,
        room=locked.room,
        start_at=locked.start_at,
        end_at=locked.end_at,
        record=locked.record,
        recurrence=locked.recurrence,
    )
    now = timezone.now()
    if changed:
        # The apps above may refuse (a general assembly moved inside its notice period): nothing is saved then.
        scheduled_meeting_changing.send(sender=ScheduledMeeting, scheduled=locked, previous=previous, now=now)
        locked.sequence += 1
        locked.save()
    added, removed = _invitees_set(scheduled=locked, member_ids=member_ids, guest_emails=guest_emails, now=now)
    if changed or added or removed:
        club_mail_reserve(club=locked.club, count=_mails_pending(locked))
        _notify_after_commit(locked.pk)
    scheduled.refresh_from_db()
    return bool(changed or added or removed)


@transaction.atomic
def scheduled_meeting_reissue(*, scheduled: ScheduledMeeting, add_member_ids: Iterable[int] = ()) -> None:
    """Mail the meeting anew to everybody invited, and invite ``add_member_ids`` besides.

    For a change of what the invitation says that is not one of the meeting's own fields (it became
    a general assembly, its agenda changed): SEQUENCE increases, so those already told get the update
    and the newly invited the invitation, exactly as after ``scheduled_meeting_update``.
    """
    locked = ScheduledMeeting.objects.select_for_update().select_related("club").get(pk=scheduled.pk)
    if locked.is_cancelled:
        raise ValidationError(_("Dieser Termin ist abgesagt und kann nicht mehr geändert werden."))
    active = list(locked.invitees.filter(removed_at__isnull=True))
    member_ids = {i.user_id for i in active if i.user_id} | set(add_member_ids)
    guests = [i.email for i in active if not i.user_id]
    locked.sequence += 1
    locked.save(update_fields=["sequence", "updated_at"])
    _invitees_set(scheduled=locked, member_ids=member_ids, guest_emails=guests, now=timezone.now())
    club_mail_reserve(club=locked.club, count=_mails_pending(locked))
    _notify_after_commit(locked.pk)
    scheduled.refresh_from_db()


@transaction.atomic
def scheduled_meeting_cancel(*, scheduled: ScheduledMeeting, cancelled_by: object) -> bool:
    """Cancel a planned meeting (the whole series); everybody invited gets a METHOD:CANCEL update."""
    now = timezone.now()
    hit = ScheduledMeeting.objects.filter(pk=scheduled.pk, cancelled_at__isnull=True).update(
        cancelled_at=now, sequence=F("sequence") + 1, updated_at=now
    )
    if not hit:
        return False
    scheduled.refresh_from_db()
    personal_links.personal_links_revoke(
        link_ids=list(scheduled.invitees.exclude(personal_link=None).values_list("personal_link_id", flat=True)),
        actor=cancelled_by,
        club=scheduled.club,
    )
    # Charged, never refused: the people invited must learn that the meeting is off.
    club_mail_reserve(club=scheduled.club, count=_mails_pending(scheduled), force=True)
    audit_log(
        action="scheduled_meeting.cancel",
        actor=cancelled_by,
        club=scheduled.club,
        target=scheduled,
        details={"start_at": scheduled.start_at.isoformat(), "uid": scheduled.uid},
    )
    _notify_after_commit(scheduled.pk)
    return True


# --- mailing invitations, updates and cancellations ----------------------------------------------

# A personal link stays valid this long after the (last) meeting's planned end: meetings run over.
LINK_GRACE = timedelta(hours=12)


def _links_expiry(scheduled: ScheduledMeeting) -> datetime | None:
    """When the invitees' links stop working: after the meeting, or the series; None for open series."""
    if not scheduled.is_recurring:
        return scheduled.end_at + LINK_GRACE
    until = series_until(scheduled)
    return None if until is None else until + scheduled.duration + LINK_GRACE


def invitee_links_ensure(*, scheduled: ScheduledMeeting, invitees: list[Invitee]) -> None:
    """Give every invitee a personal link to the room (instead of the shared code), once.

    Members named host of the room (and the club's owners and admins) get a moderator link; everybody
    else joins as viewer unless the room says everyone moderates. Members' links carry their name;
    a guest known only by email types the name once. An existing link follows the meeting's times.
    """
    room = scheduled.room
    hosts = set(
        Membership.objects.filter(club_id=room.club_id)
        .filter(Q(role__in=[Role.ADMIN, Role.OWNER]) | Q(hosted_rooms=room))
        .values_list("user_id", flat=True)
    )
    expires_at = _links_expiry(scheduled)
    for invitee in invitees:
        link = invitee.personal_link
        if link is not None and link.revoked_at is None:
            if link.expires_at != expires_at:
                PersonalLink.objects.filter(pk=link.pk).update(expires_at=expires_at)
                link.expires_at = expires_at
            continue
        moderator = invitee.user_id in hosts or room.all_moderators
        name = (invitee.user.name or "") if invitee.user_id else ""
        link = personal_links.personal_link_create(
            room=room,
            actor=None,
            name=name,
            email=invitee.email,
            user=invitee.user if invitee.user_id else None,
            role=PersonalLink.Role.MODERATOR if moderator else PersonalLink.Role.VIEWER,
            expires_at=expires_at,
            ask_name=not name,
        )
        Invitee.objects.filter(pk=invitee.pk).update(personal_link=link)
        invitee.personal_link = link


def _claim_invitees(scheduled: ScheduledMeeting, *, removed: bool) -> list[Invitee]:
    """Claim the invitees who still need the current version (or the removal notice).

    Rows are locked (PostgreSQL skips rows another run holds) and marked in the same transaction,
    so two overlapping runs never mail the same person the same version.
    """
    with transaction.atomic():
        qs = scheduled.invitees.select_for_update(skip_locked=True, of=("self",)).select_related(
            "user", "personal_link"
        )
        if removed:
            qs = qs.filter(removed_at__isnull=False, removal_sent_at__isnull=True)
        else:
            qs = qs.filter(removed_at__isnull=True, notified_sequence__lt=scheduled.sequence)
        claimed = list(qs)
        if not claimed:
            return []
        ids = [i.pk for i in claimed]
        if removed:
            Invitee.objects.filter(pk__in=ids, removal_sent_at__isnull=True).update(removal_sent_at=timezone.now())
        else:
            Invitee.objects.filter(pk__in=ids, notified_sequence__lt=scheduled.sequence).update(
                notified_sequence=scheduled.sequence
            )
    return claimed


def scheduled_meeting_notify(*, scheduled_meeting_id: int) -> int:
    """Mail the current version of a meeting to everybody who has not got it yet. Returns the count.

    New invitees get the invitation, earlier ones the update (or the cancellation), removed ones a
    cancellation - each exactly once, however often this runs. When the mail server fails part-way,
    the claims of those not reached are given back and ``MailSendError`` tells the task to retry.
    """
    scheduled = ScheduledMeeting.objects.select_related("club", "room").filter(pk=scheduled_meeting_id).first()
    if scheduled is None:
        return 0
    now = timezone.now()
    outgoing: list[tuple[Invitee, bool, EmailMessage]] = []
    current = _claim_invitees(scheduled, removed=False)
    if not scheduled.is_cancelled:
        invitee_links_ensure(scheduled=scheduled, invitees=current)
    for invitee in current:
        never_told = invitee.notified_sequence < 0
        if scheduled.is_cancelled:
            if never_told:
                continue  # invited and cancelled before anything went out: nothing to take back
            kind = mail.Kind.CANCELLATION
        else:
            kind = mail.Kind.INVITATION if never_told else mail.Kind.UPDATE
        message = mail.scheduled_meeting_message(scheduled=scheduled, invitee=invitee, kind=kind, now=now)
        outgoing.append((invitee, False, message))
    for invitee in _claim_invitees(scheduled, removed=True):
        if invitee.notified_sequence >= 0 and not scheduled.is_cancelled:
            message = mail.scheduled_meeting_message(
                scheduled=scheduled, invitee=invitee, kind=mail.Kind.REMOVED, now=now
            )
            outgoing.append((invitee, True, message))
    try:
        return mail.send_all([message for _invitee, _removed, message in outgoing])
    except mail.MailSendError as exc:
        for invitee, removed, _message in outgoing[exc.sent :]:
            if removed:
                Invitee.objects.filter(pk=invitee.pk).update(removal_sent_at=None)
            else:
                Invitee.objects.filter(pk=invitee.pk, notified_sequence=scheduled.sequence).update(
                    notified_sequence=invitee.notified_sequence
                )
        raise


# --- reminders ------------------------------------------------------------------------------------


def reminder_offsets() -> list[int]:
    """Minutes before the start at which reminders go out (settings.EVENT_REMINDER_OFFSETS)."""
    return sorted({int(m) for m in settings.EVENT_REMINDER_OFFSETS if int(m) > 0})


def reminder_kind(minutes: int) -> str:
    return f"before-{minutes}m"


@dataclass(frozen=True)
class DueReminder:
    occurrence: Occurrence
    minutes: int

    @property
    def kind(self) -> str:
        return reminder_kind(self.minutes)


def reminders_due(*, now: datetime) -> list[DueReminder]:
    """The reminders whose time has come and that nobody has claimed yet.

    Per occurrence only the latest reminder that is due counts (after an outage, the hour-before
    reminder replaces the day-before one), and none whose time passed before the meeting was planned
    (then the invitation has just gone out).
    """
    offsets = reminder_offsets()
    if not offsets:
        return []
    horizon = now + timedelta(minutes=max(offsets))
    candidates = (
        ScheduledMeeting.objects.select_related("club", "room")
        .filter(cancelled_at__isnull=True, club__status=Club.Status.ACTIVE, start_at__lt=horizon)
        .filter(
            Q(recurrence=ScheduledMeeting.Recurrence.NONE, start_at__gte=now)
            | Q(recurrence=ScheduledMeeting.Recurrence.WEEKLY, repeat_until__isnull=True)
            | Q(recurrence=ScheduledMeeting.Recurrence.WEEKLY, repeat_until__gte=(now - timedelta(days=1)).date())
        )
    )
    due: list[DueReminder] = []
    for scheduled in candidates:
        for occurrence in occurrences_starting(scheduled, now, horizon):
            reached = [m for m in offsets if occurrence.start - timedelta(minutes=m) <= now]
            if not reached:
                continue
            minutes = min(reached)
            if occurrence.start - timedelta(minutes=minutes) < scheduled.created_at:
                continue
            due.append(DueReminder(occurrence=occurrence, minutes=minutes))
    if not due:
        return []
    sent = set(
        ReminderLog.objects.filter(
            scheduled_meeting_id__in={d.occurrence.scheduled.pk for d in due},
            occurrence_start__in={d.occurrence.start for d in due},
            sent_at__isnull=False,
        ).values_list("scheduled_meeting_id", "occurrence_start", "kind")
    )
    return [d for d in due if (d.occurrence.scheduled.pk, d.occurrence.start, d.kind) not in sent]


def reminder_claim(*, due: DueReminder, now: datetime) -> ReminderLog | None:
    """Claim one reminder: insert its log row, or take over a stale claim. None: somebody else has it."""
    scheduled = due.occurrence.scheduled
    try:
        with transaction.atomic():
            return ReminderLog.objects.create(
                scheduled_meeting=scheduled, occurrence_start=due.occurrence.start, kind=due.kind, claimed_at=now
            )
    except IntegrityError:
        pass
    stale = ReminderLog.objects.filter(
        scheduled_meeting=scheduled,
        occurrence_start=due.occurrence.start,
        kind=due.kind,
        sent_at__isnull=True,
        claimed_at__lt=now - REMINDER_RECLAIM_AFTER,
    )
    if stale.update(claimed_at=now) != 1:
        return None
    return ReminderLog.objects.get(scheduled_meeting=scheduled, occurrence_start=due.occurrence.start, kind=due.kind)


def reminders_send(*, now: datetime | None = None) -> int:
    """Send every due reminder exactly once (safe to run concurrently and repeatedly). Returns mails sent."""
    now = now or timezone.now()
    total = 0
    for due in reminders_due(now=now):
        log = reminder_claim(due=due, now=now)
        if log is None:
            continue
        scheduled = due.occurrence.scheduled
        invitees = list(scheduled.invitees.filter(removed_at__isnull=True).select_related("user", "personal_link"))
        messages = [
            mail.scheduled_meeting_message(
                scheduled=scheduled, invitee=i, kind=mail.Kind.REMINDER, occurrence=due.occurrence, now=now
            )
            for i in invitees
        ]
        try:
            count = mail.send_all(messages)
        except mail.MailSendError as exc:
            logger.warning("reminder %s: mail failed after %d of %d: %r", log, exc.sent, len(messages), exc.cause)
            if exc.sent == 0:
                log.delete()  # nothing went out: the next run tries again
                continue
            count = exc.sent  # some went out: rather miss the rest than mail anybody twice
        ReminderLog.objects.filter(pk=log.pk).update(sent_at=timezone.now(), recipient_count=count)
        total += count
    return total
