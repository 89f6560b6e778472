from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """No open signup: accounts come from a club registration or an accepted invitation."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False
