"""manage.py cleanup_recordings [--dry-run] [--club SLUG] [--limit N]: the retention cleanup by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from clubs.models import Club
from recordings.cleanup import recordings_cleanup


class Command(BaseCommand):
    help = "Delete recordings whose retention has run out (on BBB first, then here). --dry-run shows the plan."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Print the plan and change nothing.")
        parser.add_argument("--club", metavar="SLUG", help="Only this club.")
        parser.add_argument("--limit", type=int, metavar="N", help="Delete at most N recordings (below the cap).")

    def handle(self, *args: Any, dry_run: bool, club: str | None, limit: int | None, **options: Any) -> None:
        if club and not Club.objects.filter(slug=club).exists():
            raise CommandError(f"No club with slug {club!r}.")
        if limit is not None and limit < 0:
            raise CommandError("--limit must be 0 or more.")
        report = recordings_cleanup(dry_run=dry_run, club_slug=club, limit=limit)
        if dry_run:
            self.stdout.write("Dry run: nothing is deleted. Plan:")
            for item in report.planned:
                started = timezone.localtime(item.started_at).strftime("%Y-%m-%d %H:%M") if item.started_at else "?"
                self.stdout.write(
                    f"  {item.club_slug}: {item.record_id}  {started}  {item.name!r}  "
                    f"(retention {item.retention_days} d)"
                )
        for slug, count in sorted(report.per_club.items()):
            self.stdout.write(f"{slug}: {count}")
        for error in report.errors:
            self.stderr.write(f"error: {error}")
        self.stdout.write(report.summary())
