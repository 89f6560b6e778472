"""Pages of the general assembly: planning, the chair's desk, the members' vote page, the record.

All of them read the database only; a ballot costs no BBB call (rule 2).
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assemblies import record, services
from assemblies.forms import AssemblyForm, MotionForm, RulesForm
from assemblies.models import Assembly, Motion
from clubs import permissions
from clubs.tenancy import club_view, resolve_club


def assembly_view(allowed: Callable[[Any, Any], bool]) -> Callable:
    """A club page about one scheduled meeting's assembly, judged against the meeting's room.

    The view is called as ``view(request, scheduled, assembly)``; ``assembly`` is None while the
    meeting is not (yet) an assembly. The marker is the one ``room_view`` sets (permission matrix).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, club_slug: str, scheduled_meeting_id: int, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            resolve_club(request, club_slug)
            scheduled = request.club.scheduled_meetings.select_related("room", "club").filter(pk=scheduled_meeting_id)
            scheduled = scheduled.first()
            if scheduled is None:
                raise Http404
            if not allowed(request.membership, scheduled.room):
                raise PermissionDenied
            assembly = Assembly.objects.filter(scheduled_meeting=scheduled).select_related("club", "chair").first()
            return view(request, scheduled, assembly, **kwargs)

        wrapped.access = "club"
        wrapped.club_permission = None
        wrapped.room_permission = allowed
        return wrapped

    return decorator


def _to_detail(scheduled: Any) -> HttpResponse:
    return redirect("assemblies:detail", club_slug=scheduled.club.slug, scheduled_meeting_id=scheduled.pk)


def _motion(assembly: Assembly | None, motion_id: int) -> Motion:
    motion = assembly.motions.filter(pk=motion_id).first() if assembly else None
    if motion is None:
        raise Http404
    return motion


def _receipt_cookie(motion: Motion) -> str:
    return f"hd_ballot_{motion.pk}"


@club_view(permissions.can_edit_club_settings)
def rules(request: HttpRequest) -> HttpResponse:
    current = services.assembly_rules_get(club=request.club)
    form = RulesForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.assembly_rules_update(club=request.club, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("quorum_value" if hasattr(exc, "error_dict") else None, exc.messages)
        else:
            messages.success(request, _("Die Regeln für die Mitgliederversammlung sind gespeichert."))
            return redirect("assemblies:rules", club_slug=request.club.slug)
    return render(request, "assemblies/rules.html", {"form": form})


@assembly_view(permissions.can_plan_assembly)
def plan(request: HttpRequest, scheduled: Any, assembly: Assembly | None) -> HttpResponse:
    initial = {"agenda": "\n".join(i.title for i in assembly.agenda.all())} if assembly else {}
    if assembly:
        initial["attendance_enabled"] = assembly.attendance_enabled
    form = AssemblyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        args = {"attendance_enabled": form.cleaned_data["attendance_enabled"], "agenda": form.agenda_items()}
        try:
            if assembly is None:
                services.assembly_plan(scheduled=scheduled, actor=request.user, **args)
                done = _("Die Mitgliederversammlung ist geplant. Die Einladung geht jetzt an alle Mitglieder.")
            elif services.assembly_update(assembly=assembly, **args):
                done = _("Die Mitgliederversammlung ist gespeichert. Die Eingeladenen erhalten eine Aktualisierung.")
            else:
                done = _("Sie haben nichts geändert.")
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, done)
            return _to_detail(scheduled)
    rules = services.assembly_rules_get(club=request.club)
    return render(
        request, "assemblies/plan.html", {"form": form, "scheduled": scheduled, "assembly": assembly, "rules": rules}
    )


@assembly_view(permissions.can_view_room)
def detail(request: HttpRequest, scheduled: Any, assembly: Assembly | None) -> HttpResponse:
    """The members' page beside BBB: the agenda, the running vote, the results of closed votes."""
    if assembly is None:
        return redirect("events:detail", club_slug=scheduled.club.slug, scheduled_meeting_id=scheduled.pk)
    context = record.vote_page(assembly=assembly, user=request.user, cookies=request.COOKIES)
    context["is_chair"] = permissions.can_chair_assembly(request.membership, scheduled.room)
    return render(request, "assemblies/detail.html", {"scheduled": scheduled, "assembly": assembly, **context})


