"""System checks of the project as a whole.

``old_layout_database``: until the house split, servers, meetings and recordings lived in the
``rooms`` app (tables ``rooms_server``, ``rooms_meeting``, ``rooms_recording``). Their initial
migrations were rewritten for the new apps ``meetings`` and ``recordings`` (the project has never
been deployed), so a database created before cannot be migrated. ``migrate`` runs database checks
first; this one stops it with a clear instruction instead of a half-migrated database.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import connections

OLD_LAYOUT_TABLES = frozenset({"rooms_server", "rooms_meeting", "rooms_recording"})


@register(Tags.database)
def old_layout_database(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    for alias in databases or ():
        with connections[alias].cursor() as cursor:
            found = OLD_LAYOUT_TABLES & set(connections[alias].introspection.table_names(cursor))
        if found:
            errors.append(
                Error(
                    f"The database {alias!r} was created with the old layout (tables {', '.join(sorted(found))}): "
                    "servers, meetings and recordings now live in the apps 'meetings' and 'recordings', whose "
                    "initial migrations were rewritten. There is no migration from the old layout.",
                    hint=(
                        f"With the embedded SQLite database: remove var/ (rm -rf {settings.VAR_DIR}) and run "
                        "'make run' again; it creates a fresh database with the demo data. With DATABASE_URL: "
                        "drop and recreate that database."
                    ),
                    id="herzdigital.E001",
                )
            )
    return errors
