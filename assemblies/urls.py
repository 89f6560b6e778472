from __future__ import annotations

from django.urls import path

from assemblies import views

app_name = "assemblies"

BASE = "c/<slug:club_slug>/termine/<int:scheduled_meeting_id>/versammlung/"

urlpatterns = [
    path("c/<slug:club_slug>/versammlung-regeln/", views.rules, name="rules"),
    path(BASE, views.detail, name="detail"),
    path(BASE + "planen/", views.plan, name="plan"),
    path(BASE + "leitung/", views.chair, name="chair"),
    path(BASE + "abstimmung/<int:motion_id>/", views.motion_step, name="motion_step"),
    path(BASE + "abstimmung/<int:motion_id>/stimme/", views.ballot, name="ballot"),
    path(BASE + "protokoll/", views.minutes, name="record"),
    path(BASE + "protokoll.csv", views.minutes_csv, name="record_csv"),
]
