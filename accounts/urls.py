from __future__ import annotations

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("profil/", views.profile, name="profile"),
    path("profil/daten-export/", views.export, name="export"),
    path("profil/loeschen/", views.delete, name="delete"),
]
