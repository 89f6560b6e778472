"""Signed BBB URLs never reach an error field or a log line (issue 15.5, second half)."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings

from meetings import sync
from meetings.bbb_clients import client_for, clients_reset
from tests.factories import ServerFactory

pytestmark = pytest.mark.django_db


def test_a_failed_poll_stores_the_error_without_the_checksum(caplog):
    clients_reset()
    server = ServerFactory(api_url="http://127.0.0.1:9/bigbluebutton/api/", secret="s" * 40)
    digest = client_for(server).url("getMeetings").rsplit("checksum=", 1)[1]

    with caplog.at_level(logging.INFO):
        result = sync.server_sync(server=server)

    server.refresh_from_db()
    assert not result.ok and "getMeetings" in server.last_error
    assert digest not in server.last_error and digest not in result.error
    assert all(digest not in record.getMessage() for record in caplog.records)
    clients_reset()


def test_every_log_handler_redacts_checksums():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_checksum" in handler.get("filters", []), name
    assert settings.LOGGING["filters"]["redact_checksum"]["()"] == "bbb.errors.RedactChecksumFilter"
