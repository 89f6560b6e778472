"""The logged-in person's own account: profile, language, data export, deletion."""

from __future__ import annotations

import json

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from accounts import services
from accounts.forms import DeleteAccountForm, ProfileForm
from clubs.tenancy import account_view, public_view


def _with_language_cookie(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@account_view
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, initial={"name": user.name, "language": user.language})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            translation.activate(user.language)
            messages.success(request, _("Ihr Profil ist gespeichert."))
            return _with_language_cookie(redirect("accounts:profile"), user.language)
    blocking = services.clubs_blocking_deletion(user=user)
    return render(request, "accounts/profile.html", {"form": form, "blocking_clubs": blocking})


@account_view
def export(request: HttpRequest) -> HttpResponse:
    data = services.user_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"herzdigital-daten-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@account_view
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    user = request.user
    blocking = services.clubs_blocking_deletion(user=user)
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and not ratelimit.consume(request, action="account_delete", user=user):
        messages.error(
            request, _("Zu viele Versuche. Bitte warten Sie eine Viertelstunde und versuchen Sie es dann erneut.")
        )
        context = {"form": DeleteAccountForm(user=user), "blocking_clubs": blocking}
        return render(request, "accounts/delete.html", context, status=429)
    if request.method == "POST" and not blocking and form.is_valid():
        try:
            services.user_delete(user=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(request, _("Ihr Konto und Ihre persönlichen Daten sind gelöscht."))
            return redirect("home")
    return render(request, "accounts/delete.html", {"form": form, "blocking_clubs": blocking})


@public_view
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (session/cookie), and the choice is kept on the account when logged in."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_set_language(user=request.user, language=language)
    return response
