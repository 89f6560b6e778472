"""Account housekeeping: stored sessions are personal data (a waiting guest's name, a login).

Expired sessions are deleted daily by the personal-data purge (operations/retention.py, which calls
``accounts.services.sessions_purge_expired``); this task remains as a door to that one step.
"""

from __future__ import annotations

from celery import shared_task

from accounts.services import sessions_purge_expired

SESSIONS_CLEAR_TASK = "accounts.tasks.sessions_clear_expired"


@shared_task(name=SESSIONS_CLEAR_TASK, ignore_result=True)
def sessions_clear_expired() -> int:
    """Delete every expired session. Safe to run twice."""
    return sessions_purge_expired()
