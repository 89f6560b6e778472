from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse

from herzdigital.client_ip import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """No open signup: accounts come from a club registration or an accepted invitation.

    Emails may also be sent outside a request (services run from the admin, commands, tasks):
    then links are built from ``SITE_URL`` instead of the request's host.
    """

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's rate limits count by: herzdigital.client_ip decides (proxies, /64)."""
        address = client_ip(request)
        if address is None:
            raise PermissionDenied("Unable to determine client IP address")
        return str(address)

    def get_email_confirmation_url(self, request: HttpRequest | None, emailconfirmation: Any) -> str:
        if request is None and allauth_context.request is None:
            return settings.SITE_URL + reverse("account_confirm_email", args=[emailconfirmation.key])
        return super().get_email_confirmation_url(request, emailconfirmation)

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.SITE_NAME}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Every allauth mail in our voice (templates/account/email/): the service's name, not the request's host.

        Without the sites framework allauth would call the site "127.0.0.1:8000" ("Hallo von 127.0.0.1:8000!").
        """
        site = SimpleNamespace(domain=urlsplit(settings.SITE_URL).netloc, name=settings.SITE_NAME)
        ctx = {
            "request": allauth_context.request,
            "email": email,
            **context,
            "current_site": site,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "support_email": settings.SUPPORT_EMAIL,
            "register_url": settings.SITE_URL + reverse("clubs:register"),
            "approval_days": settings.APPROVAL_WORKING_DAYS,
        }
        self.render_mail(template_prefix, email, ctx).send()
