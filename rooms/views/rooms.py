"""Room pages of a club and the public join flow. Page views read the database only (rule 2)."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.db import transaction
from django.db.models import FilteredRelation, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clubs import permissions
from clubs.models import Club, Membership
from clubs.tenancy import club_view, public_view, room_view
from meetings import services as meeting_services
from meetings.callbacks import absolute_url
from meetings.models import Meeting
from rooms import access_codes, personal_links, presentations, quotas, services
from rooms.bbb_errors import join_problems
from rooms.forms import JoinForm, RoomDeleteForm, RoomForm
from rooms.models import Room

OPEN_MEETINGS = Prefetch(
    "meetings",
    queryset=Meeting.objects.filter(ended_at__isnull=True).select_related("server"),
    to_attr="open_meetings",
)


CODE_ACTIONS = {
    "viewer": gettext_lazy("Neuen Gästecode erzeugen?"),
    "moderator": gettext_lazy("Neuen Moderationscode erzeugen?"),
    "remove": gettext_lazy("Zugangscodes entfernen?"),
}


def _club_room(request: HttpRequest, room_id: int) -> Room:
    room = get_object_or_404(request.club.rooms.prefetch_related(OPEN_MEETINGS), pk=room_id)
    room.club = request.club
    return room


def _open_meeting(room: Room) -> Meeting | None:
    meetings = getattr(room, "open_meetings", None)
    if meetings is None:
        return room.meetings.filter(ended_at__isnull=True).select_related("server").first()
    return meetings[0] if meetings else None


def _unavailable_response(request: HttpRequest, *, retry_url: str, retry_data: dict[str, str]) -> HttpResponse:
    """BBB down, slow or refusing: a friendly page with a retry button (re-posts the same data)."""
    context = {"retry_url": retry_url, "retry_data": retry_data}
    return render(request, "rooms/unavailable.html", context, status=503)


def _public_url(room: Room) -> str:
    return absolute_url(reverse("rooms:public", kwargs={"friendly_id": room.friendly_id}))


# -- club pages --------------------------------------------------------------------------------


@club_view(permissions.can_view_club)
def room_list(request: HttpRequest) -> HttpResponse:
    rooms = list(request.club.rooms.prefetch_related(OPEN_MEETINGS, "hosts"))
    for room in rooms:
        room.meeting = _open_meeting(room)
        room.state = meeting_services.meeting_state(room.meeting)
        room._host_membership_ids = {host.pk for host in room.hosts.all()}  # permissions.room_host_ids reads this
        room.can_start = permissions.can_start_meeting(request.membership, room)  # the card's "Starten"
    return render(request, "rooms/list.html", {"rooms": rooms})


@club_view(permissions.can_manage_rooms)
@require_http_methods(["GET", "POST"])
def room_create(request: HttpRequest) -> HttpResponse:
    form = RoomForm(request.POST or None, request.FILES or None, club=request.club)
    if form.is_valid():
        upload = form.cleaned_data.get("presentation")
        try:
            with transaction.atomic():  # a refused presentation leaves no room behind
                room = services.room_create(club=request.club, actor=request.user, **form.settings())
                if upload:
                    presentations.presentation_add(room=room, actor=request.user, upload=upload)
        except quotas.QuotaExceeded as exc:
            form.add_error(exc.field, exc.message)
        except presentations.PresentationRefused as exc:
            form.add_error("presentation", exc.message)
        else:
            messages.success(request, _("Der Raum „%(name)s“ ist angelegt.") % {"name": room.name})
            return redirect("rooms:detail", club_slug=request.club.slug, room_id=room.pk)
    return render(request, "rooms/form.html", {"form": form})


@room_view(permissions.can_view_room)
def room_detail(request: HttpRequest, room: Room) -> HttpResponse:
    public_url = _public_url(room)
    meeting = _open_meeting(room)
    membership = request.membership
    hosts = list(room.hosts.select_related("user"))
    room._host_membership_ids = {host.pk for host in hosts}  # permissions.room_host_ids reads this
    context = {
        "room": room,
        "meeting": meeting,
        "state": meeting_services.meeting_state(meeting),
        "max_participants": quotas.effective_max_participants(room),
        "public_url": public_url,
        "qr_svg": mark_safe(segno.make(public_url, error="m").svg_inline(scale=4, title=room.name)),  # noqa: S308
        "records": quotas.records(room),
        "recording_refusal": quotas.recording_refusal(room),
        "hosts": hosts,
        "can_manage": permissions.can_manage_rooms(membership),
        "is_host": permissions.is_room_host(membership, room),
        "can_start": permissions.can_start_meeting(membership, room),
        "can_end": permissions.can_end_meeting(membership, room),
        "can_change_codes": permissions.can_change_room_codes(membership, room),
        "can_manage_links": permissions.can_manage_personal_links(membership, room),
        "can_manage_presentations": permissions.can_manage_presentations(membership, room),
        "dial_in": services.room_dial_in(room=room, meeting=meeting),
        "code_alert": access_codes.access_code_alert(room),
    }
    return render(request, "rooms/detail.html", _detail_lists(room, context))


def _detail_lists(room: Room, context: dict) -> dict:
    """The presentations and personal links the room page lists for those who manage them."""
    if context["can_manage_presentations"]:
        context["presentations"] = list(room.presentations.all())
    if context["can_manage_links"]:
        active = personal_links.personal_links_active(room=room)
        context["links"] = [(link, personal_links.personal_link_url(link)) for link in active]
    return context


@room_view(permissions.can_view_room)
def room_invitation(request: HttpRequest, room: Room) -> HttpResponse:
    """The printable invitation: room, link, QR code, the guests' code — never the moderator code."""
    public_url = _public_url(room)
    context = {
        "room": room,
        "public_url": public_url,
        "qr_svg": mark_safe(segno.make(public_url, error="m").svg_inline(scale=6, title=room.name)),  # noqa: S308
        "records": quotas.records(room),
        "dial_in": services.room_dial_in(room=room, meeting=_open_meeting(room)),
    }
    return render(request, "rooms/invitation.html", context)


