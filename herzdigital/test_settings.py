"""Test overrides on top of the one settings module."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="herzdigital-test-"))

from herzdigital.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "http://testserver"
STAFF_REQUIRE_MFA = True

# A file (not in-memory) SQLite test database, so that a real Celery worker process started by an
# integration test can open the same database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}  # noqa: F405
