from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    """The configurable name of the service and the address people can write to."""
    return {
        "site_name": settings.SITE_NAME,
        "support_email": settings.SUPPORT_EMAIL,
        "approval_days": settings.APPROVAL_WORKING_DAYS,
    }