@club_view(permissions.can_manage_rooms)
@require_http_methods(["GET", "POST"])
def room_edit(request: HttpRequest, room_id: int) -> HttpResponse:
    room = _club_room(request, room_id)
    form = RoomForm(request.POST or None, instance=room, club=request.club)
    if form.is_valid():
        settings = form.settings()
        room.refresh_from_db()  # the form wrote into the instance; the service compares and saves
        try:
            services.room_update(room=room, actor=request.user, **settings)
        except quotas.QuotaExceeded as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Die Einstellungen sind gespeichert."))
            return redirect("rooms:detail", club_slug=request.club.slug, room_id=room.pk)
    return render(request, "rooms/form.html", {"form": form, "room": room})


@room_view(permissions.can_change_room_codes)
@require_http_methods(["GET", "POST"])
def room_codes(request: HttpRequest, room: Room) -> HttpResponse:
    """New or removed access codes, after a confirmation step: old codes stop working for everyone at once."""
    which = request.POST.get("codes") or request.GET.get("codes", "")
    detail = redirect("rooms:detail", club_slug=request.club.slug, room_id=room.pk)
    if which == "unblock" and request.method == "POST":  # lifting blocks needs no confirmation: nothing is lost
        access_codes.access_codes_reset(room=room, actor=request.user)
        messages.success(request, _("Alle Sperren wegen falscher Zugangscodes sind für diesen Raum aufgehoben."))
        return detail
    if which not in CODE_ACTIONS:
        return detail
    if request.method == "POST" and request.POST.get("confirm"):
        if which == "remove":
            services.room_remove_codes(room=room, actor=request.user)
            messages.success(request, _("Die Zugangscodes sind entfernt. Jede Person mit dem Link kann teilnehmen."))
        else:
            services.room_regenerate_codes(
                room=room, actor=request.user, viewer=which == "viewer", moderator=which == "moderator"
            )
            messages.success(request, _("Neue Zugangscodes sind erzeugt. Die alten gelten nicht mehr."))
        return detail
    return render(request, "rooms/codes_confirm.html", {"room": room, "which": which, "title": CODE_ACTIONS[which]})


@club_view(permissions.can_manage_rooms)
@require_http_methods(["GET", "POST"])
def room_delete(request: HttpRequest, room_id: int) -> HttpResponse:
    room = _club_room(request, room_id)
    recording_count = room.recordings.filter(deleted_at__isnull=True).count()
    form = RoomDeleteForm(request.POST or None)
    if form.is_valid():
        try:
            services.room_delete(room=room, actor=request.user, recordings=form.cleaned_data["recordings"])
        except meeting_services.MeetingUnavailable:
            return _unavailable_response(request, retry_url=request.path, retry_data=dict(form.cleaned_data))
        messages.success(request, _("Der Raum „%(name)s“ ist gelöscht.") % {"name": room.name})
        return redirect("rooms:list", club_slug=request.club.slug)
    context = {"room": room, "form": form, "recording_count": recording_count, "meeting": _open_meeting(room)}
    return render(request, "rooms/delete.html", context)


