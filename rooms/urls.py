from __future__ import annotations

from django.urls import path

from rooms import views

app_name = "rooms"

urlpatterns = [
    path("r/<str:friendly_id>/", views.public_room, name="public"),
]
