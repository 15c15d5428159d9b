"""The admin: connection types are configured there by system administrators; the rest is read-only."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from connections.models import ConnectionType

pytestmark = pytest.mark.django_db
READ_ONLY = ["connection", "connectionchange", "outage", "assessment", "clouddecision", "terminationrequest"]


def test_system_admins_configure_types_and_staff_read_the_rest(world: Any, login: Any, make_connection: Any) -> None:
    make_connection()
    client = login(world["system_admin"])
    response = client.post(
        reverse("admin:connections_connectiontype_add"),
        {"code": "radio", "name": "Radiolinje", "description": "", "is_active": "on", "sort_order": "50"},
    )
    assert response.status_code == 302 and ConnectionType.objects.filter(code="radio").exists()
    for model in READ_ONLY:
        assert client.get(reverse(f"admin:connections_{model}_changelist")).status_code == 200, model
        assert client.get(reverse(f"admin:connections_{model}_add")).status_code == 403, model
    client = login(world["customer_centre"])
    assert client.get(reverse("admin:connections_connection_changelist")).status_code == 200
    assert client.get(reverse("admin:connections_connectiontype_add")).status_code == 403