@room_view(permissions.can_start_meeting)
@require_POST
def meeting_start(request: HttpRequest, room: Room) -> HttpResponse:
    if services.consent_missing(room=room, given=request.POST.get("consent")):
        messages.error(request, services.consent_message())
        return redirect("rooms:detail", club_slug=request.club.slug, room_id=room.pk)
    decision = services.member_join_decision(room=room, membership=request.membership)
    try:
        url = services.meeting_start(
            room=room,
            actor=request.user,
            display_name=services.display_name_for(request.user),
            role=decision.role,
            user_id=f"hd-{request.user.pk}",
        )
    except quotas.QuotaExceeded as exc:
        messages.error(request, exc.message)
        return redirect("rooms:detail", club_slug=request.club.slug, room_id=room.pk)
    except meeting_services.MeetingUnavailable:
        return _unavailable_response(request, retry_url=request.path, retry_data={})
    return HttpResponseRedirect(url)


@room_view(permissions.can_end_meeting)
@require_http_methods(["GET", "POST"])
def meeting_end(request: HttpRequest, room: Room) -> HttpResponse:
    meeting = _open_meeting(room)
    detail = redirect("rooms:detail", club_slug=request.club.slug, room_id=room.pk)
    if meeting is None:
        messages.info(request, _("Die Besprechung ist bereits beendet."))
        return detail
    if request.method == "POST":
        try:
            meeting_services.meeting_end(meeting=meeting, actor=request.user)
        except meeting_services.MeetingUnavailable:
            return _unavailable_response(request, retry_url=request.path, retry_data={})
        messages.success(request, _("Die Besprechung ist beendet."))
        return detail
    return render(request, "rooms/end.html", {"room": room, "meeting": meeting})


# -- public pages: join flow -------------------------------------------------------------------


# What the public pages (room page, waiting page, status poll, return page) read of a room and its
# club. A whole assembly opens the room page at once; compiling and loading every column of room,
# club, meeting and server, and a second query for the meeting, was a third of the page (issue 20).
PUBLIC_ROOM_FIELDS = [
    "name",
    "friendly_id",
    "welcome_text",
    "voice_bridge",
    "viewer_code",
    "moderator_code",
    "anyone_can_start",
    "members_can_start",
    "members_only",
    "record",
    "show_recordings_publicly",
    "club__name",
    "club__slug",
    "club__status",
    "club__recording_allowed",
]


def _public_room(friendly_id: str) -> Room:
    """The room with its club and its open meeting (and that meeting's server) in one query.

    The open meeting is unique (``one_open_meeting_per_room``), so joining it cannot repeat the room.
    """
    open_meeting = FilteredRelation("meetings", condition=Q(meetings__ended_at__isnull=True))
    room = get_object_or_404(
        Room.objects.annotate(open_meeting=open_meeting)
        .select_related("club", "open_meeting__server")
        .only(*PUBLIC_ROOM_FIELDS),
        friendly_id=services.friendly_id_normalise(friendly_id=friendly_id),
        club__status=Club.Status.ACTIVE,
    )
    meeting = getattr(room, "open_meeting", None)  # Django sets it only when there is one
    room.open_meetings = [meeting] if meeting else []  # what _open_meeting reads
    return room


def _membership(request: HttpRequest, room: Room) -> Membership | None:
    return services.room_membership(room=room, user=request.user)


def _may_start(room: Room, membership: Membership | None) -> bool:
    return permissions.can_start_meeting(membership, room) or room.anyone_can_start


def _members_only_response(request: HttpRequest, room: Room) -> HttpResponse:
    """A guest at a members-only room: say so and offer the login (no hint of codes or state)."""
    login = f"{reverse('account_login')}?next={reverse('rooms:public', kwargs={'friendly_id': room.friendly_id})}"
    return render(request, "rooms/members_only.html", {"room": room, "login_url": login}, status=403)


def _public_context(
    request: HttpRequest, room: Room, membership: Membership | None, form: JoinForm | None, **extra: Any
) -> dict:
    meeting = _open_meeting(room)
    return {
        "details_visible": access_codes.room_details_visible(request=request, room=room, member=membership is not None),
        "room": room,
        "meeting": meeting,
        "state": meeting_services.meeting_state(meeting),
        "membership": membership,
        "form": form,
        "records": quotas.records(room),
        "may_start": _may_start(room, membership),
        "dial_in": services.room_dial_in(room=room, meeting=meeting),
        **extra,
    }


