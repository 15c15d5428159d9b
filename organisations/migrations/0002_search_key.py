import django.contrib.postgres.operations
from django.db import migrations

import organisations.fields
from lib.search import fold

TRIGRAM_INDEX = "organisation_search_key_trgm"


def fill_search_keys(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    batch = []
    for org in Organisation.objects.only("pk", "name").iterator(chunk_size=2000):
        org.search_key = fold(org.name)
        batch.append(org)
        if len(batch) == 2000:
            Organisation.objects.bulk_update(batch, ["search_key"])
            batch = []
    Organisation.objects.bulk_update(batch, ["search_key"])


def create_trigram_index(apps, schema_editor):
    # Serves the organisation search: LIKE '%bodo%' and the typo-tolerant `%>` alike (PostgreSQL only).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON organisations_organisation "
            "USING gin (search_key gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0001_initial"),
    ]

    operations = [
        # pg_trgm ships with PostgreSQL; creating it needs a role that may (see docs/deployment.md).
        django.contrib.postgres.operations.TrigramExtension(),
        migrations.AddField(
            model_name="organisation",
            name="search_key",
            field=organisations.fields.SearchKeyField(default="", editable=False, max_length=255),
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
