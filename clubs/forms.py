from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clubs import permissions
from clubs.models import Club, Membership, Role


class PasswordPairMixin:
    """Two password fields that must match; strength is checked by the service."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("Die beiden Passwörter stimmen nicht überein."))
        return data


class ClubRegistrationForm(PasswordPairMixin, forms.Form):
    name = forms.CharField(label=_("Name des Vereins"), max_length=120)
    kind = forms.ChoiceField(label=_("Art der Organisation"), choices=Club.Kind.choices)
    description = forms.CharField(
        label=_("Kurze Beschreibung"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("Wer sind Sie, und wofür möchten Sie die Besprechungsräume nutzen?"),
    )
    contact_name = forms.CharField(label=_("Ansprechperson (Vor- und Nachname)"), max_length=150)
    email = forms.EmailField(label=_("E-Mail-Adresse"), help_text=_("Mit dieser Adresse melden Sie sich später an."))
    phone = forms.CharField(label=_("Telefon (freiwillig)"), max_length=40, required=False)
    password1 = forms.CharField(
        label=_("Passwort"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Mindestens 10 Zeichen."),
    )
    password2 = forms.CharField(
        label=_("Passwort wiederholen"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    accept_terms = forms.BooleanField(
        label=_("Ich habe die Nutzungsbedingungen und die Datenschutzhinweise gelesen und bin einverstanden."),
        error_messages={"required": _("Bitte stimmen Sie den Nutzungsbedingungen und Datenschutzhinweisen zu.")},
    )

    ACCOUNT_FIELDS = ("email", "password1", "password2")

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        """For a logged-in person the club gets her account: no address or password to type."""
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            for name in self.ACCOUNT_FIELDS:
                del self.fields[name]
            self.fields["contact_name"].initial = user.name

    def clean(self) -> dict[str, Any]:
        if "password1" not in self.fields:
            return forms.Form.clean(self)
        return super().clean()

    def field_errors_from(self, error: Any) -> None:
        """Attach a service ValidationError; the service says "password", the form "password1"."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                target = "password1" if field == "password" else field
                self.add_error(target if target in self.fields else None, errors)
        else:
            self.add_error(None, error)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-Mail-Adresse"))
    role = forms.ChoiceField(
        label=_("Rolle"),
        choices=Role.choices,
        initial=Role.MEMBER,
        error_messages={"invalid_choice": _("Diese Rolle können Sie nicht vergeben.")},
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (v, label) for v, label in Role.choices if permissions.can_grant_role(membership, v)
        ]


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Neue Rolle"),
        choices=Role.choices,
        error_messages={"invalid_choice": _("Diese Rolle können Sie nicht vergeben.")},
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (v, label) for v, label in Role.choices if permissions.can_grant_role(membership, v)
        ]


class ClubSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name des Vereins"), max_length=120)
    description = forms.CharField(
        label=_("Beschreibung"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False
    )
    retention_days = forms.IntegerField(
        label=_("Aufzeichnungen aufbewahren (Tage)"),
        required=False,
        min_value=1,
        error_messages={"min_value": _("Bitte geben Sie mindestens einen Tag an oder lassen Sie das Feld leer.")},
    )
    default_mute_on_start = forms.BooleanField(label=_("Neue Räume: beim Beitreten stummgeschaltet"), required=False)
    default_waiting_room = forms.BooleanField(label=_("Neue Räume: Warteraum für Gäste"), required=False)
    default_anyone_can_start = forms.BooleanField(
        label=_("Neue Räume: jede Person darf die Besprechung starten"), required=False
    )
    default_record = forms.BooleanField(label=_("Neue Räume: Aufzeichnung erlaubt"), required=False)

    def __init__(self, *args: Any, club: Club, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(club, name) for name in self.base_fields})
        super().__init__(*args, **kwargs)
        field = self.fields["retention_days"]
        if club.max_retention_days is None:
            field.help_text = _("Leer lassen, um Aufzeichnungen unbegrenzt aufzubewahren.")
        else:
            field.max_value = None  # the service explains the maximum in its own words
            field.help_text = _("Höchstens %(max)s Tage (von der Betreiberin festgelegt).") % {
                "max": club.max_retention_days
            }
        if not club.recording_allowed:
            self.fields["default_record"].disabled = True
            self.fields["default_record"].help_text = _("Für Ihren Verein sind keine Aufzeichnungen freigeschaltet.")


class TransferForm(forms.Form):
    membership = forms.ModelChoiceField(
        label=_("Neue Inhaberin / neuer Inhaber"),
        queryset=Membership.objects.none(),
        empty_label=_("Bitte wählen"),
        error_messages={"invalid_choice": _("Bitte wählen Sie ein Mitglied aus der Liste.")},
    )

    def __init__(self, *args: Any, club: Club, exclude: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        field.queryset = club.memberships.exclude(pk=exclude.pk).select_related("user")
        field.label_from_instance = lambda m: f"{m.user.display_name} ({m.user.email}, {m.get_role_display()})"


class ConfirmNameForm(forms.Form):
    confirm_name = forms.CharField(label=_("Zur Bestätigung den Namen des Vereins eingeben"), max_length=120)

    def __init__(self, *args: Any, club: Club, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.club = club

    def clean_confirm_name(self) -> str:
        value = self.cleaned_data["confirm_name"].strip()
        if value != self.club.name:
            raise forms.ValidationError(_("Der Name stimmt nicht überein. Bitte geben Sie ihn genau so ein."))
        return value


class InvitationAcceptForm(PasswordPairMixin, forms.Form):
    name = forms.CharField(label=_("Ihr Name"), max_length=150)
    language = forms.ChoiceField(label=_("Sprache"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE)
    password1 = forms.CharField(
        label=_("Passwort"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Mindestens 10 Zeichen."),
    )
    password2 = forms.CharField(
        label=_("Passwort wiederholen"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
