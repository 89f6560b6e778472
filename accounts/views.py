from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clubs.tenancy import account_view


@account_view
def profile(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/profile.html")
