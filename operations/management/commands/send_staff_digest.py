from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from operations.digest import staff_digest_build, staff_digest_send


class Command(BaseCommand):
    help = "Mail the staff digest to STAFF_NOTIFY_EMAILS now (beat sends it daily at 07:00)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="print the digest's figures, send nothing")

    def handle(self, *args: object, dry_run: bool = False, **options: object) -> None:
        if dry_run:
            d = staff_digest_build()
            self.stdout.write(
                f"applications {len(d.applications)}, unhealthy servers {len(d.unhealthy_servers)}, "
                f"failed syncs {len(d.failed_syncs)}, recordings due {d.recordings_due}, "
                f"clubs near a quota {len(d.clubs_near_quota)}"
            )
            return
        self.stdout.write(f"sent {staff_digest_send()} mail(s)")
