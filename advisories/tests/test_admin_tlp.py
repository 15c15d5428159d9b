"""The Django admin is open to NHN staff who are not CERT analysts: it is one more channel under the TLP
rule, so an advisory (its revisions and acknowledgements too) the person may not read is not there."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from advisories.models import Acknowledgement
from advisories.tests.conftest import make_advisory


def test_admin_hides_restricted_advisories_from_other_staff(world: Any, sec: dict[str, Any], client: Any) -> None:
    red = make_advisory(tlp="RED", people=[sec["sec_a"]], title="Hemmelig RED-varsel")
    green = make_advisory(tlp="GREEN", audience_all=True, title="Grønt varsel")
    ack = Acknowledgement.objects.create(
        advisory=red, organisation=world.org_a, status="received", comment="Hemmelig", acknowledged_by=sec["sec_a"]
    )
    revision = red.revisions.get()

    client.force_login(world["membership_manager"], backend="accounts.backends.PortalBackend")
    listing = client.get(reverse("admin:advisories_advisory_changelist"))
    assert listing.status_code == 200
    assert "Grønt varsel" in listing.content.decode()
    assert "Hemmelig RED-varsel" not in listing.content.decode()
    for name, pk in (
        ("advisories_advisory", red.pk),
        ("advisories_advisoryrevision", revision.pk),
        ("advisories_acknowledgement", ack.pk),
    ):
        response = client.get(reverse(f"admin:{name}_change", args=[pk]), follow=True)
        assert "Hemmelig" not in response.content.decode(), name
    assert client.get(reverse("admin:advisories_advisory_change", args=[green.pk])).status_code == 200
