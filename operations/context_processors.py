from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from operations.banner import notices_current


def maintenance(request: HttpRequest) -> dict:
    """``maintenance_notices`` for base.html; evaluated only by a template that shows them."""
    return {"maintenance_notices": SimpleLazyObject(notices_current)}
