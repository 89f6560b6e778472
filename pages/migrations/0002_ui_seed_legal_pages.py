"""Seed the three legal pages with default texts (idempotent: existing pages are left as staff edited them)."""

from django.db import migrations


def seed(apps, schema_editor):
    from pages.defaults import DEFAULTS

    LegalPage = apps.get_model("pages", "LegalPage")
    for kind, (title_de, body_de, title_en, body_en) in DEFAULTS.items():
        LegalPage.objects.get_or_create(
            kind=kind, defaults={"title_de": title_de, "body_de": body_de, "title_en": title_en, "body_en": body_en}
        )


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_ui_legal_pages")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
