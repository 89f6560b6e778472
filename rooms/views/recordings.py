"""Recording pages of a club (list, rename, publish, protect, delete)."""

from __future__ import annotations

urlpatterns: list = []
