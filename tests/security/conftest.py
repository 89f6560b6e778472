"""Fixtures shared with the staff-console tests (a logged-in staff client with TOTP)."""

from tests.admin.conftest import staff, staff_client  # noqa: F401
