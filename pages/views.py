from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clubs.tenancy import public_view
from pages.services import legal_page_get


@public_view
def legal_page(request: HttpRequest, kind: str) -> HttpResponse:
    page = legal_page_get(kind=kind)
    title, body, text_language = page.localized()
    return render(
        request, "pages/legal.html", {"page": page, "title": title, "body": body, "text_language": text_language}
    )
