"""Club pages: registration, dashboard, members and invitations, settings, ownership, closing."""

from __future__ import annotations

from typing import Any

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods

from accounts.addresses import address_add_for_verification, address_has_verified
from clubs import invitations, permissions, selectors, services
from clubs.forms import (
    ClubRegistrationForm,
    ClubSettingsForm,
    ConfirmNameForm,
    InvitationAcceptForm,
    InvitationForm,
    RoleForm,
    TransferForm,
)
from clubs.models import Invitation, Membership
from clubs.tenancy import club_view, public_view

TOO_MANY_INVITATIONS = gettext_noop(
    "Sie haben in kurzer Zeit sehr viele Einladungen verschickt. Bitte warten Sie eine Stunde und versuchen "
    "Sie es dann erneut."
)


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _members_url(request: HttpRequest) -> str:
    return reverse("clubs:members", kwargs={"club_slug": request.club.slug})


# --- registration (public) -----------------------------------------------------------------------


@public_view
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Anyone may register a club; a logged-in person registers it with her own account."""
    form = ClubRegistrationForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not ratelimit.consume(request, action="signup"):
            messages.error(
                request, _("Zu viele Anmeldungen von Ihrem Anschluss. Bitte versuchen Sie es später erneut.")
            )
            return render(request, "clubs/register.html", {"form": form}, status=429)
        if form.is_valid():
            try:
                return _register_valid(request, form.cleaned_data)
            except ValidationError as error:
                form.field_errors_from(error)
    return render(request, "clubs/register.html", {"form": form})


def _register_valid(request: HttpRequest, data: dict) -> HttpResponse:
    fields = {k: data[k] for k in ("name", "kind", "contact_name", "description", "phone")}
    if request.user.is_authenticated:
        club = services.club_register_for_user(user=request.user, **fields)
        messages.success(request, _("Ihr Verein „%(name)s“ ist angemeldet.") % {"name": club.name})
        return redirect("clubs:dashboard", club_slug=club.slug)
    language = translation.get_language() or "de"
    services.club_register(email=data["email"], password=data["password1"], language=language, **fields)
    # The same answer whether or not the address already had an account (the mail tells that person).
    request.session["club_registered_email"] = data["email"]
    return redirect("clubs:register_done")


@public_view
def register_done(request: HttpRequest) -> HttpResponse:
    email = request.session.get("club_registered_email", "")
    return render(request, "clubs/register_done.html", {"email": email})


# --- dashboard -----------------------------------------------------------------------------------


@club_view(permissions.can_view_club)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "clubs/dashboard.html", selectors.club_dashboard(club=request.club))


# --- members and invitations ---------------------------------------------------------------------


@club_view(permissions.can_view_club)
def members(request: HttpRequest) -> HttpResponse:
    club, me = request.club, request.membership
    memberships = list(club.memberships.select_related("user").order_by("user__name", "user__email"))
    for m in memberships:
        m.manageable = m.pk != me.pk and permissions.can_manage_member(me, m)
    invitations = []
    if permissions.can_manage_members(me):
        invitations = list(
            club.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
            .select_related("invited_by")
            .order_by("email")
        )
    form = InvitationForm(membership=me) if permissions.can_manage_members(me) and club.is_active else None
    return render(
        request,
        "clubs/members.html",
        {"memberships": memberships, "invitations": invitations, "invite_form": form, "me": me},
    )


@club_view(permissions.can_manage_members)
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and not ratelimit.consume(request, action="club_invite", user=request.user):
        messages.error(request, _(TOO_MANY_INVITATIONS))
        return render(request, "clubs/invite.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invitation_create(
                club=request.club, actor=request.user, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Die Einladung an %(email)s ist verschickt.") % {"email": invitation.email})
            return redirect(_members_url(request))
    return render(request, "clubs/invite.html", {"form": form})


def _open_invitation(request: HttpRequest, invitation_id: int) -> Invitation:
    return get_object_or_404(
        request.club.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True), pk=invitation_id
    )


@club_view(permissions.can_manage_members)
@require_http_methods(["GET", "POST"])
def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _open_invitation(request, invitation_id)
    if request.method == "POST":
        if not ratelimit.consume(request, action="club_invite", user=request.user):
            messages.error(request, _(TOO_MANY_INVITATIONS))
            return redirect(_members_url(request))
        try:
            invitations.invitation_resend(invitation=invitation, actor=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request, _("Die Einladung an %(email)s ist erneut verschickt.") % {"email": invitation.email}
            )
        return redirect(_members_url(request))
    return render(request, "clubs/invitation_confirm.html", {"invitation": invitation, "action": "resend"})


@club_view(permissions.can_manage_members)
@require_http_methods(["GET", "POST"])
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = _open_invitation(request, invitation_id)
    if request.method == "POST":
        try:
            invitations.invitation_revoke(invitation=invitation, actor=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Die Einladung an %(email)s ist zurückgezogen.") % {"email": invitation.email})
        return redirect(_members_url(request))
    return render(request, "clubs/invitation_confirm.html", {"invitation": invitation, "action": "revoke"})


def _managed_membership(request: HttpRequest, membership_id: int) -> Membership:
    target = get_object_or_404(request.club.memberships.select_related("user"), pk=membership_id)
    if not permissions.can_manage_member(request.membership, target):
        raise PermissionDenied
    return target


@club_view(permissions.can_manage_members)
@require_http_methods(["GET", "POST"])
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    target = _managed_membership(request, membership_id)
    form = RoleForm(request.POST or None, membership=request.membership, initial={"role": target.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_change_role(membership=target, actor=request.user, role=form.cleaned_data["role"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Die Rolle von %(name)s ist geändert.") % {"name": target.user.display_name})
            if target.pk == request.membership.pk:
                return redirect("clubs:dashboard", club_slug=request.club.slug)
            return redirect(_members_url(request))
    return render(request, "clubs/member_role.html", {"form": form, "target": target})


@club_view(permissions.can_manage_members)
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    target = _managed_membership(request, membership_id)
    error_message = ""
    if request.method == "POST":
        try:
            services.membership_remove(membership=target, actor=request.user)
        except ValidationError as error:
            error_message = _error_text(error)
        else:
            messages.success(
                request, _("%(name)s ist nicht mehr Mitglied des Vereins.") % {"name": target.user.display_name}
            )
            if target.pk == request.membership.pk:
                return redirect("home")
            return redirect(_members_url(request))
    return render(request, "clubs/member_remove.html", {"target": target, "error_message": error_message}, status=200)


@club_view(permissions.can_leave_club)
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest) -> HttpResponse:
    error_message = ""
    if request.method == "POST":
        try:
            services.membership_remove(membership=request.membership, actor=request.user)
        except ValidationError as error:
            error_message = _error_text(error)
        else:
            messages.success(request, _("Sie haben den Verein „%(name)s“ verlassen.") % {"name": request.club.name})
            return redirect("home")
    return render(request, "clubs/leave.html", {"error_message": error_message})


# --- settings, ownership, closing ----------------------------------------------------------------


@club_view(permissions.can_edit_club_settings)
@require_http_methods(["GET", "POST"])
def club_settings(request: HttpRequest) -> HttpResponse:
    club = request.club
    form = ClubSettingsForm(request.POST or None, club=club)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.club_update(club=club, actor=request.user, **data)
        except ValidationError as error:
            club.refresh_from_db()
            form.add_error(None, error)
        else:
            messages.success(request, _("Die Einstellungen sind gespeichert."))
            return redirect("clubs:settings", club_slug=club.slug)
    room_count = club.rooms.count()
    running = club.meetings.filter(ended_at__isnull=True).count()
    quotas = selectors.club_quota_usage(club=club, room_count=room_count, running_count=running)
    return render(request, "clubs/settings.html", {"form": form, "quotas": quotas})


@club_view(permissions.can_transfer_ownership)
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest) -> HttpResponse:
    form = TransferForm(request.POST or None, club=request.club, exclude=request.membership)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["membership"]
        try:
            services.ownership_transfer(club=request.club, actor=request.user, to_membership=target)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s ist jetzt Inhaber/in des Vereins. Sie bleiben als Verwalter/in dabei.")
                % {"name": target.user.display_name},
            )
            return redirect("clubs:dashboard", club_slug=request.club.slug)
    return render(request, "clubs/transfer.html", {"form": form})


@club_view(permissions.can_close_club)
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest) -> HttpResponse:
    form = ConfirmNameForm(request.POST or None, club=request.club)
    if request.method == "POST" and form.is_valid():
        try:
            services.club_close(club=request.club, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Der Verein „%(name)s“ ist geschlossen.") % {"name": request.club.name})
            return redirect("home")
    return render(request, "clubs/close.html", {"form": form})


# --- accepting an invitation (public: the token is the key) --------------------------------------


def _invitation_add_address(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    """The logged-in account lacks the invited address: attach it and send its confirmation link."""
    address_add_for_verification(request=request, user=request.user, email=invitation.email)
    messages.success(
        request,
        _(
            "Wir haben einen Bestätigungslink an %(email)s geschickt. Öffnen Sie ihn und danach diese Einladung "
            "erneut, um sie anzunehmen."
        )
        % {"email": invitation.email},
    )
    return redirect("clubs:invitation_accept", token=invitation.token)


@public_view
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.select_related("club", "invited_by").filter(token=token).first()
    problem = invitations.invitation_problem(invitation)
    if problem:
        return render(
            request, "clubs/invitation_invalid.html", {"problem": problem}, status=404 if not invitation else 410
        )
    if request.method == "POST" and not ratelimit.consume(request, action="invitation_accept"):
        messages.error(request, _("Zu viele Versuche von Ihrem Anschluss. Bitte versuchen Sie es später erneut."))
        return redirect("clubs:invitation_accept", token=token)
    user = request.user if request.user.is_authenticated else None
    already_member = user is not None and invitation.club.memberships.filter(user=user).exists()
    needs_address = user is not None and not address_has_verified(user=user, email=invitation.email)
    if request.method == "POST" and needs_address and not already_member and request.POST.get("add_address"):
        return _invitation_add_address(request, invitation)
    needs_login = user is None and services.email_in_use(invitation.email)
    form = InvitationAcceptForm(request.POST or None) if user is None and not needs_login else None
    blocked = needs_login or already_member or needs_address
    if request.method == "POST" and not blocked and (form is None or form.is_valid()):
        response = _invitation_accept_post(request, invitation, form)
        if response is not None:
            return response
    login_url = reverse("account_login") + "?" + "next=" + request.path
    context = {"invitation": invitation, "form": form, "needs_login": needs_login, "login_url": login_url}
    context.update(already_member=already_member, needs_address=needs_address)
    return render(request, "clubs/invitation_accept.html", context)


def _invitation_accept_post(request: HttpRequest, invitation: Invitation, form: Any) -> HttpResponse | None:
    user = request.user if request.user.is_authenticated else None
    data = form.cleaned_data if form is not None else {}
    try:
        membership = invitations.invitation_accept(
            token=invitation.token,
            user=user,
            name=data.get("name", ""),
            password=data.get("password1", ""),
            language=data.get("language", ""),
        )
    except ValidationError as error:
        if form is not None and hasattr(error, "error_dict"):
            form.add_error(None, error)
            return None
        messages.error(request, _error_text(error))
        return redirect("clubs:invitation_accept", token=invitation.token)
    if user is None:
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Willkommen im Verein „%(name)s“!") % {"name": invitation.club.name})
    return redirect("clubs:dashboard", club_slug=invitation.club.slug)
