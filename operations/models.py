"""Service-wide operations data: the maintenance banner and the counters behind /metrics."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class MaintenanceNotice(models.Model):
    """A banner staff write in the admin; every page (and the public room page) shows it from/to."""

    text = models.CharField(
        _("Hinweistext"),
        max_length=300,
        help_text=_("z. B. „Am Samstag von 8 bis 10 Uhr sind keine Besprechungen möglich.“"),
    )
    shows_from = models.DateTimeField(_("Anzeigen ab"))
    shows_until = models.DateTimeField(_("Anzeigen bis"))
    created_at = models.DateTimeField(_("Angelegt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Wartungshinweis")
        verbose_name_plural = _("Wartungshinweise")
        ordering = ["shows_from"]
        constraints = [
            models.CheckConstraint(condition=Q(shows_until__gt=F("shows_from")), name="notice_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.text


class MetricCounter(models.Model):
    """A monotonic counter shared by every process (workers write, web serves /metrics).

    In the database rather than in process memory: several web and worker machines must agree, and a
    restart must not reset it (operations/counters.py increments with one conditional UPDATE).
    """

    name = models.CharField(max_length=80)
    label = models.CharField(max_length=120, blank=True)
    value = models.FloatField(default=0)

    class Meta:
        verbose_name = _("Zähler")
        verbose_name_plural = _("Zähler")
        constraints = [models.UniqueConstraint(fields=["name", "label"], name="unique_metric_counter")]

    def __str__(self) -> str:
        return f"{self.name}{{{self.label}}} = {self.value}"
