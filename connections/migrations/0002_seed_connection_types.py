"""The four standard connection types (staff may rename them or add more)."""

from django.db import migrations

from connections.defaults import ensure_standard_types


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]  # migrations are not type-checked
    ensure_standard_types(apps.get_model("connections", "ConnectionType"))


class Migration(migrations.Migration):
    dependencies = [("connections", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
