"""The form renderer: our field template, from the project's templates."""

from __future__ import annotations

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Checkboxes come before their label, and the label has no trailing colon ("Warteraum für Gäste", not "…:")."""

    field_template_name = "includes/field.html"
