"""Prepare `make run`: register the BBB server, write the Procfile for honcho, print how to log in."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Register the configured BBB server (or the simulator) and write var/Procfile."

    def handle(self, *args: object, **options: object) -> None:
        call_command("setup_servers", verbosity=0)
        port = os.environ.get("PORT", "8000")
        python = sys.executable
        lines = [
            f"web: {python} manage.py runserver 127.0.0.1:{port} --noreload",
            f"worker: {python} -m celery -A herzdigital worker -Q default,maintenance --concurrency 2 --loglevel INFO",
            f"beat: {python} -m celery -A herzdigital beat --loglevel INFO",
        ]
        if not settings.BBB_URL:
            lines.append(
                f"bbb: {python} -m bbb.simulator --host 127.0.0.1 --port {settings.BBB_SIMULATOR_PORT}"
                f" --secret {settings.BBB_SIMULATOR_SECRET} --recording-delay 10"
            )
        procfile = Path(settings.VAR_DIR) / "Procfile"
        procfile.write_text("\n".join(lines) + "\n")
        self.stdout.write(str(procfile))
