from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from clubs.tenancy import public_view
from pages.models import LegalPage


@public_view
def legal_page(request: HttpRequest, kind: str) -> HttpResponse:
    page = get_object_or_404(LegalPage, kind=kind)
    title, body, text_language = page.localized()
    return render(
        request, "pages/legal.html", {"page": page, "title": title, "body": body, "text_language": text_language}
    )
