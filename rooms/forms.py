from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clubs.models import Club, Membership, Role
from rooms import quotas
from rooms.models import PersonalLink, Room, RoomPreset, new_access_code
from rooms.presets import PRESET_FIELDS, preset_settings

ROOM_FIELDS = [
    "name",
    "welcome_text",
    "viewer_code",
    "moderator_code",
    "waiting_room",
    "anyone_can_start",
    "all_moderators",
    "members_can_start",
    "members_only",
    "mute_on_start",
    "record",
    "max_participants",
    "show_recordings_publicly",
    "preset",
    *PRESET_FIELDS,
]
# Shown folded under "Erweitert": everything a preset sets, one by one.
ADVANCED_FIELDS = [name for name in PRESET_FIELDS if name not in ("waiting_room", "record", "mute_on_start")]


class RoomForm(forms.ModelForm):
    """Room settings within the club's quotas. Validation only; saving goes through the services."""

    hosts = forms.ModelMultipleChoiceField(
        label=_("Weitere Gastgeber"),
        queryset=Membership.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Bitte wählen Sie nur Mitglieder Ihres Vereins.")},
        help_text=_(
            "Gastgeber moderieren, starten und beenden die Besprechung, lassen wartende Gäste ein und ändern "
            "die Codes. Inhaber und Admins sind immer Gastgeber."
        ),
    )
    presentation = forms.FileField(
        label=_("Präsentation (freiwillig)"),
        required=False,
        help_text=_("PDF, ODP, ODT, PPTX, DOCX, PNG oder JPEG. Weitere laden Sie später auf der Raumseite hoch."),
    )
    generate_viewer_code = forms.BooleanField(label=_("Zufälligen Zugangscode für Gäste erzeugen"), required=False)
    generate_moderator_code = forms.BooleanField(
        label=_("Zufälligen Zugangscode für Moderation erzeugen"), required=False
    )

    class Meta:
        model = Room
        fields = ROOM_FIELDS
        widgets = {"welcome_text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "viewer_code": _("Leer lassen, wenn jede Person mit dem Link teilnehmen darf."),
            "moderator_code": _("Wer diesen Code eingibt, tritt als Moderation bei."),
            "max_participants": _("Leer lassen für die Obergrenze Ihres Vereins."),
            "preset": _(
                "Die Vorlage setzt die Einstellungen unter „Erweitert“ passend zum Zweck. Was Sie dort selbst "
                "ändern, bleibt so."
            ),
        }

    def __init__(self, *args: Any, club: Club, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.club = club
        self.fields["end_when_no_moderator_delay"].required = False
        self.fields["preset"].choices = [("", _("Ohne Vorlage – alles selbst einstellen")), *RoomPreset.choices]
        if self.instance.pk is not None:
            del self.fields["presentation"]  # the room's presentations have their own page
        self.fields["hosts"].queryset = club.memberships.filter(role=Role.MEMBER).select_related("user")
        self.fields["hosts"].label_from_instance = lambda m: m.user.name or m.user.email
        if self.instance.pk is not None:
            self.initial.setdefault("hosts", list(self.instance.hosts.values_list("pk", flat=True)))
        self.fields["max_participants"].help_text = _("Höchstens %(max)d. Leer lassen für diese Obergrenze.") % {
            "max": club.max_participants
        }
        self.fields["max_participants"].widget.attrs.update({"min": 1, "max": club.max_participants})
        if not club.recording_allowed:
            self.fields["record"].disabled = True
            self.fields["record"].help_text = _("Für Ihren Verein sind Aufzeichnungen nicht freigeschaltet.")
        if self.instance.pk is None:
            self.initial.setdefault("mute_on_start", club.default_mute_on_start)
            self.initial.setdefault("waiting_room", club.default_waiting_room)
            self.initial.setdefault("anyone_can_start", club.default_anyone_can_start)
            self.initial.setdefault("record", club.default_record and club.recording_allowed)
        for name in ("viewer_code", "moderator_code"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def _clean_code(self, name: str) -> str:
        code = (self.cleaned_data.get(name) or "").strip()
        if code and len(code) < 4:
            raise forms.ValidationError(_("Ein Zugangscode braucht mindestens 4 Zeichen."))
        return code

    def clean_viewer_code(self) -> str:
        return self._clean_code("viewer_code")

    def clean_moderator_code(self) -> str:
        return self._clean_code("moderator_code")

    def clean_duration(self) -> int | None:
        value = self.cleaned_data.get("duration")
        if value is not None and not 1 <= value <= 24 * 60:
            raise forms.ValidationError(_("Bitte geben Sie eine Dauer zwischen 1 und 1440 Minuten an."))
        return value

    def clean_end_when_no_moderator_delay(self) -> int:
        value = self.cleaned_data.get("end_when_no_moderator_delay")
        if value is None:
            return Room._meta.get_field("end_when_no_moderator_delay").default
        if not 1 <= value <= 60:
            raise forms.ValidationError(_("Bitte geben Sie zwischen 1 und 60 Minuten an."))
        return value

    def basic_fields(self) -> list:
        """Name and purpose first (the purpose sets most of the rest), then the other everyday settings."""
        fields = [field for field in self if field.name not in ADVANCED_FIELDS]
        first = [field for field in fields if field.name in ("name", "preset")]
        return first + [field for field in fields if field.name not in ("name", "preset")]

    def advanced_fields(self) -> list:
        return [field for field in self if field.name in ADVANCED_FIELDS]

    def clean_max_participants(self) -> int | None:
        value = self.cleaned_data.get("max_participants")
        if value is not None:
            if value < 1:
                raise forms.ValidationError(_("Bitte geben Sie mindestens 1 an."))
            try:
                quotas.check_max_participants(club=self.club, max_participants=value)
            except quotas.QuotaExceeded as exc:
                raise forms.ValidationError(exc.message)
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("generate_viewer_code"):
            data["viewer_code"] = new_access_code()
        if data.get("generate_moderator_code"):
            data["moderator_code"] = new_access_code()
            while data["moderator_code"] == data.get("viewer_code"):
                data["moderator_code"] = new_access_code()
        viewer, moderator = data.get("viewer_code"), data.get("moderator_code")
        if viewer and moderator and viewer == moderator:
            self.add_error("moderator_code", _("Der Code für Moderation muss sich vom Code für Gäste unterscheiden."))
        return data

    def settings(self) -> dict[str, Any]:
        """The cleaned room settings, as keyword arguments for room_create/room_update."""
        data = {name: self.cleaned_data[name] for name in ROOM_FIELDS}
        preset = data.get("preset")
        if preset and (self.instance.pk is None or "preset" in self.changed_data):
            # A newly chosen purpose sets every setting the person left as it was.
            for name, value in preset_settings(preset, club=self.club).items():
                if name not in self.changed_data:
                    data[name] = value
        data["hosts"] = list(self.cleaned_data.get("hosts") or [])
        if not self.club.recording_allowed:
            data["record"] = False
        return data


# The blank join form's HTML by (kind of access code, language). Every guest opening a room page gets
# the same blank form, and rendering it through the per-widget templates was a tenth of the page (issue
# 20): it is rendered once per process. The development server's reloader (templates, catalogues)
# empties it.
_BLANK_JOIN_FORMS: dict[tuple[str, str | None], SafeString] = {}
file_changed.connect(lambda **kwargs: _BLANK_JOIN_FORMS.clear(), weak=False, dispatch_uid="rooms.blank_join_forms")


class JoinForm(forms.Form):
    name = forms.CharField(
        label=_("Ihr Name"),
        max_length=100,
        help_text=_("Unter diesem Namen sehen die anderen Sie in der Besprechung."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    code = forms.CharField(
        label=_("Zugangscode"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, room: Room, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.code_kind = "viewer" if room.viewer_code else "moderator" if room.moderator_code else ""
        if self.code_kind == "viewer":
            self.fields["code"].required = True
            self.fields["code"].error_messages["required"] = _("Bitte geben Sie den Zugangscode ein.")
            self.fields["code"].help_text = _("Den Code haben Sie mit der Einladung bekommen.")
        elif self.code_kind == "moderator":
            self.fields["code"].label = _("Zugangscode für Moderation (falls vorhanden)")
        else:
            del self.fields["code"]
        self.fields["name"].error_messages["required"] = _("Bitte geben Sie Ihren Namen ein.")

    def as_p(self) -> SafeString:
        if self.is_bound or self.initial or self.prefix:  # the guest's input and its errors; anything not blank
            return super().as_p()
        key = (self.code_kind, get_language())
        if key not in _BLANK_JOIN_FORMS:
            _BLANK_JOIN_FORMS[key] = super().as_p()
        return _BLANK_JOIN_FORMS[key]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Bitte geben Sie einen Namen mit mindestens 2 Zeichen ein."))
        return name


class RoomDeleteForm(forms.Form):
    recordings = forms.ChoiceField(
        label=_("Was soll mit den Aufzeichnungen dieses Raums geschehen?"),
        choices=[
            ("keep", _("Behalten – sie bleiben unter „Aufzeichnungen“ Ihres Vereins.")),
            ("delete", _("Ebenfalls löschen – das lässt sich nicht rückgängig machen.")),
        ],
        widget=forms.RadioSelect,
        initial="keep",
    )


class PersonalLinkForm(forms.Form):
    """A host names a person; the link's expiry is the end of the chosen day (Europe/Berlin)."""

    name = forms.CharField(
        label=_("Name, wie er in der Besprechung erscheint"),
        max_length=100,
        error_messages={"required": _("Bitte geben Sie den Namen der Person an.")},
    )
    email = forms.EmailField(label=_("E-Mail-Adresse (freiwillig, nur zur Übersicht)"), required=False)
    role = forms.ChoiceField(
        label=_("Rolle"),
        choices=PersonalLink.Role.choices,
        initial=PersonalLink.Role.VIEWER,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Bitte wählen Sie Teilnahme oder Moderation.")},
    )
    valid_until = forms.DateField(
        label=_("Gültig bis einschließlich"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Bitte geben Sie an, bis wann der Link gilt.")},
    )

    def expires_at(self) -> datetime:
        day = self.cleaned_data["valid_until"] + timedelta(days=1)
        return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


class PersonalJoinForm(forms.Form):
    """The person behind a personal link: a name only when the link has none yet."""

    name = forms.CharField(
        label=_("Ihr Name"),
        max_length=100,
        help_text=_("So sehen Sie die anderen in der Besprechung. Der Name gilt danach für diesen Link."),
        error_messages={"required": _("Bitte geben Sie Ihren Namen ein.")},
    )

    def __init__(self, *args: Any, link: PersonalLink, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if link.name:
            del self.fields["name"]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Bitte geben Sie einen Namen mit mindestens 2 Zeichen ein."))
        return name


class PresentationForm(forms.Form):
    file = forms.FileField(label=_("Datei"), error_messages={"required": _("Bitte wählen Sie eine Datei aus.")})
