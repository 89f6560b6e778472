from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from assemblies.models import AssemblyRules


class RulesForm(forms.ModelForm):
    class Meta:
        model = AssemblyRules
        fields = ["notice_days", "quorum_kind", "quorum_value", "attendance_retention_days"]


class AssemblyForm(forms.Form):
    attendance_enabled = forms.BooleanField(
        label=_("Anwesenheit erfassen"),
        required=False,
        help_text=_(
            "Wer wann in der Videokonferenz war, wird aus den Daten des Servers erfasst. Das steht in der "
            "Einladung und wird beim Beitreten angezeigt."
        ),
    )
    agenda = forms.CharField(
        label=_("Tagesordnung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Ein Tagesordnungspunkt je Zeile, in der richtigen Reihenfolge."),
    )

    def agenda_items(self) -> list[str]:
        return self.cleaned_data["agenda"].splitlines()


class MotionForm(forms.Form):
    title = forms.CharField(label=_("Antrag oder Frage"), max_length=300)
    options = forms.CharField(
        label=_("Antworten"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Eine Antwort je Zeile. Leer lassen für „Ja“, „Nein“ und „Enthaltung“."),
    )
    secret = forms.BooleanField(label=_("Geheime Abstimmung"), required=False)
