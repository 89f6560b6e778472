"""Register the BBB server from the environment (BBB_URL/BBB_SECRET), or the bundled simulator."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from meetings.models import Server


class Command(BaseCommand):
    help = "Create or update the BBB server configured in the environment (or the simulator)."

    def handle(self, *args: object, **options: object) -> None:
        if settings.BBB_URL:
            name, url, secret = "BBB", settings.BBB_URL, settings.BBB_SECRET
            algorithm, kind = settings.BBB_CHECKSUM_ALGORITHM, settings.BBB_KIND
        else:
            name = "Simulator"
            url = f"http://127.0.0.1:{settings.BBB_SIMULATOR_PORT}/bigbluebutton/api/"
            secret, algorithm, kind = settings.BBB_SIMULATOR_SECRET, "sha256", Server.Kind.BBB
        server = Server(name=name, api_url=url, secret=secret, checksum_algorithm=algorithm, kind=kind)
        server.clean()  # e.g. Scalelite with sha384: refuse to register what cannot work
        server, created = Server.objects.update_or_create(
            name=name, defaults={"api_url": url, "secret": secret, "checksum_algorithm": algorithm, "kind": kind}
        )
        self.stdout.write(f"{'created' if created else 'updated'} server {server.name} → {server.api_url}")