@public_view
@require_GET
def public_room(request: HttpRequest, friendly_id: str) -> HttpResponse:
    canonical = services.friendly_id_normalise(friendly_id=friendly_id)
    if canonical != friendly_id:  # typed from a printed invitation: capitals, spaces
        return redirect("rooms:public", friendly_id=canonical)
    room = _public_room(friendly_id)
    membership = _membership(request, room)
    if room.members_only and membership is None:
        return _members_only_response(request, room)
    form = None if membership else JoinForm(room=room)
    return render(request, "rooms/public.html", _public_context(request, room, membership, form))


def _session_key(room: Room) -> str:
    return f"rooms:join:{room.pk}"


@public_view
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, friendly_id: str) -> HttpResponse:
    """Guests (name + code), members and personal-link holders join; start when allowed; else wait.

    Joining a running meeting is one lean query and a locally signed URL (zero BBB calls); a GET
    (reloading a failed attempt, a bookmark) goes back to the room page instead of a blank 405.
    """
    friendly_id = services.friendly_id_normalise(friendly_id=friendly_id)
    if request.method == "GET":
        return redirect("rooms:public", friendly_id=friendly_id)
    target = services.room_join_target(friendly_id=friendly_id)
    if target is None:
        raise Http404
    room, meeting = target
    membership = _membership(request, room)
    joiner = _joiner(request, room, membership)
    if isinstance(joiner, HttpResponse):
        return joiner  # back to the room page, or refused
    name, decision, stored = joiner
    via_link = bool(stored and stored.get("link"))
    user_id = stored.get("user_id") if stored else (f"hd-{request.user.pk}" if membership else None)
    may_start = stored.get("may_start", False) if via_link else _may_start(room, membership)

    def refused(message: str) -> HttpResponse:
        form = None if membership else JoinForm(room=room)
        return _public_page(request, friendly_id, form=form, status=409, refusal=message)

    return enter_meeting(
        request, room, meeting, name=name, decision=decision, user_id=user_id, may_start=may_start, refused=refused
    )


def _joiner(
    request: HttpRequest, room: Room, membership: Membership | None
) -> tuple[str, services.JoinDecision, dict | None] | HttpResponse:
    """Who joins with which role: resuming from the waiting page (maybe by personal link), a member, a guest."""
    resume = bool(request.POST.get("resume"))
    stored = request.session.get(_session_key(room)) if resume else None
    if resume and not stored:
        return redirect("rooms:public", friendly_id=room.friendly_id)
    via_link = bool(stored and stored.get("link"))
    if via_link and not personal_links.personal_link_is_usable(link_id=stored["link"]):
        del request.session[_session_key(room)]  # revoked or expired while waiting: its page says so
        return redirect("rooms:personal", link_token=stored["token"])
    if room.members_only and membership is None and not via_link:
        return _members_only_response(request, _public_room(room.friendly_id))
    if not stored and services.consent_missing(room=room, given=request.POST.get("consent")):
        form = None if membership else JoinForm(request.POST, room=room)
        return _public_page(request, room.friendly_id, form=form, status=400, refusal=services.consent_message())
    if stored:
        return stored["name"], services.JoinDecision(role=stored["role"], guest=stored["guest"]), stored
    if membership:
        decision = services.member_join_decision(room=room, membership=membership)
        return services.display_name_for(request.user), decision, None
    guest = _guest(request, room)
    return guest if isinstance(guest, HttpResponse) else (*guest, None)


def _guest(request: HttpRequest, room: Room) -> tuple[str, services.JoinDecision] | HttpResponse:
    """A guest's name and access code, checked (wrong codes are rate-limited: rooms/access_codes.py)."""
    coded = bool(room.viewer_code or room.moderator_code)
    if coded and access_codes.access_code_blocked(request=request, room=room):
        return render(request, "rooms/rate_limited.html", {"room": room}, status=429)
    form = JoinForm(request.POST, room=room)
    if not form.is_valid():
        return _public_page(request, room.friendly_id, form=form, status=400)
    decision = services.room_join_decide(room=room, code=form.cleaned_data.get("code", ""))
    if decision is None:
        return _wrong_code(request, room, form)
    if coded:
        access_codes.access_code_succeeded(request=request, room=room)
    return form.cleaned_data["name"], decision


