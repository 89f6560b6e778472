from __future__ import annotations

from django.urls import path

from clubs import views

app_name = "clubs"

urlpatterns = [
    path("c/<slug:club_slug>/", views.dashboard, name="dashboard"),
]
