from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from operations.retention import personal_data_purge


class Command(BaseCommand):
    help = "Apply the personal-data retention settings (accounts, invitations, meeting names, audit log, sessions)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count what would be purged, change nothing")

    def handle(self, *args: object, dry_run: bool = False, **options: object) -> None:
        self.stdout.write(personal_data_purge(dry_run=dry_run).summary())
