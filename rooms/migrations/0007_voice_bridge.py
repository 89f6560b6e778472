import secrets

from django.db import migrations, models

import rooms.models


def fill_voice_bridges(apps, schema_editor):
    """Every existing room gets its own five-digit telephone PIN."""
    Room = apps.get_model("rooms", "Room")
    used = set()
    for room in Room.objects.only("pk"):
        pin = str(secrets.randbelow(90000) + 10000)
        while pin in used:
            pin = str(secrets.randbelow(90000) + 10000)
        used.add(pin)
        Room.objects.filter(pk=room.pk).update(voice_bridge=pin)


class Migration(migrations.Migration):
    dependencies = [("rooms", "0006_presentations")]

    operations = [
        migrations.AddField(
            model_name="room",
            name="voice_bridge",
            field=models.CharField(max_length=5, null=True, editable=False, verbose_name="Telefon-PIN"),
        ),
        migrations.RunPython(fill_voice_bridges, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="room",
            name="voice_bridge",
            field=models.CharField(
                default=rooms.models.new_voice_bridge,
                editable=False,
                max_length=5,
                unique=True,
                verbose_name="Telefon-PIN",
            ),
        ),
    ]
