"""Security contacts (details, flagged when missing, reminders) and the threat picture."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from advisories import services
from advisories.models import SecurityContactDetails, ThreatPicture
from core.models import OutboundEmail
from core.roles import OrganisationRoleType
from memberships.models import Membership
from organisations.models import OrganisationRole


@pytest.fixture
def members(world: Any) -> None:
    for org in (world.org_a, world.org_b):
        Membership.objects.update_or_create(organisation=org, defaults={"state": "active"})


def test_admin_sets_phone_and_24_7(world: Any, sec: dict[str, Any], client: Any) -> None:
    role = OrganisationRole.objects.get(user=sec["sec_a"], role=OrganisationRoleType.SECURITY_CONTACT)
    url = reverse("advisories:contact_edit", args=[world.org_a.pk, role.pk])
    client.force_login(world["admin_a"], backend="accounts.backends.PortalBackend")
    response = client.post(url, {"phone": "12ab", "available_24_7": "on"})
    assert response.status_code == 400 and not SecurityContactDetails.objects.exists()
    assert client.post(url, {"phone": "+47 22 33 44 55", "available_24_7": "on"}).status_code == 302
    details = SecurityContactDetails.objects.get(role=role)
    assert details.phone == "+47 22 33 44 55" and details.available_24_7
    page = client.get(reverse("advisories:contacts", args=[world.org_a.pk])).content.decode()
    assert "+47 22 33 44 55" in page
    # Another organisation's admin: 404; A's technical contact sees but may not change: 403.
    client.force_login(world["admin_b"], backend="accounts.backends.PortalBackend")
    assert client.post(url, {"phone": "+47 99 99 99 99"}).status_code == 404
    client.force_login(world["member_a"], backend="accounts.backends.PortalBackend")
    assert client.get(url).status_code == 403
    assert client.get(reverse("advisories:contacts", args=[world.org_a.pk])).status_code == 200


def test_missing_contact_is_flagged_and_reminded(world: Any, sec: dict[str, Any], client: Any, members: None) -> None:
    OrganisationRole.objects.filter(user=sec["sec_b"]).delete()
    assert list(services.without_security_contact()) == [world.org_b]
    client.force_login(world["admin_b"], backend="accounts.backends.PortalBackend")
    page = client.get(reverse("organisations:organisation_detail", args=[world.org_b.pk])).content.decode()
    assert "No security contact" in page or "Ingen sikkerhetskontakt" in page
    client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
    page = client.get(reverse("advisories:contacts_missing")).content.decode()
    assert world.org_b.name in page and world.org_a.name not in page
    now = timezone.now()
    assert services.remind_missing_contacts(now) == 1
    assert services.remind_missing_contacts(now) == 0  # once per month
    assert [m.to for m in OutboundEmail.objects.filter(key__startswith="security-contact-missing:")] == [
        world["admin_b"].email
    ]
    with time_machine.travel(now + dt.timedelta(days=32)):
        assert services.remind_missing_contacts() == 1


def test_a_coordinator_sees_the_network_members_without_a_security_contact(
    world: Any, sec: dict[str, Any], client: Any, members: None
) -> None:
    OrganisationRole.objects.filter(user__in=[sec["sec_a"], sec["sec_b"]]).delete()
    assert set(services.without_security_contact()) == {world.org_a, world.org_b}
    client.force_login(world["coordinator_a"], backend="accounts.backends.PortalBackend")
    home = client.get(reverse("dashboards:home")).content.decode()
    url = reverse("advisories:contacts_missing")
    assert f'href="{url}"' in home  # the front page's "Your Diginettverk" links to it
    page = client.get(url).content.decode()
    # Only the municipality in the coordinator's network, linked to its page (the contacts page is
    # for the member and HelseCERT); no link to the analysts' advisory tools.
    assert world.org_a.name in page and world.org_b.name not in page
    assert f'href="{world.org_a.get_absolute_url()}"' in page
    assert reverse("advisories:list") not in page.split("<main", 1)[1]
    # A member may not see the list at all.
    client.force_login(world["admin_a"], backend="accounts.backends.PortalBackend")
    assert client.get(url).status_code == 403


def test_deactivated_contact_does_not_count(world: Any, sec: dict[str, Any], members: None) -> None:
    sec["sec_a"].is_active = False
    sec["sec_a"].save()
    assert world.org_a in services.without_security_contact()


def test_daily_command(world: Any, sec: dict[str, Any], manage: Any, members: None) -> None:
    code, out, _err = manage("advisories_daily")
    assert code == 0 and "reminders" in out


def test_threat_picture(world: Any, client: Any) -> None:
    client.force_login(world["member_a"], backend="accounts.backends.PortalBackend")
    assert client.get(reverse("advisories:threat_picture")).status_code == 200
    assert client.get(reverse("advisories:threat_picture_edit")).status_code == 403
    client.force_login(world["cert_analyst"], backend="accounts.backends.PortalBackend")
    url = reverse("advisories:threat_picture_edit")
    assert client.post(url, {"title": "", "body": ""}).status_code == 400
    body = "## Løsepengevirus\n\nØkt aktivitet.<img src=x onerror=alert(1)>"
    client.post(url, {"title": "Trusselbildet november", "body": body})
    client.post(url, {"title": "Trusselbildet desember", "body": "Rolig.", "change_note": "Ny måned"})
    assert list(ThreatPicture.objects.values_list("version", flat=True)) == [2, 1]
    client.force_login(world["member_a"], backend="accounts.backends.PortalBackend")
    page = client.get(reverse("advisories:threat_picture")).content.decode()
    assert "Trusselbildet desember" in page and "onerror" not in page
