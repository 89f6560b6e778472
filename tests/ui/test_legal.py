"""Legal pages: seeded, linked in the footer, German and English, edited by staff in the admin."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from pages.models import LegalPage
from pages.templatetags.legal import legal_text

pytestmark = pytest.mark.django_db


def test_the_three_legal_pages_and_the_landing_text_exist_after_migrating() -> None:
    kinds = set(LegalPage.objects.values_list("kind", flat=True))
    assert kinds == {"impressum", "datenschutz", "nutzungsbedingungen", "startseite"}


@pytest.mark.parametrize(
    ("name", "title"),
    [("pages:imprint", "Impressum"), ("pages:privacy", "Datenschutzerklärung"), ("pages:terms", "Nutzungsbedingungen")],
)
def test_every_page_links_to_the_legal_pages_in_the_footer(client: Client, name: str, title: str) -> None:
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert f'href="{reverse(name)}"' in home
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in response.content.decode()


def test_privacy_page_names_every_cookie_we_set(client: Client) -> None:
    text = client.get(reverse("pages:privacy"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    from rooms.access_codes import COOKIE_NAME

    for cookie in ("sessionid", "csrftoken", "django_language", COOKIE_NAME):
        assert cookie in text
    assert "technisch notwendige Cookies" in text


def test_english_visitors_get_the_english_text(client: Client) -> None:
    text = client.get(reverse("pages:privacy"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Privacy policy</h1>" in text
    assert "strictly necessary" in text


def test_english_visitors_get_german_text_marked_as_german_when_no_english_exists(client: Client) -> None:
    LegalPage.objects.filter(kind="impressum").update(body_en="", title_en="")
    text = client.get(reverse("pages:imprint"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<article class="card legal" lang="de">' in text
    assert "Angaben gemäß § 5" in text


def test_staff_edit_a_page_in_the_admin_and_visitors_see_it(client: Client, personas, settings) -> None:
    settings.STAFF_REQUIRE_MFA = False  # the MFA gate has its own tests (accounts)
    page = LegalPage.objects.get(kind="impressum")
    client.force_login(personas.staff)
    url = reverse("admin:pages_legalpage_change", args=[page.pk])
    response = client.post(
        url,
        {
            "title_de": "Impressum",
            "body_de": "## Anbieter\nHerzverein e.V.\nMusterweg 1",
            "title_en": "Legal notice",
            "body_en": "## Provider\nHerzverein e.V.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    anonymous = Client()
    text = anonymous.get(reverse("pages:imprint"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "<h2>Anbieter</h2>" in text
    assert "Herzverein e.V.<br>Musterweg 1" in text


def test_staff_cannot_add_or_delete_legal_pages(client: Client, personas, settings) -> None:
    settings.STAFF_REQUIRE_MFA = False
    client.force_login(personas.staff)
    assert client.get(reverse("admin:pages_legalpage_add")).status_code == 403
    page = LegalPage.objects.get(kind="impressum")
    assert client.get(reverse("admin:pages_legalpage_delete", args=[page.pk])).status_code == 403


def test_legal_text_escapes_html_and_builds_headings_lists_and_links() -> None:
    html = legal_text("Intro <b>x</b>\n\n## Titel\n- eins\n- zwei https://example.org\nSatz")
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<h2>Titel</h2>" in html
    assert "<ul><li>eins</li><li>zwei" in html
    assert 'href="https://example.org"' in html
    assert "<p>Satz</p>" in html


def test_a_missing_page_is_recreated_with_the_default_text(client: Client) -> None:
    LegalPage.objects.filter(kind="nutzungsbedingungen").delete()
    response = client.get(reverse("pages:terms"), HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    assert "<h1>Nutzungsbedingungen</h1>" in response.content.decode()
    assert LegalPage.objects.filter(kind="nutzungsbedingungen").count() == 1


def test_legal_pages_admin_list_and_change_pages_work_with_few_queries(
    client: Client, personas, settings, django_assert_max_num_queries
) -> None:
    settings.STAFF_REQUIRE_MFA = False
    client.force_login(personas.staff)
    page = LegalPage.objects.get(kind="datenschutz")
    for url in (reverse("admin:pages_legalpage_changelist"), reverse("admin:pages_legalpage_change", args=[page.pk])):
        client.get(url)  # warm caches
        with django_assert_max_num_queries(8):
            response = client.get(url)
        assert response.status_code == 200
