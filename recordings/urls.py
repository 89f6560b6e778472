"""URL patterns of the recordings app (namespace "recordings"): the club's recording pages."""

from __future__ import annotations

from recordings import views

app_name = "recordings"

urlpatterns = [*views.urlpatterns]
