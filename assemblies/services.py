"""Rules of the general assembly: notice period, agenda, quorum, motions, ballots, the hash chain, retention."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from assemblies.models import (
    DEFAULT_OPTION_LABELS,
    AgendaItem,
    Assembly,
    AssemblyRules,
    Motion,
    MotionOption,
    Participation,
    Presence,
    SecretBallot,
)
from clubs.audit import audit_log
from clubs.models import AuditEntry, Club, Membership
from events import services as event_services
from events.models import ScheduledMeeting

DEFAULT_OPTIONS = tuple(DEFAULT_OPTION_LABELS)  # stored German; shown translated (MotionOption.display_label)


# -- rules and planning ----------------------------------------------------------------------------


def assembly_rules_get(*, club: Club) -> AssemblyRules:
    rules, _created = AssemblyRules.objects.get_or_create(club=club)
    return rules


@transaction.atomic
def assembly_rules_update(
    *, club: Club, actor: Any, notice_days: int, quorum_kind: str, quorum_value: int, attendance_retention_days: int
) -> AssemblyRules:
    rules = assembly_rules_get(club=club)
    if quorum_kind == AssemblyRules.Quorum.PERCENT and not 0 < quorum_value <= 100:
        raise ValidationError({"quorum_value": _("Bitte geben Sie einen Anteil zwischen 1 und 100 Prozent an.")})
    if quorum_kind == AssemblyRules.Quorum.COUNT and quorum_value < 1:
        raise ValidationError({"quorum_value": _("Bitte geben Sie an, wie viele Mitglieder anwesend sein müssen.")})
    rules.notice_days = notice_days
    rules.quorum_kind = quorum_kind
    rules.quorum_value = quorum_value if quorum_kind != AssemblyRules.Quorum.NONE else 0
    rules.attendance_retention_days = attendance_retention_days
    rules.save()
    audit_log(
        action="assembly.rules_changed",
        actor=actor,
        club=club,
        target=rules,
        details={"notice_days": notice_days, "quorum_kind": quorum_kind, "quorum_value": rules.quorum_value},
    )
    return rules


def notice_check(
    *,
    scheduled: ScheduledMeeting,
    rules: AssemblyRules,
    now: datetime,
    previous_start_at: datetime | None = None,
    invited_at: datetime | None = None,
) -> datetime | None:
    """The one rule of the notice period (Einladungsfrist): for planning and for every change of the date.

    Returns the moment the period now counts from (None: the date did not change, nothing to count).
    Planning: the invitation goes out now. Moving an invited assembly *earlier* is a new invitation:
    the update mail that goes out now must reach the members the full period ahead of the new date.
    Moving it *later* keeps the period counted from the invitation ``invited_at`` (the members have
    had at least that long; the update mail tells them the new date). Refusals raise ``ValidationError``.
    """
    if scheduled.is_recurring:
        raise ValidationError(
            {"recurrence": _("Eine Mitgliederversammlung ist ein einzelner Termin, keine Terminserie.")}
        )
    if scheduled.is_cancelled:
        raise ValidationError(_("Dieser Termin ist abgesagt."))
    moved = previous_start_at is not None
    if moved and scheduled.start_at == previous_start_at:
        return None
    later = moved and invited_at is not None and scheduled.start_at > previous_start_at
    counted_from = invited_at if later else now
    earliest = counted_from + timedelta(days=rules.notice_days)
    if scheduled.start_at >= earliest:
        return counted_from
    values = {
        "days": rules.notice_days,
        "date": formats.date_format(timezone.localtime(earliest), "DATETIME_FORMAT"),
        "invited": formats.date_format(timezone.localtime(counted_from), "DATETIME_FORMAT"),
    }
    if not moved:
        message = _(
            "Die Einladungsfrist Ihrer Satzung beträgt %(days)s Tage. Wenn heute eingeladen wird, ist die "
            "Versammlung frühestens am %(date)s möglich. Bitte verlegen Sie den Termin oder ändern Sie die "
            "Einladungsfrist in den Vereinseinstellungen, falls Ihre Satzung eine kürzere Frist vorsieht."
        )
    elif not later:
        message = _(
            "Die Einladungsfrist Ihrer Satzung beträgt %(days)s Tage. Wird die Mitgliederversammlung vorverlegt, "
            "beginnt die Frist neu mit der geänderten Einladung, die heute an die Mitglieder geht: Der neue Termin "
            "ist frühestens am %(date)s möglich. Bitte wählen Sie einen späteren Termin. Es wurde nichts "
            "gespeichert und keine Nachricht versandt."
        )
    else:
        message = _(
            "Die Einladungsfrist Ihrer Satzung beträgt %(days)s Tage, gerechnet ab der Einladung vom %(invited)s: "
            "Die Mitgliederversammlung ist frühestens am %(date)s möglich. Bitte wählen Sie einen späteren Termin. "
            "Es wurde nichts gespeichert und keine Nachricht versandt."
        )
    raise ValidationError({"date": message % values})


def _member_ids(club: Club) -> list[int]:
    return list(Membership.objects.filter(club=club).values_list("user_id", flat=True))


@transaction.atomic
def assembly_plan(
    *,
    scheduled: ScheduledMeeting,
    actor: Any,
    attendance_enabled: bool,
    agenda: list[str],
    now: datetime | None = None,
) -> Assembly:
    """Mark a scheduled meeting as the club's general assembly and invite every member to it now.

    Refused when the invitation, sent now, would not keep the club's notice period. Those invited
    to the meeting before get the assembly's invitation as an update (with how to take part
    electronically, the agenda and whether attendance is recorded), members not yet invited the
    invitation; each with their personal link (events' notify task).
    """
    now = now or timezone.now()
    rules = assembly_rules_get(club=scheduled.club)
    invited_at = notice_check(scheduled=scheduled, rules=rules, now=now)
    assembly, created = Assembly.objects.get_or_create(
        scheduled_meeting=scheduled,
        defaults={
            "club": scheduled.club,
            "attendance_enabled": attendance_enabled,
            "chair": actor if getattr(actor, "is_authenticated", False) else None,
            "invited_at": invited_at,
        },
    )
    if not created:
        raise ValidationError(_("Dieser Termin ist bereits als Mitgliederversammlung geplant."))
    agenda_set(assembly=assembly, items=agenda)
    event_services.scheduled_meeting_reissue(scheduled=scheduled, add_member_ids=_member_ids(scheduled.club))
    audit_log(action="assembly.planned", actor=actor, club=scheduled.club, target=assembly)
    return assembly


def assembly_meeting_changing(*, scheduled: ScheduledMeeting, previous: dict[str, Any], now: datetime) -> None:
    """Events is about to save a change of ``scheduled``: hold a general assembly to the notice period.

    The same rule as planning (``notice_check``); when the period now counts from the update mail
    that goes out with this change, that is the assembly's invitation from now on.
    """
    assembly = Assembly.objects.select_for_update().filter(scheduled_meeting_id=scheduled.pk).first()
    if assembly is None:
        return
    counted_from = notice_check(
        scheduled=scheduled,
        rules=assembly_rules_get(club=scheduled.club),
        now=now,
        previous_start_at=previous.get("start_at", scheduled.start_at),
        invited_at=assembly.invited_at,
    )
    if counted_from is not None and counted_from != assembly.invited_at:
        assembly.invited_at = counted_from
        assembly.save(update_fields=["invited_at"])


@transaction.atomic
def agenda_set(*, assembly: Assembly, items: list[str]) -> list[AgendaItem]:
    """Replace the agenda (Tagesordnung) with ``items`` in that order; blank lines are dropped."""
    titles = [item.strip()[:300] for item in items if item.strip()]
    assembly.agenda.all().delete()
    return AgendaItem.objects.bulk_create(
        AgendaItem(assembly=assembly, position=n, title=title) for n, title in enumerate(titles, start=1)
    )


@transaction.atomic
def assembly_update(*, assembly: Assembly, attendance_enabled: bool, agenda: list[str]) -> bool:
    """Change the agenda or the attendance opt-in; the invitation says both, so the invited get an update.

    Returns whether anything changed.
    """
    changed = False
    if assembly.attendance_enabled != attendance_enabled:
        if assembly.motions.exclude(state=Motion.State.DRAFT).exists():
            raise ValidationError(
                _("Nach der ersten Abstimmung lässt sich die Anwesenheitserfassung nicht mehr ändern.")
            )
        assembly.attendance_enabled = attendance_enabled
        assembly.save(update_fields=["attendance_enabled"])
        changed = True
    before = list(assembly.agenda.values_list("title", flat=True))
    changed |= [i.title for i in agenda_set(assembly=assembly, items=agenda)] != before
    scheduled = assembly.scheduled_meeting
    if changed and not scheduled.is_cancelled and scheduled.end_at > timezone.now():
        event_services.scheduled_meeting_reissue(scheduled=scheduled)
    return changed


# -- quorum ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    member_count: int
    present: int | None  # None: attendance is not recorded for this assembly
    required: int
    met: bool | None  # None: cannot be judged (no attendance but the rule needs a minimum)


def eligible_user_ids(*, club: Club, at: datetime) -> set[int]:
    """Members at ``at``: every membership created by then (any role) that still exists."""
    return set(Membership.objects.filter(club=club, created_at__lte=at).values_list("user_id", flat=True))


def quorum_now(*, assembly: Assembly, at: datetime | None = None) -> Quorum:
    """Present eligible members (open presence intervals of members) against the club's rule."""
    at = at or timezone.now()
    rules = assembly_rules_get(club=assembly.club)
    eligible = eligible_user_ids(club=assembly.club, at=at)
    required = rules.required_present(len(eligible))
    present = None
    if assembly.attendance_enabled:
        present_ids = set(
            assembly.presences.filter(left_at__isnull=True, user_id__isnull=False).values_list("user_id", flat=True)
        )
        present = len(present_ids & eligible)
    if rules.quorum_kind == AssemblyRules.Quorum.NONE:
        met: bool | None = True
    else:
        met = None if present is None else present >= required
    return Quorum(member_count=len(eligible), present=present, required=required, met=met)


# -- the hash chain --------------------------------------------------------------------------------


def _chain_key() -> bytes:
    return hashlib.sha256(b"herzdigital.assemblies.chain:" + settings.SECRET_KEY.encode()).digest()


def _chain_hash(prev: str, payload: dict[str, Any]) -> str:
    message = prev.encode() + b"\n" + json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(_chain_key(), message, hashlib.sha256).hexdigest()


def _chain_append(*, assembly: Assembly, action: str, actor: Any, target: Any, payload: dict[str, Any]) -> AuditEntry:
    """An audit entry whose hash covers the previous one of this assembly (caller holds the assembly lock).

    The key derives from SECRET_KEY, so someone who can write the database but not read the settings
    cannot rewrite an entry and recompute the chain; ``assembly_chain_verify`` finds any change.
    """
    payload = {"action": action, "assembly": assembly.pk, **payload}
    digest = _chain_hash(assembly.chain_head, payload)
    entry = audit_log(
        action=action,
        actor=actor,
        club=assembly.club,
        target=target,
        details={"payload": payload, "prev": assembly.chain_head, "hash": digest},
    )
    assembly.chain_head = digest
    assembly.save(update_fields=["chain_head"])
    return entry


def assembly_chain_verify(*, assembly: Assembly) -> bool:
    """Recompute the chain over the assembly's vote events; False if any entry was changed, removed or added."""
    entries = AuditEntry.objects.filter(
        club=assembly.club, action__startswith="assembly.motion_", details__payload__assembly=assembly.pk
    ).order_by("pk")
    prev = ""
    for entry in entries:
        details = entry.details or {}
        if details.get("prev") != prev or _chain_hash(prev, details.get("payload", {})) != details.get("hash"):
            return False
        prev = details["hash"]
    return prev == assembly.chain_head


# -- motions ---------------------------------------------------------------------------------------


@transaction.atomic
def motion_create(*, assembly: Assembly, actor: Any, title: str, options: list[str], secret: bool) -> Motion:
    labels = [o.strip()[:200] for o in options if o.strip()] or list(DEFAULT_OPTIONS)
    if len(labels) < 2:
        raise ValidationError(_("Eine Abstimmung braucht mindestens zwei Antworten."))
    if len(set(labels)) != len(labels):
        raise ValidationError(_("Jede Antwort darf nur einmal vorkommen."))
    motion = Motion.objects.create(assembly=assembly, title=title.strip()[:300], secret=secret)
    MotionOption.objects.bulk_create(
        MotionOption(motion=motion, position=n, label=label) for n, label in enumerate(labels, start=1)
    )
    return motion


def _lock(motion: Motion) -> tuple[Assembly, Motion]:
    """Lock order: assembly, then motion (every writer of a vote takes them in this order)."""
    assembly = Assembly.objects.select_for_update(of=("self",)).select_related("club").get(pk=motion.assembly_id)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    motion.assembly = assembly
    return assembly, motion


@transaction.atomic
def motion_open(*, motion: Motion, actor: Any, now: datetime | None = None) -> Motion:
    """Open the vote and record the quorum at this moment (one open vote per assembly at a time)."""
    now = now or timezone.now()
    assembly, motion = _lock(motion)
    if motion.state != Motion.State.DRAFT:
        raise ValidationError(_("Diese Abstimmung wurde bereits geöffnet."))
    if assembly.motions.filter(state=Motion.State.OPEN).exists():
        raise ValidationError(_("Bitte schließen Sie zuerst die laufende Abstimmung."))
    quorum = quorum_now(assembly=assembly, at=now)
    motion.state = Motion.State.OPEN
    motion.opened_at = now
    motion.opened_by = actor if getattr(actor, "is_authenticated", False) else None
    motion.member_count = quorum.member_count
    motion.present_count = quorum.present
    motion.quorum_required = quorum.required
    motion.quorum_met = quorum.met
    motion.save()
    _chain_append(
        assembly=assembly,
        action="assembly.motion_opened",
        actor=actor,
        target=motion,
        payload={
            "motion": motion.pk,
            "title": motion.title,
            "secret": motion.secret,
            "options": [[o.pk, o.label] for o in motion.options.all()],
            "at": now.isoformat(),
            "by": getattr(actor, "pk", None),
            "members": quorum.member_count,
            "present": quorum.present,
            "required": quorum.required,
            "quorum_met": quorum.met,
        },
    )
    return motion


class VoteRefused(Exception):
    """A ballot that is not taken; the message says why, in the user's language."""


def ballot_cast(*, motion: Motion, user: Any, option_id: int, receipt: str = "", now: datetime | None = None) -> str:
    """Take (or change) one member's ballot; return the receipt a secret voter keeps to change it.

    The motion row is locked, so a ballot and the close never interleave and two posts of one member
    are taken one after the other (the second is a change); ``one_vote_per_member`` backs this up.
    """
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _ballot_cast(motion=motion, user=user, option_id=option_id, receipt=receipt, now=now)
    except IntegrityError:
        raise VoteRefused(_("Ihre Stimme ist bereits gezählt."))


def _ballot_cast(*, motion: Motion, user: Any, option_id: int, receipt: str, now: datetime) -> str:
    motion = Motion.objects.select_for_update(of=("self",)).select_related("assembly").get(pk=motion.pk)
    if motion.state != Motion.State.OPEN:
        raise VoteRefused(_("Diese Abstimmung ist geschlossen. Es werden keine Stimmen mehr angenommen."))
    if not Membership.objects.filter(
        club_id=motion.assembly.club_id, user=user, created_at__lte=motion.opened_at
    ).exists():
        raise VoteRefused(_("Stimmberechtigt sind nur Personen, die bei Beginn der Abstimmung Mitglied waren."))
    option = motion.options.filter(pk=option_id).first()
    if option is None:
        raise VoteRefused(_("Bitte wählen Sie eine der angebotenen Antworten."))
    existing = Participation.objects.filter(motion=motion, user=user).first()
    if not motion.secret:
        if existing is None:
            Participation.objects.create(motion=motion, user=user, option=option, voted_at=now)
        else:
            existing.option = option
            existing.voted_at = now
            existing.save(update_fields=["option", "voted_at"])
        return ""
    if existing is not None:
        ballot = (
            SecretBallot.objects.filter(motion=motion, receipt_hash=_receipt_hash(receipt)).first() if receipt else None
        )
        if ballot is None:
            raise VoteRefused(
                _(
                    "Sie haben bereits geheim abgestimmt. Ändern können Sie Ihre Stimme nur auf dem Gerät, "
                    "mit dem Sie abgestimmt haben."
                )
            )
        ballot.option = option
        ballot.save(update_fields=["option"])
        return receipt
    receipt = secrets.token_urlsafe(24)
    Participation.objects.create(motion=motion, user=user, option=None, voted_at=now)
    SecretBallot.objects.create(motion=motion, option=option, receipt_hash=_receipt_hash(receipt))
    return receipt


def _receipt_hash(receipt: str) -> str:
    return hashlib.sha256(receipt.encode()).hexdigest()


@transaction.atomic
def motion_close(*, motion: Motion, actor: Any, now: datetime | None = None) -> Motion:
    """Close the vote, count it into the record, chain the counts; a secret vote's ballots are then deleted.

    After the close only the counts remain of a secret vote: not even the database's physical row order
    can then hint at who cast which ballot.
    """
    now = now or timezone.now()
    assembly, motion = _lock(motion)
    if motion.state != Motion.State.OPEN:
        raise ValidationError(_("Diese Abstimmung läuft nicht."))
    if motion.secret:
        rows = SecretBallot.objects.filter(motion=motion)
        ballots = sorted(f"{b.pk}:{b.option_id}" for b in rows)
    else:
        rows = Participation.objects.filter(motion=motion)
        ballots = sorted(f"{p.user_id}:{p.option_id}" for p in rows)
    counts = dict(rows.values("option_id").annotate(n=Count("pk")).values_list("option_id", "n"))
    motion.results = {str(o.pk): counts.get(o.pk, 0) for o in motion.options.all()}
    motion.voter_count = Participation.objects.filter(motion=motion).count()
    motion.state = Motion.State.CLOSED
    motion.closed_at = now
    motion.closed_by = actor if getattr(actor, "is_authenticated", False) else None
    motion.save()
    _chain_append(
        assembly=assembly,
        action="assembly.motion_closed",
        actor=actor,
        target=motion,
        payload={
            "motion": motion.pk,
            "at": now.isoformat(),
            "by": getattr(actor, "pk", None),
            "results": motion.results,
            "voters": motion.voter_count,
            "ballots_sha256": hashlib.sha256("\n".join(ballots).encode()).hexdigest(),
        },
    )
    if motion.secret:
        SecretBallot.objects.filter(motion=motion).delete()
    return motion


def motion_results(*, motion: Motion) -> list[tuple[MotionOption, int]]:
    """The recorded counts per option (closed motions only; open ones show nothing)."""
    if motion.state != Motion.State.CLOSED:
        return []
    return [(o, int(motion.results.get(str(o.pk), 0))) for o in motion.options.all()]


# -- retention -------------------------------------------------------------------------------------


def attendance_cleanup(*, now: datetime | None = None) -> int:
    """Delete attendance of assemblies whose club retention ran out; the votes stay. Returns rows deleted."""
    now = now or timezone.now()
    deleted_total = 0
    pending = Assembly.objects.filter(attendance_deleted_at__isnull=True).select_related("scheduled_meeting", "club")
    for assembly in pending:
        rules = assembly_rules_get(club=assembly.club)
        if assembly.scheduled_meeting.end_at + timedelta(days=rules.attendance_retention_days) > now:
            continue
        with transaction.atomic():
            deleted, _by_model = Presence.objects.filter(assembly=assembly).delete()
            Assembly.objects.filter(pk=assembly.pk).update(attendance_deleted_at=now)
            audit_log(
                action="assembly.attendance_deleted",
                club=assembly.club,
                target=assembly,
                reason="retention",
                details={"rows": deleted, "retention_days": rules.attendance_retention_days},
                actor_label="system",
            )
        deleted_total += deleted
    return deleted_total
