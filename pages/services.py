from __future__ import annotations

from pages.defaults import DEFAULTS
from pages.models import LegalPage


def legal_page_get(*, kind: str) -> LegalPage:
    """The legal page of ``kind``; created with the default text if it is missing (e.g. a flushed database)."""
    title_de, body_de, title_en, body_en = DEFAULTS[kind]
    page, _ = LegalPage.objects.get_or_create(
        kind=kind, defaults={"title_de": title_de, "body_de": body_de, "title_en": title_en, "body_en": body_en}
    )
    return page
