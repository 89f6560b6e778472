"""``manage.py sync_meetings [--server NAME]``: run one sync tick by hand, in this process."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from meetings import sync
from meetings.models import Server


class Command(BaseCommand):
    help = "Poll every BBB server once (getMeetings) and apply the answer to the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--server", help="Only this server (its name).")

    def handle(self, *args: object, **options: object) -> None:
        if options["server"]:
            server = Server.objects.filter(name=options["server"]).first()
            if server is None:
                raise CommandError(f"No server named {options['server']!r}.")
            server_ids = [server.pk]
        else:
            server_ids = sync.servers_to_sync()
        failed = 0
        for server_id in server_ids:
            result = sync.server_sync_locked(server_id=server_id)
            failed += not result.ok and not result.skipped
            self.stdout.write(result.summary())
        if failed:
            raise CommandError(f"{failed} server(s) could not be polled.")
