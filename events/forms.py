from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clubs.models import Club
from events.models import ScheduledMeeting
from events.occurrences import NonexistentLocalTime, local_to_utc, to_local
from events.services import email_list_parse, invalid_emails_message


class Audience:
    ALL = "all"
    CHOSEN = "chosen"
    NONE = "none"
    CHOICES = [
        (ALL, _("Alle Mitglieder des Vereins")),
        (CHOSEN, _("Ausgewählte Mitglieder")),
        (NONE, _("Keine Mitglieder (nur die Gäste unten)")),
    ]


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.email})" if obj.name else obj.email


class ScheduledMeetingForm(forms.Form):
    """Plan or change a meeting. Times are entered in Europe/Berlin; ``cleaned_data`` holds UTC."""

    title = forms.CharField(label=_("Titel"), max_length=200)
    room = forms.ModelChoiceField(label=_("Raum"), queryset=None, empty_label=None)
    date = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(label=_("Beginn"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("Ende"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    description = forms.CharField(
        label=_("Beschreibung und Tagesordnung"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    recurrence = forms.ChoiceField(
        label=_("Wiederholung"),
        choices=ScheduledMeeting.Recurrence.choices,
        initial=ScheduledMeeting.Recurrence.NONE,
        widget=forms.RadioSelect,
    )
    repeat_until = forms.DateField(
        label=_("Wiederholen bis (einschließlich)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leer lassen, um ohne Enddatum wöchentlich zu wiederholen."),
    )
    record = forms.BooleanField(label=_("Der Termin wird aufgezeichnet"), required=False)
    audience = forms.ChoiceField(
        label=_("Einladen"), choices=Audience.CHOICES, initial=Audience.ALL, widget=forms.RadioSelect
    )
    members = MemberChoiceField(
        label=_("Ausgewählte Mitglieder"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nur nötig, wenn Sie oben „Ausgewählte Mitglieder“ gewählt haben."),
    )
    guest_emails = forms.CharField(
        label=_("Gäste per E-Mail einladen"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Eine Adresse pro Zeile oder durch Kommas getrennt."),
    )

    def __init__(self, *args: Any, club: Club, instance: ScheduledMeeting | None = None, **kwargs: Any) -> None:
        self.club = club
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(instance)
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = club.rooms.order_by("name")
        self.fields["members"].queryset = (
            get_user_model().objects.filter(memberships__club=club).order_by("name", "email")
        )
        if not club.recording_allowed:
            del self.fields["record"]

    def initial_for(self, instance: ScheduledMeeting) -> dict[str, Any]:
        start, end = to_local(instance.start_at), to_local(instance.end_at)
        active = list(instance.invitees.filter(removed_at__isnull=True))
        member_ids = {i.user_id for i in active if i.user_id}
        all_member_ids = set(self.club.memberships.values_list("user_id", flat=True))
        if member_ids and member_ids >= all_member_ids:
            audience = Audience.ALL
        elif member_ids:
            audience = Audience.CHOSEN
        else:
            audience = Audience.NONE
        return {
            "title": instance.title,
            "room": instance.room_id,
            "date": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "description": instance.description,
            "recurrence": instance.recurrence,
            "repeat_until": instance.repeat_until,
            "record": instance.record,
            "audience": audience,
            "members": sorted(member_ids),
            "guest_emails": "\n".join(i.email for i in active if not i.user_id),
        }

    def clean_guest_emails(self) -> list[str]:
        valid, invalid = email_list_parse(self.cleaned_data.get("guest_emails", ""))
        if invalid:
            raise forms.ValidationError(invalid_emails_message(invalid), code="invalid_emails")
        return valid

    def _combine(self, field: str) -> datetime | None:
        day, at = self.cleaned_data.get("date"), self.cleaned_data.get(field)
        if day is None or at is None:
            return None
        try:
            return local_to_utc(day, at)
        except NonexistentLocalTime as exc:
            self.add_error(field, str(exc))
            return None

    def _keeps_running_series(self, start_at: datetime) -> bool:
        """Editing a weekly series that began in the past keeps its first date (its time may change)."""
        if self.instance is None:
            return False
        if self.instance.start_at == start_at:
            return True
        weekly = self.cleaned_data.get("recurrence") == ScheduledMeeting.Recurrence.WEEKLY
        return (
            weekly
            and self.instance.is_recurring
            and to_local(self.instance.start_at).date() == to_local(start_at).date()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start_at, end_at = self._combine("start_time"), self._combine("end_time")
        if start_at and end_at and end_at <= start_at:
            self.add_error("end_time", _("Das Ende muss nach dem Beginn liegen (am selben Tag)."))
        if start_at and start_at < timezone.now() and not self._keeps_running_series(start_at):
            self.add_error("start_time", _("Der Beginn liegt in der Vergangenheit. Bitte wählen Sie einen späteren."))
        weekly = data.get("recurrence") == ScheduledMeeting.Recurrence.WEEKLY
        until = data.get("repeat_until")
        if weekly and until and data.get("date") and until < data["date"]:
            self.add_error("repeat_until", _("Das Wiederholungsende muss am oder nach dem ersten Termin liegen."))
        if data.get("audience") == Audience.CHOSEN and not data.get("members"):
            self.add_error("members", _("Bitte wählen Sie mindestens ein Mitglied aus."))
        data["start_at"], data["end_at"] = start_at, end_at
        data["repeat_until"] = until if weekly else None
        return data

    def member_ids(self) -> list[int]:
        audience = self.cleaned_data["audience"]
        if audience == Audience.ALL:
            return list(self.club.memberships.values_list("user_id", flat=True))
        if audience == Audience.CHOSEN:
            return [user.pk for user in self.cleaned_data["members"]]
        return []

    def event_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "room": data["room"],
            "title": data["title"],
            "description": data["description"],
            "start_at": data["start_at"],
            "end_at": data["end_at"],
            "recurrence": data["recurrence"],
            "repeat_until": data["repeat_until"],
            "record": data.get("record", False),
        }
