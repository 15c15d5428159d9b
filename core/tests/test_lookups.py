from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.models import Organisation


def test_any_matches_like_in_and_sends_one_array_on_postgresql(world):
    numbers = [world.org_a.org_number, world.enterprise_b.org_number, "999999999"]
    expected = set(Organisation.objects.filter(org_number__in=numbers).values_list("pk", flat=True))
    assert len(expected) == 2
    with CaptureQueriesContext(connection) as queries:
        found = set(Organisation.objects.filter(org_number__any=numbers).values_list("pk", flat=True))
    assert found == expected
    if connection.vendor == "postgresql":
        assert "= ANY(" in queries[0]["sql"]
    # on integers, and with nothing to match
    assert set(Organisation.objects.filter(id__any=list(expected)).values_list("pk", flat=True)) == expected
    assert not Organisation.objects.filter(org_number__any=[]).exists()
