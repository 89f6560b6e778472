from __future__ import annotations

from django.urls import path

from pages import views
from pages.models import LegalPage

app_name = "pages"

urlpatterns = [
    path("impressum/", views.legal_page, {"kind": LegalPage.Kind.IMPRINT}, name="imprint"),
    path("datenschutz/", views.legal_page, {"kind": LegalPage.Kind.PRIVACY}, name="privacy"),
    path("nutzungsbedingungen/", views.legal_page, {"kind": LegalPage.Kind.TERMS}, name="terms"),
]
