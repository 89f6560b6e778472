"""Signals of scheduled meetings, so that the services never import the tasks that act on them.

``scheduled_meeting_changed`` is sent after the commit that created, changed or cancelled a
scheduled meeting; ``events.tasks`` receives it and queues the mail that is owed (invitations,
updates, cancellations). Keyword argument: ``scheduled_meeting_id``.
"""

from __future__ import annotations

from django.dispatch import Signal

scheduled_meeting_changed = Signal()
