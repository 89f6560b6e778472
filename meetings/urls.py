"""URL patterns of the meetings app (namespace "meetings"): BBB's callbacks and the club's statistics."""

from __future__ import annotations

from meetings.views import callbacks, statistics

app_name = "meetings"

urlpatterns = [*callbacks.urlpatterns, *statistics.urlpatterns]
