from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssembliesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assemblies"
    verbose_name = _("Mitgliederversammlungen")

    def ready(self) -> None:
        from assemblies import attendance  # noqa: F401  (connects the sync signal)
