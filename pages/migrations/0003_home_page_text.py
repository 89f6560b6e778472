"""The landing page's text becomes editable in the admin, like the legal pages (seeded with the default text)."""

from django.db import migrations, models


def seed(apps, schema_editor):
    from pages.defaults import DEFAULTS

    LegalPage = apps.get_model("pages", "LegalPage")
    title_de, body_de, title_en, body_en = DEFAULTS["startseite"]
    LegalPage.objects.get_or_create(
        kind="startseite", defaults={"title_de": title_de, "body_de": body_de, "title_en": title_en, "body_en": body_en}
    )


class Migration(migrations.Migration):
    dependencies = [("pages", "0002_ui_seed_legal_pages")]
    operations = [
        migrations.AlterField(
            model_name="legalpage",
            name="kind",
            field=models.CharField(
                choices=[
                    ("impressum", "Impressum"),
                    ("datenschutz", "Datenschutzerklärung"),
                    ("nutzungsbedingungen", "Nutzungsbedingungen"),
                    ("startseite", "Startseite"),
                ],
                max_length=30,
                unique=True,
                verbose_name="Seite",
            ),
        ),
        migrations.AlterModelOptions(
            name="legalpage",
            options={
                "ordering": ["kind"],
                "verbose_name": "Seitentext",
                "verbose_name_plural": "Startseite und rechtliche Seiten",
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
