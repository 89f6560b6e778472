from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.i18n import set_language as django_set_language

from clubs.tenancy import public_view
from pages.models import LegalPage


@public_view
def legal_page(request: HttpRequest, kind: str) -> HttpResponse:
    page = get_object_or_404(LegalPage, kind=kind)
    title, body, text_language = page.localized()
    return render(
        request, "pages/legal.html", {"page": page, "title": title, "body": body, "text_language": text_language}
    )


@public_view
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and for a logged-in user the choice is stored on the account as well."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if (
        request.method == "POST"
        and user.is_authenticated
        and language in dict(settings.LANGUAGES)
        and user.language != language
    ):
        user.language = language
        user.save(update_fields=["language"])
    return response
