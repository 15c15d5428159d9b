"""The four standard connection types (staff may rename them or add more)."""

from django.db import migrations

TYPES = [
    ("direct", "Direkte linje til Norsk helsenett", "En egen linje fra virksomheten til Stamnettet.", 10),
    (
        "municipal_network",
        "Via kommunalt eller interkommunalt nett",
        "Tilknytning gjennom kommunens eller det interkommunale samarbeidets eget nett.",
        20,
    ),
    (
        "cloud_epj",
        "Via EPJ-leverandørens sky",
        "Leverandøren av skybasert EPJ gir tilgang til Helsenettet gjennom sin egen tilknytning.",
        30,
    ),
    ("shared", "Delt linje", "En linje som flere medlemmer deler; hver har sitt eget medlemskap.", 40),
]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    ConnectionType = apps.get_model("connections", "ConnectionType")
    for code, name, description, order in TYPES:
        ConnectionType.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("connections", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
