"""Signals of scheduled meetings, so that the services never import the tasks that act on them.

``scheduled_meeting_changed`` is sent after the commit that created, changed or cancelled a
scheduled meeting; ``events.tasks`` receives it and queues the mail that is owed (invitations,
updates, cancellations). Keyword argument: ``scheduled_meeting_id``.

``scheduled_meeting_changing`` is sent inside the transaction of ``scheduled_meeting_update``, after
the new values are set on the locked row and before it is saved, when the meeting itself changes.
Keyword arguments: ``scheduled`` (the row with its new values), ``previous`` (changed field name ->
old value) and ``now``. A receiver refuses the change by raising ``ValidationError``: nothing is
saved and nothing is mailed (assemblies hold a general assembly to the club's notice period).
"""

from __future__ import annotations

from django.dispatch import Signal

scheduled_meeting_changed = Signal()
scheduled_meeting_changing = Signal()
