"""The admin index: the service's figures at a glance above the list of models."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from herzdigital.overview import service_overview

_original_index = admin.site.index


def index_with_overview(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """The admin index with the service's figures at a glance (aggregates, constant queries)."""
    return _original_index(request, {**(extra_context or {}), "overview": service_overview()})


admin.site.index = index_with_overview
# The wide lists (usage, health) need the room; the index lists every model for navigation.
admin.site.enable_nav_sidebar = False
