"""URL patterns of the rooms app (namespace "rooms"): the club's room pages and the public join flow."""

from __future__ import annotations

from rooms.views import personal, presentations, rooms

app_name = "rooms"

urlpatterns = [*rooms.urlpatterns, *personal.urlpatterns, *presentations.urlpatterns]
