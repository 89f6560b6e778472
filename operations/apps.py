from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """What keeps the service running with few staff: alerts, digest, banner, metrics, data retention."""

    name = "operations"
    verbose_name = _("Betrieb")

    def ready(self) -> None:
        from operations import signals  # noqa: F401  (clears the banner cache when staff edit a notice)
