"""Texts staff edit in the admin: the legal pages the operator must publish (Impressum, privacy policy, terms of
use) and the landing page's text (who runs the service, for whom, what it costs, how approval works)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class LegalPage(models.Model):
    class Kind(models.TextChoices):
        IMPRINT = "impressum", _("Impressum")
        PRIVACY = "datenschutz", _("Datenschutzerklärung")
        TERMS = "nutzungsbedingungen", _("Nutzungsbedingungen")
        HOME = "startseite", _("Startseite")

    kind = models.CharField(_("Seite"), max_length=30, choices=Kind.choices, unique=True)
    title_de = models.CharField(_("Titel (Deutsch)"), max_length=150)
    body_de = models.TextField(
        _("Text (Deutsch)"),
        help_text=_(
            "Absätze durch Leerzeilen trennen; eine Zeile, die mit „## “ beginnt, wird zur Zwischenüberschrift."
        ),
    )
    title_en = models.CharField(_("Titel (Englisch)"), max_length=150, blank=True)
    body_en = models.TextField(
        _("Text (Englisch)"), blank=True, help_text=_("Leer lassen, um den deutschen Text zu zeigen.")
    )
    updated_at = models.DateTimeField(_("Zuletzt geändert"), auto_now=True)

    class Meta:
        verbose_name = _("Seitentext")
        verbose_name_plural = _("Startseite und rechtliche Seiten")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def localized(self, language: str | None = None) -> tuple[str, str, str]:
        """(title, body, language of the text): English when asked for and written, else German."""
        language = (language or get_language() or "de")[:2]
        if language == "en" and self.body_en.strip():
            return self.title_en or self.title_de, self.body_en, "en"
        return self.title_de, self.body_de, "de"
