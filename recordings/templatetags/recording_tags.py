"""Display helpers for recordings: durations, sizes and the public room page's recording list."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bbb.parsing import web_url
from recordings.services import recordings_public_for_room
from rooms.models import Room

register = template.Library()

FORMAT_LABELS = {
    "presentation": gettext_lazy("Präsentation"),
    "video": gettext_lazy("Video"),
    "screenshare": gettext_lazy("Bildschirmfreigabe"),
    "podcast": gettext_lazy("Audio"),
}


@register.filter
def duration(seconds: int | None) -> str:
    """1:05 h or 42 min."""
    minutes = round((seconds or 0) / 60)
    if minutes >= 60:
        return _("%(hours)d:%(minutes)02d h") % {"hours": minutes // 60, "minutes": minutes % 60}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.filter
def format_label(kind: str) -> str:
    label = FORMAT_LABELS.get(kind)
    return str(label) if label else kind.capitalize()


@register.filter
def playback_href(url: str | None) -> str:
    """The URL if it is absolute http(s), else "" (the link is then not rendered at all).

    Playback URLs come from the BBB server's answer; a ``javascript:`` URL in an href would run in
    our pages. The client already drops them while parsing; this also covers rows stored earlier.
    """
    return web_url(url) or ""


@register.inclusion_tag("recordings/includes/public_recordings.html")
def public_recordings(room: Room) -> dict:
    """``{% public_recordings room %}`` on the public room page (DB only, no BBB call)."""
    return {"room": room, "recordings": recordings_public_for_room(room)}
