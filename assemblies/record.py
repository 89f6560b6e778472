"""What the assembly's pages show, read from the database only: the vote page, the chair's desk, the record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from assemblies import services
from assemblies.models import Assembly, Motion, Participation, Presence


@dataclass
class MotionView:
    motion: Motion
    options: list[Any]
    results: list[tuple[Any, int]] = field(default_factory=list)
    my_option_id: int | None = None
    voted: bool = False

    @property
    def quorum(self) -> str:
        return _quorum_text(self.motion)


def _motion_views(assembly: Assembly, user: Any = None) -> list[MotionView]:
    motions = list(assembly.motions.exclude(state=Motion.State.DRAFT).prefetch_related("options"))
    mine = {}
    if user is not None:
        mine = dict(Participation.objects.filter(motion__in=motions, user=user).values_list("motion_id", "option_id"))
    return [
        MotionView(
            motion=m,
            options=list(m.options.all()),
            results=services.motion_results(motion=m),
            my_option_id=mine.get(m.pk),
            voted=m.pk in mine,
        )
        for m in motions
    ]


def vote_page(*, assembly: Assembly, user: Any, cookies: dict[str, str]) -> dict[str, Any]:
    views = _motion_views(assembly, user)
    running = next((v for v in views if v.motion.state == Motion.State.OPEN), None)
    return {
        "agenda": list(assembly.agenda.all()),
        "running": running,
        "closed": [v for v in views if v.motion.state == Motion.State.CLOSED],
    }


def chair_page(*, assembly: Assembly) -> dict[str, Any]:
    motions = list(assembly.motions.prefetch_related("options"))
    counts = {}
    if motions:
        from django.db.models import Count

        counts = dict(
            Participation.objects.filter(motion__in=motions)
            .values("motion_id")
            .annotate(n=Count("pk"))
            .values_list("motion_id", "n")
        )
    return {
        "motions": [(m, counts.get(m.pk, 0), services.motion_results(motion=m)) for m in motions],
        "present": list(assembly.presences.filter(left_at__isnull=True).select_related("user")),
        "quorum": services.quorum_now(assembly=assembly),
        "rules": services.assembly_rules_get(club=assembly.club),
        "chain_ok": services.assembly_chain_verify(assembly=assembly),
    }


@dataclass
class Record:
    assembly: Assembly
    chair: str
    presences: list[Presence]
    motions: list[MotionView]
    chain_ok: bool
    generated_at: Any


def assembly_record(*, assembly: Assembly) -> Record:
    chair = assembly.chair
    return Record(
        assembly=assembly,
        chair=(getattr(chair, "name", "") or getattr(chair, "email", "")) if chair else "—",
        presences=list(assembly.presences.select_related("user")),
        motions=[v for v in _motion_views(assembly) if v.motion.state == Motion.State.CLOSED],
        chain_ok=services.assembly_chain_verify(assembly=assembly),
        generated_at=timezone.now(),
    )


def _t(value: Any) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M:%S") if value else ""


def _quorum_text(motion: Motion) -> str:
    if motion.quorum_met is None:
        return _("nicht feststellbar (Anwesenheit nicht erfasst)")
    if motion.present_count is None:  # no attendance, and the statutes ask for no minimum
        return _("beschlussfähig: die Satzung verlangt keine Mindestzahl (%(members)s Mitglieder)") % {
            "members": motion.member_count
        }
    present = str(motion.present_count)
    verdict = _("beschlussfähig") if motion.quorum_met else _("nicht beschlussfähig")
    return _("%(verdict)s: %(present)s von %(members)s Mitgliedern anwesend, erforderlich %(required)s") % {
        "verdict": verdict,
        "present": present,
        "members": motion.member_count,
        "required": motion.quorum_required,
    }


def assembly_record_rows(*, record: Record) -> list[list[str]]:
    """The record as CSV rows (section, then fields), in the order of the printable page."""
    scheduled = record.assembly.scheduled_meeting
    rows = [
        [_("Versammlung"), scheduled.title],
        [_("Datum"), _t(scheduled.start_at)],
        [_("Eingeladen am"), _t(record.assembly.invited_at)],
        [_("Versammlungsleitung"), record.chair],
        [],
        [_("Anwesenheit"), _("Name"), _("Mitglied"), _("von"), _("bis")],
    ]
    if record.assembly.attendance_deleted_at:
        rows.append(
            [
                _("Anwesenheit"),
                _("gelöscht am %(date)s (Aufbewahrungsfrist)") % {"date": _t(record.assembly.attendance_deleted_at)},
            ]
        )
    for p in record.presences:
        rows.append(
            [_("Anwesenheit"), p.display_name, _("ja") if p.is_member else _("Gast"), _t(p.joined_at), _t(p.left_at)]
        )
    rows.append([])
    rows.append(
        [_("Abstimmung"), _("Antrag"), _("Art"), _("geöffnet"), _("geschlossen"), _("Beschlussfähigkeit"), _("Stimmen")]
    )
    for v in record.motions:
        m = v.motion
        kind = _("geheim") if m.secret else _("offen")
        rows.append(
            [_("Abstimmung"), m.title, kind, _t(m.opened_at), _t(m.closed_at), _quorum_text(m), str(m.voter_count)]
        )
        for option, count in v.results:
            rows.append([_("Ergebnis"), m.title, option.display_label, str(count)])
    return rows
