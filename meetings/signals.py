"""Signals of the sync, for areas that build on what a poll saw (e.g. assemblies' attendance).

``poll_applied`` is sent inside the apply transaction of a successful poll, with ``listed``: a list of
``(Meeting, bbb.Meeting)`` for our meetings BBB listed, ``ended``: the meetings this poll ended, and
``now``. Receivers must keep the sync's constant number of queries (bulk reads and writes only).
A failed poll sends nothing: it proves nothing about who is present (rule 4).
"""

from __future__ import annotations

from django.dispatch import Signal

poll_applied = Signal()