def enter_meeting(
    request: HttpRequest,
    room: Room,
    meeting: Meeting | None,
    *,
    name: str,
    decision: services.JoinDecision,
    user_id: str | None,
    may_start: bool,
    refused: Any,
    link: Any = None,
) -> HttpResponse:
    """The common end of every join: into the running meeting, start it when allowed, else wait.

    Where to go is ``rooms.services.room_join_enter``'s decision. ``refused(message)`` renders the page
    to go back to when a quota forbids the start. For a personal link, the waiting page's session
    remembers the link, so that a resume re-checks it.
    """
    try:
        url = services.room_join_enter(
            room=room,
            meeting=meeting,
            actor=request.user,
            name=name,
            decision=decision,
            may_start=may_start,
            user_id=user_id,
        )
    except quotas.QuotaExceeded as exc:
        return refused(exc.message)
    except meeting_services.MeetingUnavailable:
        return _unavailable_response(request, retry_url=request.path, retry_data=_retry_data(request))
    if url is not None:
        return HttpResponseRedirect(url)
    # Only reached after the recording consent (where needed), so a resume need not ask again.
    pending = {"name": name, "role": decision.role, "guest": decision.guest, "user_id": user_id, "consent": True}
    if link is not None:
        pending.update(link=link.pk, token=link.token, may_start=may_start)
    request.session[_session_key(room)] = pending
    return redirect("rooms:waiting", friendly_id=room.friendly_id)


def _wrong_code(request: HttpRequest, room: Room, form: JoinForm) -> HttpResponse:
    if access_codes.access_code_failed(request=request, room=room):
        response = render(request, "rooms/rate_limited.html", {"room": room}, status=429)
    else:
        form.add_error("code", _("Der Zugangscode stimmt nicht. Bitte prüfen Sie die Einladung."))
        response = _public_page(request, room.friendly_id, form=form, status=400)
    return access_codes.remember_browser(request, response)


def _public_page(
    request: HttpRequest, friendly_id: str, *, form: JoinForm | None, status: int, **extra: Any
) -> HttpResponse:
    """The public room page again (full room loaded), e.g. with the form's errors."""
    room = _public_room(friendly_id)
    context = _public_context(request, room, _membership(request, room), form, **extra)
    return render(request, "rooms/public.html", context, status=status)


def _retry_data(request: HttpRequest) -> dict[str, str]:
    return {key: request.POST[key] for key in ("name", "code", "resume") if key in request.POST}


@public_view
@require_GET
def waiting(request: HttpRequest, friendly_id: str) -> HttpResponse:
    room = _public_room(friendly_id)
    stored = request.session.get(_session_key(room))
    if not stored:
        return redirect("rooms:public", friendly_id=room.friendly_id)
    return render(
        request, "rooms/waiting.html", {"room": room, "name": stored["name"], "records": quotas.records(room)}
    )


@public_view
@require_GET
@never_cache
def status(request: HttpRequest, friendly_id: str) -> JsonResponse:
    """The room's state from the database (polled by the waiting page; never asks BBB)."""
    room = _public_room(friendly_id)
    meeting = _open_meeting(room)
    answer = {"state": meeting_services.meeting_state(meeting), "joinable": meeting is not None}
    member = _membership(request, room) is not None
    if access_codes.room_details_visible(request=request, room=room, member=member):
        answer["participants"] = meeting.participant_count if meeting else 0
    return JsonResponse(answer)


@public_view
@require_GET
def returned(request: HttpRequest, friendly_id: str) -> HttpResponse:
    """Where BBB sends people back: after leaving (logoutURL) or with ``errors=`` when it refused the join."""
    room = _public_room(friendly_id)
    problems = join_problems(request.GET.get("errors"))
    return render(request, "rooms/returned.html", {"room": room, "problems": problems})


club_room = "c/<slug:club_slug>/raeume/<int:room_id>/"

urlpatterns = [
    path("c/<slug:club_slug>/raeume/", room_list, name="list"),
    path("c/<slug:club_slug>/raeume/neu/", room_create, name="create"),
    path(club_room, room_detail, name="detail"),
    path(f"{club_room}bearbeiten/", room_edit, name="edit"),
    path(f"{club_room}einladung/", room_invitation, name="invitation"),
    path(f"{club_room}codes/", room_codes, name="codes"),
    path(f"{club_room}loeschen/", room_delete, name="delete"),
    path(f"{club_room}starten/", meeting_start, name="start"),
    path(f"{club_room}beenden/", meeting_end, name="end"),
    path("r/<str:friendly_id>/", public_room, name="public"),
    path("r/<str:friendly_id>/beitreten/", join, name="join"),
    path("r/<str:friendly_id>/warten/", waiting, name="waiting"),
    path("r/<str:friendly_id>/status/", status, name="status"),
    path("r/<str:friendly_id>/zurueck/", returned, name="returned"),
]
