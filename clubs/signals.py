"""Signals of clubs, so that the apps above clubs can react without clubs importing them.

``membership_removed`` is sent inside the transaction that removed a membership (a member left or
was removed), with ``club`` and ``user``; events takes the former member off the invitee lists.
"""

from __future__ import annotations

from django.dispatch import Signal

membership_removed = Signal()
