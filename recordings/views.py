"""Recording pages of a club: list (per club and per room), rename, publish, protect, delete.

Page views read the database only (rule 2); BBB is called by the services behind the actions.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from clubs import permissions
from clubs.tenancy import club_view, public_view
from meetings.sync import CallbackRejected
from meetings.views.callbacks import rejected
from recordings import callbacks, cleanup, services
from recordings.models import Recording
from recordings.quotas import storage_usage

PAGE_SIZE = 50


class RenameForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Neuer Name"),
        max_length=255,
        error_messages={
            "required": gettext_lazy("Bitte geben Sie einen Namen ein."),
            "max_length": gettext_lazy("Der Name darf höchstens %(limit_value)d Zeichen lang sein."),
        },
    )


def _recording(request: HttpRequest, recording_id: int) -> Recording:
    return get_object_or_404(
        request.club.recordings.select_related("room", "server").filter(deleted_at__isnull=True), pk=recording_id
    )


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("recordings:list", kwargs={"club_slug": request.club.slug})
    return HttpResponseRedirect(target)


@club_view(permissions.can_view_recordings)
def recording_list(request: HttpRequest, friendly_id: str | None = None) -> HttpResponse:
    club = request.club
    room = get_object_or_404(club.rooms, friendly_id=friendly_id) if friendly_id else None
    queryset = club.recordings.filter(deleted_at__isnull=True).select_related("room").order_by("-started_at", "-pk")
    if room is not None:
        queryset = queryset.filter(room=room)
    expiring_soon = request.GET.get("ablauf") == "bald"
    retention = cleanup.club_retention_days(club)
    if expiring_soon:
        if retention is None:
            queryset = queryset.none()
        else:
            horizon = timezone.now() + timedelta(days=settings.RECORDING_DELETION_NOTICE_DAYS - retention)
            queryset = queryset.filter(protected=False, started_at__lt=horizon)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("seite"))
    rows = []
    for recording in page:
        recording.club = club  # same club: spares a query per row
        rows.append((recording, cleanup.recording_deletion_date(recording)))
    context = {
        "room": room,
        "rows": rows,
        "page": page,
        "retention_days": retention,
        "expiring_soon": expiring_soon,
        "storage": storage_usage(club=club),
        "can_manage": permissions.can_manage_recordings(request.membership),
    }
    return render(request, "recordings/list.html", context)


@club_view(permissions.can_manage_recordings)
@require_http_methods(["GET", "POST"])
def recording_rename(request: HttpRequest, recording_id: int) -> HttpResponse:
    recording = _recording(request, recording_id)
    form = RenameForm(request.POST or None, initial={"name": recording.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.recording_rename(recording=recording, actor=request.user, name=form.cleaned_data["name"])
        except services.RecordingActionFailed as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Die Aufzeichnung heißt jetzt „%(name)s“.") % {"name": recording.name})
            return _back(request)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    return render(request, "recordings/rename.html", {"recording": recording, "form": form, "next": next_url})


@club_view(permissions.can_manage_recordings)
def recording_publish(request: HttpRequest, recording_id: int) -> HttpResponse:
    recording = _recording(request, recording_id)  # another club's id: 404 whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    published = request.POST.get("published") == "1"
    try:
        services.recording_set_published(recording=recording, actor=request.user, published=published)
    except services.RecordingActionFailed as exc:
        messages.error(request, str(exc))
    else:
        if published:
            messages.success(request, _("Die Aufzeichnung ist jetzt veröffentlicht."))
        else:
            messages.success(request, _("Die Aufzeichnung ist jetzt nicht mehr veröffentlicht."))
    return _back(request)


@club_view(permissions.can_manage_recordings)
def recording_protect(request: HttpRequest, recording_id: int) -> HttpResponse:
    recording = _recording(request, recording_id)  # another club's id: 404 whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    protected = request.POST.get("protected") == "1"
    try:
        services.recording_set_protected(recording=recording, actor=request.user, protected=protected)
    except services.RecordingActionFailed as exc:
        messages.error(request, str(exc))
    else:
        _protected_message(request, protected)
    return _back(request)


def _protected_message(request: HttpRequest, protected: bool) -> None:
    if protected:
        messages.success(request, _("Die Aufzeichnung ist vor dem automatischen Löschen geschützt."))
    else:
        messages.success(request, _("Der Schutz wurde aufgehoben. Die Aufbewahrungsfrist gilt wieder."))


@club_view(permissions.can_manage_recordings)
@require_http_methods(["GET", "POST"])
def recording_delete(request: HttpRequest, recording_id: int) -> HttpResponse:
    recording = _recording(request, recording_id)
    if request.method == "POST":
        try:
            services.recording_delete(recording=recording, actor=request.user, reason="deleted by the club")
        except services.RecordingActionFailed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Die Aufzeichnung „%(name)s“ wurde gelöscht.") % {"name": recording.name})
            return HttpResponseRedirect(reverse("recordings:list", kwargs={"club_slug": request.club.slug}))
    return render(request, "recordings/delete.html", {"recording": recording})


# -- BBB -> us ------------------------------------------------------------------------------------


@public_view
@csrf_exempt
@require_POST
def callback_recording_ready(request: HttpRequest, server_id: int) -> HttpResponse:
    try:
        callbacks.recording_ready_accept(
            server_id=server_id, signed_parameters=request.POST.get("signed_parameters", "")
        )
    except CallbackRejected as exc:
        return rejected(exc, "recording-ready")
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bbb/callback/aufzeichnung/<int:server_id>/", callback_recording_ready, name="callback_ready"),
    path("c/<slug:club_slug>/aufzeichnungen/", recording_list, name="list"),
    path("c/<slug:club_slug>/aufzeichnungen/raum/<str:friendly_id>/", recording_list, name="room"),
    path("c/<slug:club_slug>/aufzeichnungen/<int:recording_id>/umbenennen/", recording_rename, name="rename"),
    path(
        "c/<slug:club_slug>/aufzeichnungen/<int:recording_id>/veroeffentlichen/",
        recording_publish,
        name="publish",
    ),
    path("c/<slug:club_slug>/aufzeichnungen/<int:recording_id>/schuetzen/", recording_protect, name="protect"),
    path("c/<slug:club_slug>/aufzeichnungen/<int:recording_id>/loeschen/", recording_delete, name="delete"),
]
