"""Each view module of the rooms app lists its own URL patterns; they share the namespace "rooms"."""

from __future__ import annotations

from rooms.views import callbacks, recordings, rooms, statistics

app_name = "rooms"

urlpatterns = [*rooms.urlpatterns, *recordings.urlpatterns, *callbacks.urlpatterns, *statistics.urlpatterns]
