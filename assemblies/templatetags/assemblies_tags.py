"""Template helpers of general assemblies for the pages of the apps below (database reads only, no BBB)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from assemblies.attendance import assemblies_in_session
from assemblies.models import Assembly
from rooms.models import Room

register = template.Library()


@register.simple_tag
def assembly_recording_attendance(room: Room | None) -> Assembly | None:
    """``{% assembly_recording_attendance room as assembly %}``: the assembly that records who is in this room now.

    The join pages include ``assemblies/includes/attendance_notice.html``, so that everybody learns before joining
    that their presence is recorded (issue 18: announced in the invitation and on join). One query.
    """
    if room is None or room.pk is None:
        return None
    return assemblies_in_session(room_ids={room.pk}, now=timezone.now()).get(room.pk)
