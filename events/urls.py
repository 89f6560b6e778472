from __future__ import annotations

from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("c/<slug:club_slug>/termine/", views.calendar, name="calendar"),
    path("c/<slug:club_slug>/termine/neu/", views.create, name="create"),
    path("c/<slug:club_slug>/termine/<int:scheduled_meeting_id>/", views.detail, name="detail"),
    path("c/<slug:club_slug>/termine/<int:scheduled_meeting_id>/bearbeiten/", views.edit, name="edit"),
    path("c/<slug:club_slug>/termine/<int:scheduled_meeting_id>/absagen/", views.cancel, name="cancel"),
    path("c/<slug:club_slug>/termine/kalender-link/", views.feed_regenerate, name="feed_regenerate"),
    path("kalender/<str:calendar_token>.ics", views.feed, name="feed"),
]
