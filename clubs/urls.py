from __future__ import annotations

from django.urls import include, path

from clubs import views

app_name = "clubs"

club_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("mitglieder/", views.members, name="members"),
    path("mitglieder/einladen/", views.invite, name="invite"),
    path(
        "mitglieder/einladungen/<int:invitation_id>/erneut-senden/", views.invitation_resend, name="invitation_resend"
    ),
    path(
        "mitglieder/einladungen/<int:invitation_id>/zurueckziehen/", views.invitation_revoke, name="invitation_revoke"
    ),
    path("mitglieder/<int:membership_id>/rolle/", views.member_role, name="member_role"),
    path("mitglieder/<int:membership_id>/entfernen/", views.member_remove, name="member_remove"),
    path("verlassen/", views.leave, name="leave"),
    path("einstellungen/", views.club_settings, name="settings"),
    path("inhaberschaft-uebertragen/", views.transfer, name="transfer"),
    path("schliessen/", views.close, name="close"),
]

urlpatterns = [
    path("verein-anmelden/", views.register, name="register"),
    path("verein-anmelden/wie-es-weitergeht/", views.register_done, name="register_done"),
    path("einladung/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("c/<slug:club_slug>/", include(club_patterns)),
]
