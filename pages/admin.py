from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from pages.models import LegalPage


@admin.register(LegalPage)
class LegalPageAdmin(admin.ModelAdmin):
    """The pages exist from the start (data migrations); staff edit them, never add or delete."""

    list_display = ["kind", "title_de", "updated_at"]
    readonly_fields = ["kind", "updated_at"]
    fieldsets = [
        (None, {"fields": ["kind", "updated_at"]}),
        ("Deutsch", {"fields": ["title_de", "body_de"]}),
        ("English", {"fields": ["title_en", "body_en"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: LegalPage | None = None) -> bool:
        return False
