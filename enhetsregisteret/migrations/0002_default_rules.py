"""The membership rules NHN starts from: public bodies, health enterprises, and independent health
enterprises (ENK/AS in human health activities, SN2007 86). Membership managers change them in the portal."""

from django.db import migrations

DEFAULT_RULES = [
    ("Kommuner og fylkeskommuner", ["KOMM", "FYLK"], []),
    ("Helseforetak", ["HF"], []),
    ("Selvstendige helsevirksomheter (ENK/AS)", ["ENK", "AS"], ["86"]),
]


def create(apps, schema_editor):  # type: ignore[no-untyped-def]  # migrations are not type-checked
    MembershipRule = apps.get_model("enhetsregisteret", "MembershipRule")
    for name, forms, prefixes in DEFAULT_RULES:
        MembershipRule.objects.get_or_create(name=name, defaults={"forms": forms, "industry_prefixes": prefixes})


class Migration(migrations.Migration):
    dependencies = [("enhetsregisteret", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
