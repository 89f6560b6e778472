from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Termine")

    def ready(self) -> None:
        from clubs.signals import membership_removed
        from events import tasks  # noqa: F401  (receives scheduled_meeting_changed and queues the mail)
        from events.services import invitees_remove_former_member

        def _former_member(sender: object, club: object, user: object, **kwargs: object) -> None:
            invitees_remove_former_member(club=club, user=user)

        membership_removed.connect(_former_member, dispatch_uid="events.former_member", weak=False)
