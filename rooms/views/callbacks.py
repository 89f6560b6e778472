"""BBB -> us: end-meeting and recording-ready callbacks."""

from __future__ import annotations

urlpatterns: list = []
