"""Mails to the operator's staff (STAFF_NOTIFY_EMAILS): each new club application, and the daily digest."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from clubs.models import Club


def staff_recipients() -> list[str]:
    return [address for address in settings.STAFF_NOTIFY_EMAILS if address]


def staff_mail_send(*, template: str, context: dict) -> int:
    """One mail to all staff addresses, in the site's language (German); 0 when none is configured."""
    recipients = staff_recipients()
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"operations/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"operations/email/{template}_message.txt", context)
    return send_mail(f"[herzdigital] {subject}", body, None, recipients)


def staff_application_notify(*, club: Club) -> None:
    """Tell staff that ``club`` applied; sent after the registration committed (never for a rollback)."""
    context = {
        "club": club,
        "admin_url": settings.SITE_URL + reverse("admin:clubs_clubapplication_change", args=[club.pk]),
        "queue_url": settings.SITE_URL + reverse("admin:clubs_clubapplication_changelist"),
    }
    transaction.on_commit(lambda: staff_mail_send(template="application", context=context))
