"""The service's name, support address and email signature, for pages and for mails rendered outside a request."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag
def site_name() -> str:
    return settings.SITE_NAME


@register.simple_tag
def support_email() -> str:
    return settings.SUPPORT_EMAIL


@register.simple_tag
def mail_signature() -> str:
    """The closing lines of every email, in the language active while the mail is rendered."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, "support_email": settings.SUPPORT_EMAIL}
    return render_to_string("includes/email_signature.txt", context).strip()
