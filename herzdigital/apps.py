from __future__ import annotations

from django.apps import AppConfig


class HerzdigitalConfig(AppConfig):
    name = "herzdigital"

    def ready(self) -> None:
        from herzdigital import checks  # noqa: F401  (registers the system checks)
