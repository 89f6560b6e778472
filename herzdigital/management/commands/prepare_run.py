"""Prepare `make run`: register the BBB server, write the Procfile for honcho, print how to log in.

honcho gives every process its own ``PORT`` (web 8000, worker 8100, beat 8200 …). ``SITE_URL`` falls back to
``PORT`` when unset, so each line pins the web's URL: otherwise mails sent by the worker would link to the
worker's port.

The worker uses a thread pool: honcho stops a process by signalling its whole process group, which kills
prefork children at once; the parent then forks fresh ones that pick up new tasks, and honcho SIGKILLs it
after 5 s. Threads finish their task and the worker exits cleanly on Ctrl-C.
"""

from __future__ import annotations

import os
import shlex
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
        site = f"SITE_URL={shlex.quote(settings.SITE_URL)}"
        lines = [
            f"web: {site} {python} manage.py runserver 127.0.0.1:{port} --noreload",
            f"worker: {site} {python} -m celery -A herzdigital worker -Q default,maintenance"
            " --pool threads --concurrency 2 --loglevel INFO",
            f"beat: {site} {python} -m celery -A herzdigital beat --loglevel INFO",
        ]
        if not settings.BBB_URL:
            lines.append(
                f"bbb: {python} -m bbb.simulator --host 127.0.0.1 --port {settings.BBB_SIMULATOR_PORT}"
                f" --secret {settings.BBB_SIMULATOR_SECRET} --recording-delay 10"
            )
        procfile = Path(settings.VAR_DIR) / "Procfile"
        procfile.write_text("\n".join(lines) + "\n")
        self.stdout.write(str(procfile))
