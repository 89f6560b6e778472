"""Pages of scheduled meetings (the club's calendar) and the secret per-club iCal feed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clubs import permissions
from clubs.tenancy import club_view, public_view
from events import calendar as club_calendars
from events import services
from events.forms import ScheduledMeetingForm
from events.links import absolute_url, room_public_url
from events.models import ScheduledMeeting
from events.occurrences import first_occurrences


def _scheduled(request: HttpRequest, scheduled_meeting_id: int) -> ScheduledMeeting:
    return get_object_or_404(request.club.scheduled_meetings.select_related("room", "club"), pk=scheduled_meeting_id)


def _feed_url(club: object) -> str:
    return absolute_url(reverse("events:feed", kwargs={"calendar_token": club.calendar_token}))


def _apply_service_errors(form: ScheduledMeetingForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@club_view(permissions.can_view_club)
def calendar(request: HttpRequest) -> HttpResponse:
    data = club_calendars.club_calendar(club=request.club)
    return render(
        request,
        "events/calendar.html",
        {
            "upcoming": data.upcoming,
            "past": data.past,
            "feed_url": _feed_url(request.club),
            "can_schedule": permissions.can_schedule_meetings(request.membership),
        },
    )


@club_view(permissions.can_schedule_meetings)
def create(request: HttpRequest) -> HttpResponse:
    form = ScheduledMeetingForm(request.POST or None, club=request.club)
    if request.method == "POST" and form.is_valid():
        try:
            scheduled = services.scheduled_meeting_create(
                club=request.club,
                created_by=request.user,
                member_ids=form.member_ids(),
                guest_emails=form.cleaned_data["guest_emails"],
                **form.event_fields(),
            )
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, _("Der Termin ist geplant. Die Einladungen werden jetzt versandt."))
            return redirect("events:detail", club_slug=request.club.slug, scheduled_meeting_id=scheduled.pk)
    has_rooms = request.club.rooms.exists()
    return render(request, "events/form.html", {"form": form, "scheduled": None, "has_rooms": has_rooms})


@club_view(permissions.can_view_club)
def detail(request: HttpRequest, scheduled_meeting_id: int) -> HttpResponse:
    scheduled = _scheduled(request, scheduled_meeting_id)
    can_schedule = permissions.can_schedule_meetings(request.membership)
    invitees = list(scheduled.invitees.filter(removed_at__isnull=True)) if can_schedule else []
    return render(
        request,
        "events/detail.html",
        {
            "scheduled": scheduled,
            "occurrences": first_occurrences(scheduled, timezone.now(), 10),
            "invitees": invitees,
            "can_schedule": can_schedule,
            "room_url": room_public_url(scheduled.room),
        },
    )


@club_view(permissions.can_schedule_meetings)
def edit(request: HttpRequest, scheduled_meeting_id: int) -> HttpResponse:
    scheduled = _scheduled(request, scheduled_meeting_id)
    if scheduled.is_cancelled:
        messages.error(request, _("Dieser Termin ist abgesagt und kann nicht mehr geändert werden."))
        return redirect("events:detail", club_slug=request.club.slug, scheduled_meeting_id=scheduled.pk)
    form = ScheduledMeetingForm(request.POST or None, club=request.club, instance=scheduled)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.scheduled_meeting_update(
                scheduled=scheduled,
                changed_by=request.user,
                member_ids=form.member_ids(),
                guest_emails=form.cleaned_data["guest_emails"],
                **form.event_fields(),
            )
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            if changed:
                messages.success(request, _("Der Termin ist geändert. Die Eingeladenen erhalten eine Aktualisierung."))
            else:
                messages.info(request, _("Sie haben nichts geändert."))
            return redirect("events:detail", club_slug=request.club.slug, scheduled_meeting_id=scheduled.pk)
    return render(request, "events/form.html", {"form": form, "scheduled": scheduled, "has_rooms": True})


@club_view(permissions.can_schedule_meetings)
def cancel(request: HttpRequest, scheduled_meeting_id: int) -> HttpResponse:
    scheduled = _scheduled(request, scheduled_meeting_id)
    if request.method == "POST":
        if services.scheduled_meeting_cancel(scheduled=scheduled, cancelled_by=request.user):
            messages.success(request, _("Der Termin ist abgesagt. Alle Eingeladenen werden benachrichtigt."))
        else:
            messages.info(request, _("Dieser Termin war bereits abgesagt."))
        return redirect("events:calendar", club_slug=request.club.slug)
    invitee_count = scheduled.invitees.filter(removed_at__isnull=True).count()
    return render(request, "events/cancel.html", {"scheduled": scheduled, "invitee_count": invitee_count})


@club_view(permissions.can_schedule_meetings)
def feed_regenerate(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        club_calendars.club_calendar_token_regenerate(club=request.club, actor=request.user)
        messages.success(request, _("Der Kalender-Link ist neu erzeugt. Der bisherige Link funktioniert nicht mehr."))
        return redirect("events:calendar", club_slug=request.club.slug)
    return render(request, "events/feed_regenerate.html", {"feed_url": _feed_url(request.club)})


@public_view
def feed(request: HttpRequest, calendar_token: str) -> HttpResponse:
    """The club's calendar for subscription; whoever knows the secret URL may read it."""
    club = club_calendars.club_for_feed_token(calendar_token)
    if club is None:
        raise Http404
    response = HttpResponse(club_calendars.club_feed(club=club), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="termine.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