@assembly_view(permissions.can_view_room)
def ballot(request: HttpRequest, scheduled: Any, assembly: Assembly | None, motion_id: int) -> HttpResponse:
    motion = _motion(assembly, motion_id)
    if request.method != "POST":
        return _to_detail(scheduled)
    cookie = _receipt_cookie(motion)
    try:
        option_id = int(request.POST.get("option", ""))
        receipt = services.ballot_cast(
            motion=motion, user=request.user, option_id=option_id, receipt=request.COOKIES.get(cookie, "")
        )
    except ValueError:
        messages.error(request, _("Bitte wählen Sie eine der angebotenen Antworten."))
        return _to_detail(scheduled)
    except services.VoteRefused as exc:
        messages.error(request, str(exc))
        return _to_detail(scheduled)
    messages.success(request, _("Ihre Stimme ist gezählt. Bis zum Schluss der Abstimmung können Sie sie ändern."))
    response = _to_detail(scheduled)
    if receipt:
        response.set_cookie(
            cookie, receipt, max_age=2 * 86400, httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
        )
    return response


@assembly_view(permissions.can_chair_assembly)
def chair(request: HttpRequest, scheduled: Any, assembly: Assembly | None) -> HttpResponse:
    if assembly is None:
        return redirect("assemblies:plan", club_slug=scheduled.club.slug, scheduled_meeting_id=scheduled.pk)
    form = MotionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.motion_create(
                assembly=assembly,
                actor=request.user,
                title=form.cleaned_data["title"],
                options=form.cleaned_data["options"].splitlines(),
                secret=form.cleaned_data["secret"],
            )
        except ValidationError as exc:
            form.add_error("options", exc.messages)
        else:
            return redirect("assemblies:chair", club_slug=scheduled.club.slug, scheduled_meeting_id=scheduled.pk)
    context = record.chair_page(assembly=assembly)
    return render(
        request, "assemblies/chair.html", {"scheduled": scheduled, "assembly": assembly, "form": form, **context}
    )


@assembly_view(permissions.can_chair_assembly)
def motion_step(request: HttpRequest, scheduled: Any, assembly: Assembly | None, motion_id: int) -> HttpResponse:
    """Open (``action=open``) or close (``action=close``) a vote."""
    motion = _motion(assembly, motion_id)
    if request.method != "POST":
        return redirect("assemblies:chair", club_slug=scheduled.club.slug, scheduled_meeting_id=scheduled.pk)
    step = services.motion_open if request.POST.get("action") == "open" else services.motion_close
    try:
        step(motion=motion, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("assemblies:chair", club_slug=scheduled.club.slug, scheduled_meeting_id=scheduled.pk)


@assembly_view(permissions.can_view_assembly_record)
def minutes(request: HttpRequest, scheduled: Any, assembly: Assembly | None) -> HttpResponse:
    if assembly is None:
        return redirect("assemblies:chair", club_slug=scheduled.club.slug, scheduled_meeting_id=scheduled.pk)
    data = record.assembly_record(assembly=assembly)
    return render(request, "assemblies/record.html", {"scheduled": scheduled, "assembly": assembly, "record": data})


@assembly_view(permissions.can_view_assembly_record)
def minutes_csv(request: HttpRequest, scheduled: Any, assembly: Assembly | None) -> HttpResponse:
    if assembly is None:
        return redirect("assemblies:chair", club_slug=scheduled.club.slug, scheduled_meeting_id=scheduled.pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="versammlung-{scheduled.start_at:%Y-%m-%d}.csv"'
    writer = csv.writer(response, delimiter=";")
    for row in record.assembly_record_rows(record=record.assembly_record(assembly=assembly)):
        writer.writerow(row)
    return response
