"""The landing page says who runs the service, for whom, what it costs, how approval works and how long it takes;
staff edit that text in the admin like the legal pages (issue 16, item 8)."""

from __future__ import annotations

import pytest
from django.test import Client

from pages.models import LegalPage

pytestmark = pytest.mark.django_db


def test_landing_page_answers_a_newcomers_questions(client: Client) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    for words in ("betrieben", "Für Vereine, Selbsthilfegruppen", "Was es kostet", "Nichts.", "prüft die Anmeldung",
                  "innerhalb von drei Werktagen", "Impressum"):  # fmt: skip
        assert words in html, words
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "What it costs" in english and "within three working days" in english


def test_staff_edit_the_landing_text_in_the_admin(client: Client) -> None:
    from tests.admin.conftest import add_totp, login_with_mfa
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    login_with_mfa(client, staff, add_totp(staff))
    page = LegalPage.objects.get(kind=LegalPage.Kind.HOME)
    response = client.post(
        f"/admin/pages/legalpage/{page.pk}/change/",
        {
            "title_de": "Willkommen beim Stadtverband",
            "body_de": "## Wer wir sind\nDer Stadtverband der Vereine.",
            "title_en": "",
            "body_en": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "<h1>Willkommen beim Stadtverband</h1>" in html
    assert "<h2>Wer wir sind</h2>" in html and "Der Stadtverband der Vereine." in html
