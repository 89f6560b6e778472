from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts.views import set_language
from herzdigital import views
from meetings.views.statistics import service_statistics_export
from operations.views import metrics

# Staff log in to the admin through allauth (rate limits, MFA), never through the admin's own form.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "herzdigital – Verwaltung"
admin.site.site_title = "herzdigital"
admin.site.index_title = "Betrieb"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("metrics", metrics, name="metrics"),
    path("admin/statistik.csv", admin.site.admin_view(service_statistics_export), name="service_statistics_csv"),
    path("admin/", admin.site.urls),
    path("konto/", include("accounts.urls")),
    path("konto/", include("allauth.urls")),
    path("", include("clubs.urls")),
    path("", include("rooms.urls")),
    path("", include("meetings.urls")),
    path("", include("recordings.urls")),
    path("", include("pages.urls")),
    path("", include("events.urls")),
    path("", include("assemblies.urls")),
]

handler403 = "herzdigital.views.error_403"
handler404 = "herzdigital.views.error_404"
handler500 = "herzdigital.views.error_500"
