"""Template helpers of scheduled meetings (database reads only, no BBB)."""

from __future__ import annotations

from django import template

from events.calendar import next_occurrence_for_room
from events.display import format_when
from events.occurrences import Occurrence
from rooms.models import Room

register = template.Library()


@register.simple_tag
def next_event_for(room: Room) -> Occurrence | None:
    """``{% next_event_for room as next_event %}``: the room's running or next scheduled occurrence."""
    return next_occurrence_for_room(room) if room is not None else None


@register.filter
def when(occurrence: Occurrence) -> str:
    """'Dienstag, 27. Oktober 2026, 19:00–20:30 Uhr' in the active language and Europe/Berlin."""
    return format_when(occurrence.start, occurrence.end)
