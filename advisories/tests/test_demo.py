"""The demo shows every TLP level targeted realistically, an incident and the threat picture; seeding
twice changes nothing."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db: Any) -> None:
    from demo.services import demo_seed

    call_command("load_reference_data", stdout=StringIO())
    demo_seed(history=False)
    demo_seed(history=False)  # idempotent


def test_demo_security_content(demo: None) -> None:
    from django.contrib.auth import get_user_model

    from advisories.models import Advisory, ThreatPicture
    from incidents.models import Incident

    users = get_user_model().objects
    per, tor = users.get(email="per@demo.medlemsportal.no"), users.get(email="tor@demo.medlemsportal.no")
    assert Advisory.objects.filter(tracking_id__startswith="NHN-DEMO").count() == 6
    assert set(Advisory.objects.values_list("tlp", flat=True)) == {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"}
    per_sees = set(Advisory.objects.visible_to(per).values_list("tracking_id", flat=True))
    tor_sees = set(Advisory.objects.visible_to(tor).values_list("tracking_id", flat=True))
    assert per_sees == {f"NHN-DEMO-000{i}" for i in (1, 2, 3, 4, 5)}
    assert tor_sees == {"NHN-DEMO-0001", "NHN-DEMO-0002", "NHN-DEMO-0003"}  # Hamar is in Innlandet too
    assert Incident.objects.filter(reference="HD-DEMO-0001").count() == 1
    assert Incident.objects.visible_to(tor).count() == 0
    assert ThreatPicture.objects.count() == 1
