"""Absolute links that leave the site in emails and calendar files."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from rooms.models import Room


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def room_public_url(room: Room) -> str:
    """The public room page guests join from (works without an account)."""
    return absolute_url(reverse("rooms:public", kwargs={"friendly_id": room.friendly_id}))
