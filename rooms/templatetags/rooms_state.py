"""``{% load rooms_state %}``: the display state of a meeting for any template.

``{{ meeting|meeting_state }}`` gives ``none``, ``starting``, ``running``, ``ended`` or ``unknown``
(the meeting's server is unhealthy: we do not know whether it still runs, rule 4);
``{% include "rooms/_state.html" with state=meeting|meeting_state %}`` renders the badge.
"""

from __future__ import annotations

from django import template

from meetings.models import Meeting
from meetings.services import meeting_state as _meeting_state

register = template.Library()


@register.filter
def meeting_state(meeting: Meeting | None) -> str:
    return _meeting_state(meeting)
